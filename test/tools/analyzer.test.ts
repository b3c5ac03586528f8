import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PackError, PolicySession } from "../../tools/analyzer";
import { PROJECT_ROOT } from "../../tools/engine";
import { UsageError } from "../../tools/errors";

/** Packs made for one test, inside the repository so that they resolve its node_modules. */
fs.mkdirSync(path.join(PROJECT_ROOT, ".tmp"), { recursive: true });
const scratch = fs.mkdtempSync(path.join(PROJECT_ROOT, ".tmp", "packs-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function pack(name: string, index: string): string {
  const dir = path.join(scratch, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, version: "1.0.0" }));
  fs.copyFileSync(
    path.join(PROJECT_ROOT, "policy-pack/tsconfig.json"),
    path.join(dir, "tsconfig.json"),
  );
  fs.writeFileSync(path.join(dir, "index.ts"), index);
  return dir;
}

const start = (packDir: string) =>
  PolicySession.start({ packDir, stack: "test", project: "test", onOutput: () => undefined });

describe("starting a policy pack", () => {
  it("a folder that is no pack is a usage error", async () => {
    await expect(start(scratch)).rejects.toThrow(UsageError);
    await expect(start(scratch)).rejects.toThrow(/is not a policy pack: it has no package.json/);
  });

  it("a pack that does not compile fails with the compiler's message and exit code 2", async () => {
    const broken = pack(
      "broken",
      'import { PolicyPack } from "@pulumi/policy";\nconst count: number = "one";\nnew PolicyPack("broken", { policies: [] });\n',
    );
    const failure = await start(broken).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(PackError);
    expect((failure as PackError).exitCode).toBe(2);
    expect((failure as PackError).message).toMatch(/exited .* before it listened[\s\S]*TS2322/);
  });

  it("a working pack answers GetAnalyzerInfo with its policies", async () => {
    const working = pack(
      "working",
      'import { PolicyPack } from "@pulumi/policy";\nnew PolicyPack("working", { policies: [{ name: "p", description: "d", enforcementLevel: "mandatory", validateResource: () => undefined }] });\n',
    );
    const session = await start(working);
    try {
      expect(session.pack).toMatchObject({
        name: "working",
        policies: [{ name: "p", enforcementLevel: "mandatory" }],
      });
      expect(session.startupMs).toBeGreaterThan(0);
    } finally {
      await session.close();
    }
  });
});

describe("Analyze as resources register (analyzeAsRegistered)", () => {
  const resource = (name: string, type = "test:index:Thing") => ({
    urn: `urn:pulumi:test::test::${type}::${name}`,
    type,
    name,
    inputs: { size: name.length },
  });

  it("answers every pushed resource, in push order, with up to N calls in flight", async () => {
    const named = pack(
      "named",
      'import { PolicyPack } from "@pulumi/policy";\nnew PolicyPack("named", { policies: [{ name: "p", description: "d", enforcementLevel: "advisory", validateResource: (args, report) => { report(`saw ${args.name}`); } }] });\n',
    );
    const session = await start(named);
    try {
      await session.configure({});
      const stream = session.analyzeAsRegistered(2);
      const names = Array.from({ length: 7 }, (_, index) => `r${index}`);
      names.slice(0, 3).forEach((name) => stream.push(resource(name)));
      await new Promise((resolve) => setTimeout(resolve, 50));
      names.slice(3).forEach((name) => stream.push(resource(name)));
      const diagnostics = await stream.finish();
      expect(diagnostics.map((diagnostic) => diagnostic.message)).toEqual(
        names.map((name) => `saw ${name}`),
      );
    } finally {
      await session.close();
    }
  });

  it("keeps a failed call for finish instead of losing it", async () => {
    const throwing = pack(
      "throwing",
      'import { PolicyPack } from "@pulumi/policy";\nnew PolicyPack("throwing", { policies: [{ name: "p", description: "d", enforcementLevel: "advisory", validateResource: (args) => { if (args.name === "bad") throw new Error("boom"); } }] });\n',
    );
    const session = await start(throwing);
    try {
      await session.configure({});
      const stream = session.analyzeAsRegistered();
      stream.push(resource("good"));
      stream.push(resource("bad"));
      await expect(stream.finish()).rejects.toThrow(/boom/);
    } finally {
      await session.close();
    }
  });
});

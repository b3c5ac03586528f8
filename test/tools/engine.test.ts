import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  loadProjectStack,
  OFFLINE_SECRET_PLACEHOLDER,
  PROJECT_ROOT,
  runProgram,
} from "../../tools/engine";
import { ProgramError, UsageError } from "../../tools/errors";
import { engineUrn } from "../../tools/engine/record";
import { SECRET_SIG, SECRET_SIG_KEY } from "../../tools/secrets";

/** The engine's wire sentinel for a value unknown at preview. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const FIXTURE = path.join(PROJECT_ROOT, "test/fixtures/minimal-program");
const urn = (type: string, name: string) => `urn:pulumi:test::minimal::${type}::${name}`;

describe("project and stack loading", () => {
  it("reads project defaults, stack values, structured values and secure values", () => {
    const project = loadProjectStack(FIXTURE, "test");
    expect(project.projectName).toBe("minimal");
    expect(project.config).toEqual({
      "minimal:greeting": "hello",
      "minimal:size": "3",
      "minimal:tags": '{"team":"platform"}',
      "minimal:token": OFFLINE_SECRET_PLACEHOLDER,
    });
    expect(project.secretKeys).toEqual(["minimal:token"]);
    expect(project.entryPoint).toBe(FIXTURE);
  });

  it("names the stacks that exist when the stack is unknown", () => {
    expect(() => loadProjectStack(PROJECT_ROOT, "staging")).toThrow(UsageError);
    expect(() => loadProjectStack(PROJECT_ROOT, "staging")).toThrow(
      /unknown stack 'staging'.*\(stacks here: dev, prod\)/,
    );
  });

  it("refuses a directory that is not a Pulumi project", () => {
    expect(() => loadProjectStack(path.join(PROJECT_ROOT, "tools"), "dev")).toThrow(
      /no Pulumi\.yaml in .*tools/,
    );
  });
});

describe("a stack file that exists only in memory (a dry run)", () => {
  const document = {
    config: { "minimal:size": 7, "minimal:token": "t", "minimal:tags": { team: "apps" } },
  };

  it("is read instead of a file, with the project's defaults", () => {
    const project = loadProjectStack(FIXTURE, "draft", document);
    expect(project.config).toEqual({
      "minimal:greeting": "hello",
      "minimal:size": "7",
      "minimal:token": "t",
      "minimal:tags": '{"team":"apps"}',
    });
    expect(project.stackConfigFile).toMatch(/Pulumi\.draft\.yaml \(not written\)$/);
  });

  it("reaches the program in its own process", async () => {
    const recorded = await runProgram({
      stack: "draft",
      programDir: FIXTURE,
      stackDocument: document,
    });
    const first = recorded.resources.find((resource) => resource.name === "first")!;
    expect(recorded.stack).toBe("draft");
    expect(first.inputs.size).toBe(7);
  });
});

const stackUrn = urn("pulumi:pulumi:Stack", "minimal-test");

describe("recording a program under mocks, outputs resolved (--resolved)", async () => {
  const recorded = await runProgram({ stack: "test", programDir: FIXTURE, mode: "resolved" });
  const find = (name: string) => recorded.resources.find((resource) => resource.name === name)!;

  it("records type, name and URN of components and custom resources", () => {
    expect(
      recorded.resources.map((resource) => [resource.type, resource.name, resource.custom]),
    ).toEqual(
      expect.arrayContaining([
        ["minimal:index:Bucket", "bucket", false],
        ["test:index:Object", "bucket-object", true],
        ["test:index:Thing", "first", true],
        ["test:index:Thing", "second", true],
      ]),
    );
    expect(find("first").urn).toBe(urn("test:index:Thing", "first"));
    expect(find("bucket-object").urn).toBe(
      urn("minimal:index:Bucket$test:index:Object", "bucket-object"),
    );
  });

  it("records parents, dependencies and property dependencies", () => {
    expect(find("bucket-object").parent).toBe(urn("minimal:index:Bucket", "bucket"));
    // Top-level resources are children of the root stack, which their URNs leave out
    // (pulumi/pulumi pkg/resource/deploy/deployment.go generateURN).
    expect(find("first").parent).toBe(stackUrn);
    expect(find("minimal-test")).toMatchObject({ type: "pulumi:pulumi:Stack", urn: stackUrn });
    expect(find("second").dependencies).toEqual(
      expect.arrayContaining([
        urn("test:index:Thing", "first"),
        urn("minimal:index:Bucket$test:index:Object", "bucket-object"),
      ]),
    );
    expect(find("second").propertyDependencies.peer).toEqual([urn("test:index:Thing", "first")]);
  });

  it("records inputs with config applied and secrets kept wrapped", () => {
    expect(find("first").inputs).toEqual({
      size: 3,
      greeting: "hello",
      tags: { team: "platform" },
      token: { [SECRET_SIG_KEY]: SECRET_SIG, value: OFFLINE_SECRET_PLACEHOLDER },
    });
    expect(find("second").inputs).toEqual({ peer: "first-id", label: "bucket-label" });
  });

  it("resolves stack outputs and knows which are secret", () => {
    expect(recorded.outputs.firstId).toEqual({ value: "first-id", secret: false });
    expect(recorded.outputs.secret).toEqual({ value: "s3cr3t", secret: true });
  });
});

describe("recording a program with preview semantics (the default)", async () => {
  const recorded = await runProgram({ stack: "test", programDir: FIXTURE });
  const find = (name: string) => recorded.resources.find((resource) => resource.name === name)!;

  it("leaves what providers compute unknown, as pulumi preview of a new stack does", () => {
    expect(recorded.mode).toBe("preview");
    expect(find("first").id).toBe("");
    // `peer` is first's id: computed by the provider, so unknown; `label` is a plain value.
    expect(find("second").inputs).toEqual({ peer: UNKNOWN, label: "bucket-label" });
    expect(recorded.outputs.firstId).toEqual({ value: UNKNOWN, secret: false });
    expect(recorded.outputs.secondUrn.value).toBe(urn("test:index:Thing", "second"));
  });

  it("names a component's nested children with the parents' full type chain", async () => {
    expect(engineUrn("s", "p", "urn:pulumi:s::p::a:b:C$d:e:F::x", "g:h:I", "y")).toBe(
      "urn:pulumi:s::p::a:b:C$d:e:F$g:h:I::y",
    );
    expect(engineUrn("s", "p", "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s", "g:h:I", "y")).toBe(
      "urn:pulumi:s::p::g:h:I::y",
    );
  });

  it("reports a failing program as a program error", async () => {
    await expect(
      runProgram({
        stack: "broken",
        programDir: path.join(PROJECT_ROOT, "test/fixtures/bad-config"),
      }),
    ).rejects.toThrow(ProgramError);
  });
});

describe("registrations handed over as they happen (onResource)", () => {
  it("gives every resource, in the result's order, before the result", async () => {
    const seen: string[] = [];
    let resolved = false;
    const running = runProgram({
      stack: "test",
      programDir: FIXTURE,
      onResource: (resource) => {
        expect(resolved).toBe(false);
        seen.push(resource.urn);
      },
    });
    const recorded = await running.then((result) => {
      resolved = true;
      return result;
    });
    expect(seen.length).toBeGreaterThan(3);
    expect(seen).toEqual(recorded.resources.map((resource) => resource.urn));
  });
});

describe("a program that registers in one chain of promises (no turn of the event loop)", () => {
  const BUSY_CHAIN = path.join(PROJECT_ROOT, "test/fixtures/engine/busy-chain");

  it("hands registrations over while it runs, not all at its end", async () => {
    const arrivals: number[] = [];
    const recorded = await runProgram({
      stack: "test",
      programDir: BUSY_CHAIN,
      onResource: () => arrivals.push(Date.now()),
    });
    const resultAt = Date.now();
    expect(recorded.resources).toHaveLength(arrivals.length);
    // The fixture is busy for 300 ms after each of its three registrations.
    expect(resultAt - arrivals[0]).toBeGreaterThan(250);
  });

  it("lets a file write in flight finish before its process is stopped", async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "engine-write-")), "out.txt");
    process.env.ENGINE_FIXTURE_OUT = out;
    try {
      await runProgram({ stack: "test", programDir: BUSY_CHAIN });
    } finally {
      delete process.env.ENGINE_FIXTURE_OUT;
    }
    expect(fs.statSync(out).size).toBe(4_000_000);
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  });
});

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { beforeEach, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../../tools/engine";
import { MissingCliError, type DeployRequest, type StackBackend } from "../../../tools/env/backend";
import { create, destroy, list, reap, type EnvContext } from "../../../tools/env/commands";
import { EPHEMERAL_POLICY_CONFIG, EPHEMERAL_TAGS } from "../../../tools/env/tags";
import type { CheckOptions } from "../../../tools/policy-check";
import type { CheckReport, Violation } from "../../../tools/report/check-report";

const NOW = new Date("2026-11-24T10:00:00.000Z");

/** A backend in memory: stacks are their tags; it records what it was asked to do. */
class FakeBackend implements StackBackend {
  readonly deployed: DeployRequest[] = [];
  readonly destroyed: string[] = [];
  constructor(
    readonly stacks = new Map<string, Record<string, string>>(),
    readonly failing = new Set<string>(),
  ) {}
  async stackTags() {
    return new Map(this.stacks);
  }
  async tagsOf(stack: string) {
    return this.stacks.get(stack);
  }
  async deploy(request: DeployRequest) {
    this.deployed.push(request);
    this.stacks.set(request.stack, request.tags);
    request.onOutput("Updating (pr-42)\n");
    return { registryLoginServer: `acrcontoso${request.stack.replace(/-/g, "")}.azurecr.io` };
  }
  async destroy(stack: string, onOutput: (text: string) => void) {
    if (this.failing.has(stack)) throw new Error(`destroy of ${stack} failed`);
    onOutput(`Destroying (${stack})\n`);
    this.destroyed.push(stack);
    this.stacks.delete(stack);
  }
}

function reportWith(violations: Violation[]): CheckReport {
  return {
    stack: "pr-42",
    project: "aks-devsecops",
    pack: { name: "aks-devsecops", version: "0.1.0" },
    stackConfigFile: "Pulumi.pr-42.yaml",
    mode: "preview",
    resources: [],
    policies: [],
    violations,
    unverified: [],
    coverage: { types: [], unchecked: { resources: 0, types: [] }, notes: [] },
    warnings: [],
  };
}

interface Harness {
  context: EnvContext;
  backend: FakeBackend;
  checks: CheckOptions[];
  stdout: string[];
  progress: string[];
  streamed: string[];
  root: string;
}

function harness(
  options: { backend?: FakeBackend | "missing"; violations?: Violation[]; now?: Date } = {},
): Harness {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "env-commands-"));
  for (const file of ["Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml"]) {
    fs.copyFileSync(path.join(PROJECT_ROOT, file), path.join(root, file));
  }
  const backend =
    options.backend === "missing" ? new FakeBackend() : (options.backend ?? new FakeBackend());
  const recorded = {
    checks: [] as CheckOptions[],
    stdout: [] as string[],
    progress: [] as string[],
    streamed: [] as string[],
  };
  const context: EnvContext = {
    root,
    now: () => options.now ?? NOW,
    backend: async (verb) => {
      if (options.backend === "missing") throw new MissingCliError(verb);
      return backend;
    },
    check: async (checkOptions) => {
      recorded.checks.push(checkOptions);
      return reportWith(options.violations ?? []);
    },
    stdout: (text) => recorded.stdout.push(text),
    progress: (message) => recorded.progress.push(message),
    stream: (text) => recorded.streamed.push(text),
  };
  return { ...recorded, context, backend, root };
}

const ephemeralTags = (owner: string, expiresAt: string) => ({
  [EPHEMERAL_TAGS.base]: "dev",
  [EPHEMERAL_TAGS.owner]: owner,
  [EPHEMERAL_TAGS.createdAt]: "2026-11-24T08:00:00.000Z",
  [EPHEMERAL_TAGS.expiresAt]: expiresAt,
});
const createArgs = { name: "pr-42", owner: "alice", ttl: "8h", from: "dev", dryRun: false };
const mandatory: Violation = {
  policy: "gen-01",
  enforcementLevel: "mandatory",
  urn: "urn:pulumi:pr-42::aks-devsecops::azure-native:resources:ResourceGroup::platform",
  message: "lacks the tag(s) expires-at",
};

describe("create --dry-run", () => {
  let h: Harness;
  beforeEach(() => {
    h = harness();
  });

  it("checks the derived stack in memory with the ephemeral policy config and writes nothing", async () => {
    const code = await create({ ...createArgs, dryRun: true }, h.context);
    expect(code).toBe(0);
    expect(fs.existsSync(path.join(h.root, "Pulumi.pr-42.yaml"))).toBe(false);
    expect(h.checks).toHaveLength(1);
    expect(h.checks[0].stack).toBe("pr-42");
    expect(h.checks[0].programDir).toBe(h.root);
    expect(h.checks[0].policyConfig).toEqual(
      JSON.parse(fs.readFileSync(EPHEMERAL_POLICY_CONFIG, "utf8")),
    );
    expect(h.backend.deployed).toEqual([]);
  });

  it("prints the stack file it would write, then the check result", async () => {
    await create({ ...createArgs, dryRun: true }, h.context);
    const printed = h.stdout.join("");
    expect(printed).toContain("Pulumi.pr-42.yaml (dry run: not written)");
    const yamlPart = printed.slice(printed.indexOf("\n") + 1, printed.indexOf("Policy check of"));
    const document = parseYaml(yamlPart) as { config: Record<string, unknown> };
    expect(document).toEqual(h.checks[0].stackDocument);
    expect(document.config["aks-devsecops:tags"]).toMatchObject({
      "expires-at": "2026-11-24T18:00:00.000Z",
    });
    expect(printed).toMatch(/passed: 0 mandatory violations/);
  });

  it("works without the Pulumi CLI", async () => {
    const missing = harness({ backend: "missing" });
    expect(await create({ ...createArgs, dryRun: true }, missing.context)).toBe(0);
  });

  it("exits 1 when the derived stack breaks a mandatory control", async () => {
    const failing = harness({ violations: [mandatory] });
    expect(await create({ ...createArgs, dryRun: true }, failing.context)).toBe(1);
  });
});

describe("create", () => {
  it("writes the stack file and deploys it with its tags and the ephemeral policy config", async () => {
    const h = harness();
    const outputs = path.join(h.root, "outputs.json");
    expect(await create({ ...createArgs, outputs }, h.context)).toBe(0);
    const written = parseYaml(fs.readFileSync(path.join(h.root, "Pulumi.pr-42.yaml"), "utf8"));
    expect(written).toEqual(h.checks[0].stackDocument);
    expect(h.backend.deployed).toHaveLength(1);
    expect(h.backend.deployed[0]).toMatchObject({
      stack: "pr-42",
      policyConfigFile: EPHEMERAL_POLICY_CONFIG,
    });
    expect(h.backend.deployed[0].tags).toEqual({
      ...ephemeralTags("alice", "2026-11-24T18:00:00.000Z"),
      [EPHEMERAL_TAGS.createdAt]: NOW.toISOString(),
    });
    expect(h.streamed).toEqual(["Updating (pr-42)\n"]);
    expect(JSON.parse(fs.readFileSync(outputs, "utf8"))).toEqual({
      registryLoginServer: "acrcontosopr42.azurecr.io",
    });
    expect(h.stdout.join("")).toContain("pr-42 is up until 2026-11-24T18:00:00.000Z");
  });

  it("does not deploy a stack that fails the check", async () => {
    const h = harness({ violations: [mandatory] });
    expect(await create(createArgs, h.context)).toBe(1);
    expect(h.backend.deployed).toEqual([]);
    expect(fs.existsSync(path.join(h.root, "Pulumi.pr-42.yaml"))).toBe(false);
  });

  it("fails at once without the Pulumi CLI: no check, no file", async () => {
    const h = harness({ backend: "missing" });
    await expect(create(createArgs, h.context)).rejects.toThrow(
      /'create' needs the Pulumi CLI.*\n.*get\.pulumi\.com/,
    );
    expect(h.checks).toEqual([]);
    expect(fs.existsSync(path.join(h.root, "Pulumi.pr-42.yaml"))).toBe(false);
  });

  it("updates an existing ephemeral stack and refuses to take over any other", async () => {
    const existing = new FakeBackend(
      new Map<string, Record<string, string>>([
        ["pr-42", ephemeralTags("alice", "2026-11-24T11:00:00.000Z")],
        ["shared", { "pulumi:project": "aks-devsecops" }],
      ]),
    );
    const h = harness({ backend: existing });
    const stackFile = path.join(h.root, "Pulumi.pr-42.yaml");
    fs.writeFileSync(
      stackFile,
      stringifyYaml({
        encryptionsalt: "v1:c2FsdA==:v1:abc",
        config: { "old:key": 1, "pulumi:tags": ephemeralTags("alice", "2026-11-24T11:00:00Z") },
      }),
    );
    expect(await create(createArgs, h.context)).toBe(0);
    expect(h.progress.join("\n")).toMatch(/updating 'pr-42'/);
    // The CLI's secrets settings stay; the config is the new one.
    const written = parseYaml(fs.readFileSync(stackFile, "utf8"));
    expect(written.encryptionsalt).toBe("v1:c2FsdA==:v1:abc");
    expect(written.config).toEqual(h.checks[0].stackDocument?.config);
    await expect(create({ ...createArgs, name: "shared" }, h.context)).rejects.toThrow(
      /stack 'shared' exists and is not ephemeral/,
    );
  });

  it("refuses bad input with what is allowed", async () => {
    const h = harness();
    await expect(create({ ...createArgs, owner: "alice smith" }, h.context)).rejects.toThrow(
      /--owner 'alice smith' is not usable as a tag: 1-64 letters/,
    );
    await expect(create({ ...createArgs, ttl: "30d" }, h.context)).rejects.toThrow(
      /allowed 1h to 7d/,
    );
    await expect(create({ ...createArgs, from: "staging" }, h.context)).rejects.toThrow(
      /unknown stack 'staging'.*stacks here: dev, prod/,
    );
    await expect(create({ ...createArgs, name: "prod" }, h.context)).rejects.toThrow(
      /long-lived stack/,
    );
    expect(h.checks).toEqual([]);
  });

  it("takes a bot's login as owner", async () => {
    const h = harness();
    const code = await create({ ...createArgs, owner: "dependabot[bot]", dryRun: true }, h.context);
    expect(code).toBe(0);
  });

  it("refuses to derive from an ephemeral stack", async () => {
    const h = harness();
    await create(createArgs, h.context);
    await expect(
      create({ ...createArgs, name: "pr-43", from: "pr-42" }, h.context),
    ).rejects.toThrow(/--from 'pr-42' is itself ephemeral/);
  });
});

describe("list", () => {
  it("shows the ephemeral stacks with owner, age and time left", async () => {
    const backend = new FakeBackend(
      new Map<string, Record<string, string>>([
        ["dev", {}],
        ["pr-1", ephemeralTags("alice", "2026-11-24T18:00:00.000Z")],
        ["pr-2", ephemeralTags("bob", "2026-11-24T09:30:00.000Z")],
      ]),
    );
    const h = harness({ backend });
    expect(await list("table", h.context)).toBe(0);
    const lines = h.stdout.join("").trimEnd().split("\n");
    expect(lines[0]).toMatch(/^STACK\s+OWNER\s+FROM\s+AGE\s+TIME LEFT$/);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^pr-2\s+bob\s+dev\s+2h\s+expired 30m ago$/),
      expect.stringMatching(/^pr-1\s+alice\s+dev\s+2h\s+8h$/),
    ]);
  });

  it("prints JSON for machines", async () => {
    const h = harness({
      backend: new FakeBackend(
        new Map([["pr-1", ephemeralTags("alice", "2026-11-24T18:00:00.000Z")]]),
      ),
    });
    await list("json", h.context);
    expect(JSON.parse(h.stdout.join(""))).toEqual([
      {
        stack: "pr-1",
        owner: "alice",
        base: "dev",
        createdAt: "2026-11-24T08:00:00.000Z",
        expiresAt: "2026-11-24T18:00:00.000Z",
        age: "2h",
        timeLeft: "8h",
      },
    ]);
  });

  it("needs the CLI", async () => {
    await expect(list("table", harness({ backend: "missing" }).context)).rejects.toThrow(
      /'list' needs the Pulumi CLI/,
    );
  });
});

describe("destroy", () => {
  it("destroys and removes an ephemeral stack and its stack file", async () => {
    const h = harness({
      backend: new FakeBackend(
        new Map([["pr-1", ephemeralTags("alice", "2026-11-24T18:00:00.000Z")]]),
      ),
    });
    fs.writeFileSync(path.join(h.root, "Pulumi.pr-1.yaml"), "config: {}\n");
    expect(await destroy("pr-1", h.context)).toBe(0);
    expect(h.backend.destroyed).toEqual(["pr-1"]);
    expect(fs.existsSync(path.join(h.root, "Pulumi.pr-1.yaml"))).toBe(false);
  });

  it("refuses long-lived stacks", async () => {
    const h = harness({ backend: new FakeBackend(new Map([["dev", {}]])) });
    await expect(destroy("dev", h.context)).rejects.toThrow(/'dev' is not ephemeral/);
    expect(h.backend.destroyed).toEqual([]);
  });

  it("has nothing to do for a stack that does not exist (a PR whose create failed)", async () => {
    const h = harness({ backend: new FakeBackend(new Map([["dev", {}]])) });
    expect(await destroy("pr-9", h.context)).toBe(0);
    expect(h.progress.join("\n")).toMatch(/no stack 'pr-9' in the backend: nothing to destroy/);
    expect(h.backend.destroyed).toEqual([]);
  });
});

describe("reap", () => {
  const stacks = () =>
    new Map<string, Record<string, string>>([
      ["dev", {}],
      ["pr-1", ephemeralTags("alice", "2026-11-24T09:00:00.000Z")],
      ["pr-2", ephemeralTags("bob", "2026-11-24T11:00:00.000Z")],
      ["pr-3", ephemeralTags("carol", "2026-11-24T10:00:00.000Z")],
    ]);

  it("destroys exactly the expired stacks at the injected time", async () => {
    const h = harness({ backend: new FakeBackend(stacks()) });
    expect(await reap(false, h.context)).toBe(0);
    expect(h.backend.destroyed).toEqual(["pr-1", "pr-3"]);
    const later = harness({
      backend: new FakeBackend(stacks()),
      now: new Date("2026-11-24T12:00:00Z"),
    });
    await reap(false, later.context);
    expect(later.backend.destroyed).toEqual(["pr-1", "pr-3", "pr-2"]);
  });

  it("with --dry-run only names them", async () => {
    const h = harness({ backend: new FakeBackend(stacks()) });
    expect(await reap(true, h.context)).toBe(0);
    expect(h.backend.destroyed).toEqual([]);
    expect(h.stdout.join("")).toMatch(/pr-1\s+alice[\s\S]*pr-3\s+carol/);
    expect(h.stdout.join("")).not.toContain("pr-2");
  });

  it("goes on after a failed destroy and exits 1", async () => {
    const h = harness({ backend: new FakeBackend(stacks(), new Set(["pr-1"])) });
    expect(await reap(false, h.context)).toBe(1);
    expect(h.backend.destroyed).toEqual(["pr-3"]);
    expect(h.progress.join("\n")).toMatch(/could not destroy 'pr-1': destroy of pr-1 failed/);
  });

  it("needs the CLI to destroy; its dry run falls back to the stack files here", async () => {
    const h = harness({ backend: "missing" });
    await expect(reap(false, h.context)).rejects.toThrow(/'reap' needs the Pulumi CLI/);
    fs.writeFileSync(
      path.join(h.root, "Pulumi.pr-7.yaml"),
      `config:\n  pulumi:tags:\n${Object.entries(ephemeralTags("dan", "2026-11-24T09:00:00.000Z"))
        .map(([key, value]) => `    ${key}: "${value}"`)
        .join("\n")}\n`,
    );
    expect(await reap(true, h.context)).toBe(0);
    expect(h.progress.join("\n")).toMatch(/no Pulumi CLI: looking at the stack files here only/);
    expect(h.stdout.join("")).toMatch(/pr-7\s+dan/);
  });
});

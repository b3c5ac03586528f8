import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../tools/engine";
import { runTool } from "../support/run-tool";

/**
 * `npm run check` on programs this project did not write: foreign project names, SDK patterns
 * from Pulumi's own templates, secrets, and the command-line rules a gate needs.
 */
const FIXTURES = path.join(PROJECT_ROOT, "test/fixtures/check");
const check = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
  runTool("tools/commands/check.ts", args, { env });
const json = (stdout: string) =>
  JSON.parse(stdout) as {
    mode: string;
    violations: { policy: string; message: string }[];
    unverified: { policy: string; enforcementLevel: string }[];
    notVerifiedMandatory: string[];
    coverage: { unchecked: { resources: number; types: string[] } };
    warnings: string[];
  };

describe.concurrent("check on other programs", () => {
  it("an AKS program shaped like Pulumi's template runs in both modes: its invoke's apply is unknown at preview, resolved with --resolved", async () => {
    const args = [
      "--stack",
      "dev",
      "--program",
      path.join(FIXTURES, "aks-template"),
      "--format",
      "json",
    ];
    const [preview, resolved] = await Promise.all([check(args), check([...args, "--resolved"])]);
    for (const run of [preview, resolved]) {
      expect(run.stderr).not.toMatch(/error:/);
      expect(run.code).toBe(1);
      const policies = json(run.stdout).violations.map((violation) => violation.policy);
      expect(policies).toEqual(expect.arrayContaining(["aks-02", "aks-03", "gen-01"]));
    }
    expect(json(preview.stdout).mode).toBe("preview");
    expect(json(resolved.stdout).mode).toBe("resolved");
    // A foreign program is not asked for this platform's GitHub connector (GH-10).
    expect(json(preview.stdout).violations.map((v) => v.policy)).not.toContain("gh-10");
  });

  it("a component whose args hold resources reaches the pack as the CLI marshals it", async () => {
    const run = await check(["--stack", "dev", "--program", path.join(FIXTURES, "component-args")]);
    expect(run.stderr).not.toMatch(/Unrecognized signature|error:/);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/COVERAGE/);
  });

  it("a value the program marks secret appears in no report, and plain-text credentials are named", async () => {
    const dir = path.join(FIXTURES, "secret-input");
    const outputs = await Promise.all(
      ["table", "json", "sarif"].map((format) =>
        check(["--stack", "dev", "--program", dir, "--format", format]),
      ),
    );
    for (const run of outputs) {
      expect(run.code).toBe(1);
      expect(run.stdout).not.toMatch(/"Basic"|=Basic|is Basic/);
      expect(run.stdout + run.stderr).not.toContain("ghp_0123456789");
      expect(run.stdout + run.stderr).not.toContain("hunter2");
    }
    const warnings = json(outputs[1].stdout).warnings.join("\n");
    expect(warnings).toMatch(/config 'secret-input:deployToken' looks like a GitHub token/);
    expect(warnings).toMatch(/config 'secret-input:adminPassword' names a credential/);
    expect(warnings).toContain("pulumi config set --secret secret-input:adminPassword");
  });

  it("relative --program resolves against the directory npm was run in (INIT_CWD)", async () => {
    const run = await check(["--stack", "dev", "--program", "secret-input", "--format", "json"], {
      ...process.env,
      INIT_CWD: FIXTURES,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/running .*secret-input/);
  });
});

describe.concurrent("check refuses what it cannot do honestly, with exit 2", () => {
  it("a program whose dependencies are not installed", async () => {
    const run = await check(["--stack", "dev", "--program", path.join(FIXTURES, "missing-deps")]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /@example\/not-installed-anywhere missing from .*missing-deps\); run `npm install` in .*missing-deps/,
    );
  });

  it("a stack name that is not one", async () => {
    const run = await check(["--stack", "a/../../x"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/invalid stack name 'a\/\.\.\/\.\.\/x'/);
  });

  it("an --out that cannot be written, before anything runs", async () => {
    const run = await check(["--stack", "dev", "--out", "/nonexistent-dir/report.json"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--out \/nonexistent-dir\/report.json: cannot write there/);
    expect(run.stderr).not.toMatch(/running/);
  });

  it("a program that fails: its own message, not the engine's", async () => {
    const run = await check([
      "--stack",
      "test",
      "--program",
      path.join(PROJECT_ROOT, "test/fixtures/engine/throw-apply"),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/the label callback failed[\s\S]*throw-apply\/index.ts:6/);
    expect(run.stdout).toBe("");
  });

  it("--help names every flag, the modes and the exit codes", async () => {
    const run = await check(["--help"]);
    expect(run.code).toBe(0);
    for (const flag of [
      "--stack",
      "--program",
      "--policy-config",
      "--resolved",
      "--timeout",
      "--format",
      "--out",
    ]) {
      expect(run.stdout).toContain(flag);
    }
    expect(run.stdout).toMatch(/Exit codes:[\s\S]*0 [\s\S]*1 [\s\S]*2 /);
  });

  it("--help on preview, env and controls too, with their exit codes", async () => {
    const runs = await Promise.all(
      ["preview", "env", "controls"].map((tool) =>
        runTool(`tools/commands/${tool}.ts`, ["--help"]),
      ),
    );
    for (const run of runs) {
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^usage: npm run /);
      expect(run.stdout).toMatch(/Exit codes: 0 /);
    }
    expect(runs[0].stdout).toContain("--resolved");
    expect(runs[1].stdout).toContain("reap");
  });
});

describe.concurrent("coverage of other SDK versions, foreign projects and Helm", () => {
  const legacy = [
    "--stack",
    "prod",
    "--program",
    path.join(FIXTURES, "other-sdk-versions"),
    "--format",
    "json",
  ];
  const byResource = (stdout: string) =>
    json(stdout).violations.map(
      (v) =>
        `${(v as { enforcementLevel?: string }).enforcementLevel} ${v.policy} ${(v as { urn?: string }).urn?.split("::").pop()}`,
    );

  it("v2 names, versioned tokens and classic @pulumi/azure are checked; an Azure-only prod never fails GH-10", async () => {
    const run = await check([...legacy, "--policy-config", "policy-pack/config/prod.json"]);
    expect(run.code).toBe(1);
    const found = byResource(run.stdout);
    for (const expected of [
      "mandatory red-01 v2-cache",
      "mandatory red-02 v2-cache",
      "mandatory red-04 v2-cache",
      "mandatory aks-01 old-aks",
      "mandatory aks-02 old-aks",
      "mandatory aks-02 classic-aks",
      "mandatory aks-03 classic-aks",
    ]) {
      expect(found).toContain(expected);
    }
    // A classic cluster is checked only by the controls its inputs can show.
    expect(found).not.toContain("mandatory aks-01 classic-aks");
    expect(found.some((entry) => entry.includes("gh-10"))).toBe(false);
    expect(json(run.stdout).coverage.unchecked.resources).toBe(0);
  });

  it("a foreign project gets the pack's default levels, and config keys in its own namespace", async () => {
    const run = await check(legacy);
    expect(run.stderr).toMatch(/no policy config for 'prod': the pack's default levels apply/);
    expect(byResource(run.stdout)).toContain("advisory red-06 v2-cache");
    const messages = json(run.stdout)
      .violations.map((v) => v.message)
      .join("\n");
    expect(messages).toContain("other-sdk-versions:allowedLocations");
    expect(messages).not.toContain("aks-devsecops:");
  });

  it("a Helm chart is reported as not checked, with why", async () => {
    const run = await check([
      "--stack",
      "dev",
      "--program",
      path.join(FIXTURES, "helm-chart"),
      "--format",
      "json",
    ]);
    expect(run.code).toBe(0);
    const coverage = json(run.stdout).coverage as {
      unchecked: { types: string[] };
      notes?: string[];
    };
    expect(coverage.unchecked.types).toEqual(["kubernetes:helm.sh/v4:Chart"]);
    expect(coverage.notes?.[0]).toMatch(
      /provider-side component; the resources it renders are not checked offline/,
    );
  });
});

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../../tools/engine";
import { runTool, type ToolRun } from "../../support/run-tool";

const env = (args: string[], options?: Parameters<typeof runTool>[2]) =>
  runTool("tools/commands/env.ts", args, options);

/** An environment whose PATH has node and nothing else: no Pulumi CLI anywhere. */
function withoutPulumi(): NodeJS.ProcessEnv {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "env-home-"));
  return { ...process.env, PATH: path.dirname(process.execPath), HOME: home };
}

/** The stack file a dry run prints: after its title line, before the check report. */
const stackFileOf = (stdout: string) =>
  stdout.slice(stdout.indexOf("\n") + 1, stdout.indexOf("Policy check of"));

describe("npm run env -- create pr-42 --owner alice --ttl 8h --dry-run (the real check)", () => {
  let run: ToolRun;
  beforeAll(async () => {
    run = await env(["create", "pr-42", "--owner", "alice", "--ttl", "8h", "--dry-run"], {
      env: withoutPulumi(),
    });
  });

  it("exits 0: the generated stack passes with no mandatory violation", () => {
    expect(run.stderr).not.toMatch(/error/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^passed: 0 mandatory violations .* across \d+ resources/m);
  });

  it("prints the stack file it would write and writes none", () => {
    expect(run.stdout).toContain("Pulumi.pr-42.yaml (dry run: not written)");
    const document = parseYaml(stackFileOf(run.stdout)) as { config: Record<string, unknown> };
    expect(document.config["aks-devsecops:environment"]).toBe("pr-42");
    expect(document.config["aks-devsecops:owner"]).toBe("alice");
    expect(fs.existsSync(path.join(PROJECT_ROOT, "Pulumi.pr-42.yaml"))).toBe(false);
  });

  it("checked the stack under the ephemeral policy config", () => {
    expect(run.stdout).toMatch(
      /Policy check of aks-devsecops\/pr-42: \d+ resources, .* \(levels from policy-pack\/config\/ephemeral\.json\)/,
    );
  });

  it("written out, passes npm run check, which takes the ephemeral policy config by itself", async () => {
    const program = fs.mkdtempSync(path.join(os.tmpdir(), "env-program-"));
    fs.writeFileSync(
      path.join(program, "Pulumi.yaml"),
      `name: aks-devsecops\nruntime: nodejs\nmain: ${path.join(PROJECT_ROOT, "infra")}\n`,
    );
    fs.writeFileSync(path.join(program, "Pulumi.pr-42.yaml"), stackFileOf(run.stdout));
    // The engine loads @pulumi/pulumi from the program's directory.
    fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(program, "node_modules"));
    const check = await runTool("tools/commands/check.ts", [
      "--stack",
      "pr-42",
      "--program",
      program,
    ]);
    expect(check.stdout).toContain("(levels from policy-pack/config/ephemeral.json)");
    expect(check.code).toBe(0);
  });
});

describe("the ephemeral policy config has teeth", () => {
  it("fails dev, whose resources carry no expires-at tag, on GEN-01", async () => {
    const run = await runTool("tools/commands/check.ts", [
      "--stack",
      "dev",
      "--policy-config",
      "policy-pack/config/ephemeral.json",
      "--format",
      "json",
    ]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as {
      violations: { policy: string; enforcementLevel: string; message: string }[];
    };
    const mandatory = report.violations.filter((v) => v.enforcementLevel === "mandatory");
    expect(new Set(mandatory.map((v) => v.policy))).toEqual(new Set(["gen-01"]));
    expect(mandatory.every((v) => v.message.includes("expires-at"))).toBe(true);
  });
});

// Each case is a process that mostly waits on its own start-up: run them side by side.
describe.concurrent("without the Pulumi CLI", () => {
  it.each([
    [["create", "pr-42", "--owner", "alice"], "create"],
    [["list"], "list"],
    [["destroy", "pr-42"], "destroy"],
    [["reap"], "reap"],
  ])("%j fails at once with exit 2 and how to install it", async (args, verb) => {
    const run = await env(args, { env: withoutPulumi() });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`env: error: '${verb}' needs the Pulumi CLI`);
    expect(run.stderr).toContain("curl -fsSL https://get.pulumi.com | sh");
    expect(run.stderr).not.toContain("under mocks");
  });

  it("finds one on PATH and lists through it (a stand-in CLI with no stacks)", async () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "env-bin-"));
    const script = '#!/bin/sh\ncase "$1" in version) echo v3.270.0 ;; *) echo "[]" ;; esac\n';
    fs.writeFileSync(path.join(bin, "pulumi"), script, { mode: 0o755 });
    const run = await env(["list"], {
      env: { ...withoutPulumi(), PATH: `${bin}${path.delimiter}${path.dirname(process.execPath)}` },
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("no ephemeral stacks\n");
  });
});

describe.concurrent("bad input: exit 2 with what is allowed", () => {
  it.each([
    [[], /a verb is required/],
    [["deploy"], /--verb 'deploy' is not supported; allowed: create, list, destroy, reap/],
    [["create", "--owner", "alice"], /create needs a name first, e\.g\. pr-42/],
    [["create", "pr-42"], /create needs --owner <who>/],
    [["create", "pr-42", "--owner", "alice", "--ttl", "10d", "--dry-run"], /allowed 1h to 7d/],
    [["create", "dev", "--owner", "alice", "--dry-run"], /long-lived stack/],
    [["create", "pr-42", "--owner", "alice", "--colour"], /Unknown option '--colour'/],
    [["list", "--format", "xml"], /--format 'xml' is not supported; allowed: table, json/],
    [["destroy"], /destroy needs a name first/],
  ])("%j", async (args, message) => {
    const run = await env(args, { env: withoutPulumi() });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});

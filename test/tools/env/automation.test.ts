import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_PACK_DIR } from "../../../tools/analyzer";
import { PROJECT_ROOT } from "../../../tools/engine";
import { automationBackend, findPulumiCli } from "../../../tools/env/backend";
import { EPHEMERAL_POLICY_CONFIG, EPHEMERAL_TAGS } from "../../../tools/env/tags";

/**
 * A stand-in `pulumi` that logs each call and answers the Automation API's questions the way the
 * CLI would (JSON where it asks for JSON): the real backend code runs, no real CLI is needed.
 */
const STAND_IN = `#!/bin/sh
echo "$*" >> "$STAND_IN_LOG"
case "$1 $2 $3" in
  "version"*) echo v3.270.0 ;;
  "stack ls"*) echo '[{"name":"dev","current":false},{"name":"pr-1","current":false}]' ;;
  "stack tag ls"*)
    case "$*" in
      *pr-1*) echo '{"${EPHEMERAL_TAGS.base}":"dev","${EPHEMERAL_TAGS.owner}":"alice"}' ;;
      *) echo '{"pulumi:project":"aks-devsecops"}' ;;
    esac ;;
  "stack history"*) echo '[{"kind":"update","result":"succeeded","startTime":"2026-11-24T10:00:00Z","endTime":"2026-11-24T10:05:00Z","message":"","version":1,"environment":{},"config":{}}]' ;;
  "stack output"*) echo '{"registryLoginServer":"acrcontosopr1.azurecr.io","kubeconfigForOperators":"[secret]"}' ;;
  "up "*|"destroy "*) echo "Resources: done" ;;
  *) echo "" ;;
esac
`;

let log: string;
let workDir: string;

beforeEach(() => {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), "stand-in-cli-"));
  fs.writeFileSync(path.join(bin, "pulumi"), STAND_IN, { mode: 0o755 });
  log = path.join(bin, "calls.log");
  fs.writeFileSync(log, "");
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "automation-"));
  fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(workDir, "Pulumi.yaml"));
  process.env.STAND_IN_LOG = log;
  process.env.PATH = `${bin}${path.delimiter}${process.env.PATH}`;
});

const calls = () =>
  fs
    .readFileSync(log, "utf8")
    .trim()
    .split("\n")
    .map((line) => line.replace(/ --non-interactive$/, ""));

describe("the Automation API backend, against a stand-in CLI", () => {
  it("finds the CLI on PATH", () => {
    expect(findPulumiCli()).toBe(path.join(path.dirname(log), "pulumi"));
  });

  it("reads every stack's tags, and knows a stack that is not there", async () => {
    const backend = await automationBackend(workDir, "list");
    const tagged = await backend.stackTags();
    expect([...tagged.keys()]).toEqual(["dev", "pr-1"]);
    expect(tagged.get("pr-1")?.[EPHEMERAL_TAGS.owner]).toBe("alice");
    expect(await backend.tagsOf("pr-9")).toBeUndefined();
  });

  it("deploys: selects or creates the stack, tags it, runs up with the policy pack", async () => {
    const backend = await automationBackend(workDir, "create");
    const streamed: string[] = [];
    const tags = { [EPHEMERAL_TAGS.base]: "dev", [EPHEMERAL_TAGS.owner]: "alice" };
    const outputs = await backend.deploy({
      stack: "pr-1",
      tags,
      policyConfigFile: EPHEMERAL_POLICY_CONFIG,
      onOutput: (text) => streamed.push(text),
    });
    // The CLI masks secret outputs as "[secret]"; they never reach the PR comment.
    expect(outputs).toEqual({ registryLoginServer: "acrcontosopr1.azurecr.io" });
    const made = calls();
    // createOrSelectStack selects first (and would `stack init` when that fails).
    expect(made).toContain("stack select --stack pr-1");
    expect(made).toContain(`stack tag set ${EPHEMERAL_TAGS.owner} alice --stack pr-1`);
    const up = made.find((call) => call.startsWith("up "));
    expect(up).toContain(`--policy-pack ${DEFAULT_PACK_DIR}`);
    expect(up).toContain(`--policy-pack-config ${EPHEMERAL_POLICY_CONFIG}`);
    expect(up).toContain("--stack pr-1");
    expect(made.indexOf(up!)).toBeGreaterThan(
      made.findIndex((call) => call.startsWith("stack tag set")),
    );
    expect(streamed.join("")).toContain("Resources: done");
  });

  it("destroys, then removes the stack", async () => {
    const backend = await automationBackend(workDir, "destroy");
    await backend.destroy("pr-1", () => undefined);
    const made = calls();
    const destroyAt = made.findIndex((call) => call.startsWith("destroy --yes"));
    const removeAt = made.findIndex((call) => call.startsWith("stack rm --yes pr-1"));
    expect(made[destroyAt]).toContain("--stack pr-1");
    expect(destroyAt).toBeGreaterThan(-1);
    expect(removeAt).toBeGreaterThan(destroyAt);
  });
});

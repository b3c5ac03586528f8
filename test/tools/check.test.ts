import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Ajv from "ajv-draft-04";
import addFormats from "ajv-formats";
import sarifSchema from "@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json";
import { beforeAll, describe, expect, it } from "vitest";
import { allPolicies } from "../../policy-pack/policies";
import { runTool, type ToolRun } from "../support/run-tool";

const check = (...args: string[]) => runTool("tools/commands/check.ts", args);
const WEAKENED = ["--stack", "weak", "--program", "test/fixtures/weakened-program"];
/** The controls the weakened fixture breaks on purpose (see its index.ts). */
const WEAKENED_CONTROLS = ["acr-01", "k8s-01", "kv-02", "red-01"];

interface JsonReport {
  stack: string;
  resources: { urn: string; type: string }[];
  policies: { name: string; enforcementLevel: string; description: string }[];
  violations: { policy: string; enforcementLevel: string; urn: string; message: string }[];
  notVerifiedMandatory: string[];
}

function sarifValidator() {
  const ajv = new Ajv({ strict: false, unicodeRegExp: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(sarifSchema);
}

describe("npm run check on the project's stacks and the weakened fixture", () => {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "check-"));
  const sarifFile = path.join(outDir, "prod.sarif");
  let devTable: ToolRun;
  let prodJson: ToolRun;
  let prodSarif: ToolRun;
  let weakJson: ToolRun;
  let weakTable: ToolRun;

  beforeAll(async () => {
    // Two at a time: each run is a program process plus a pack process on a 2-core machine.
    [devTable, prodJson] = await Promise.all([
      check("--stack", "dev"),
      check("--stack", "prod", "--format", "json"),
    ]);
    [prodSarif, weakJson] = await Promise.all([
      check("--stack", "prod", "--format", "sarif", "--out", sarifFile),
      check(...WEAKENED, "--format", "json"),
    ]);
    weakTable = await check(...WEAKENED);
  }, 240_000);

  it("dev: a readable report grouped by control, a summary line, exit 0", () => {
    expect(devTable.stderr).toMatch(/started in \d+ ms/);
    expect(devTable.code).toBe(0);
    expect(devTable.stdout).toMatch(/^Policy check of aks-devsecops\/dev: \d+ resources/m);
    expect(devTable.stdout).toMatch(/levels from policy-pack\/config\/dev\.json/);
    expect(devTable.stdout).toMatch(/^passed: 0 mandatory violations/m);
    expect(devTable.stdout).not.toMatch(/^MANDATORY/m);
    // What preview cannot see on dev: the app's Redis URL, built from the cache's host name.
    expect(devTable.stdout).toMatch(/; 1 mandatory control not verified at preview \(k8s-06\);/);
  });

  it("prod: JSON with only the document on stdout, every policy, no mandatory violation", () => {
    expect(prodJson.code).toBe(0);
    const report = JSON.parse(prodJson.stdout) as JsonReport;
    expect(Object.keys(report)).toEqual([
      "stack",
      "project",
      "mode",
      "resources",
      "policies",
      "violations",
      "unverified",
      "notVerifiedMandatory",
      "coverage",
      "warnings",
    ]);
    expect(report.stack).toBe("prod");
    expect(report.policies).toHaveLength(allPolicies.length);
    expect(Object.keys(report.policies[0]).sort()).toEqual([
      "description",
      "enforcementLevel",
      "name",
    ]);
    expect(report.violations.filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
    // Preview sees every mandatory setting but the app's image (the registry's login server) and
    // its Redis URL (the cache's host name): both are computed by Azure (infra/azure/shared.ts).
    expect(report.notVerifiedMandatory).toEqual(["k8s-05", "k8s-06"]);
    // P controls are mandatory on prod.
    expect(report.policies.find((p) => p.name === "acr-03")?.enforcementLevel).toBe("mandatory");
    expect(prodJson.stderr).toMatch(/passed: 0 mandatory violations/);
  });

  it("prod: SARIF 2.1.0 that validates against the schema, written to --out", () => {
    expect(prodSarif.code).toBe(0);
    expect(prodSarif.stdout).toBe("");
    const sarif = JSON.parse(fs.readFileSync(sarifFile, "utf8"));
    const validate = sarifValidator();
    expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);
    const [run] = sarif.runs;
    expect(run.tool.driver.rules).toHaveLength(allPolicies.length);
    expect(run.tool.driver.rules[0].help.text).toMatch(/seed step/);
  });

  it("the weakened fixture fails with exactly the controls it breaks, exit 1", () => {
    expect(weakJson.code).toBe(1);
    const report = JSON.parse(weakJson.stdout) as JsonReport;
    const mandatory = report.violations.filter((v) => v.enforcementLevel === "mandatory");
    expect([...new Set(mandatory.map((v) => v.policy))].sort()).toEqual(WEAKENED_CONTROLS);
    const acr01 = mandatory.find((v) => v.policy === "acr-01");
    expect(acr01?.urn).toMatch(/::azure-native:containerregistry:Registry::weak-acr$/);
    expect(acr01?.message).toMatch(/adminUserEnabled/);
  });

  it("the weakened fixture's table names each failing control and resource", () => {
    expect(weakTable.code).toBe(1);
    expect(weakTable.stdout).toMatch(/^MANDATORY \(these fail the check\)$/m);
    expect(weakTable.stdout).toMatch(/^ {2}ACR-01 \(seed step 6,15\): .*\n {4}✗ weak-acr: /m);
    expect(weakTable.stdout).toMatch(
      new RegExp(
        `^FAILED: \\d+ mandatory violations \\(${WEAKENED_CONTROLS.length} controls\\)`,
        "m",
      ),
    );
  });

  it("the weakened fixture as SARIF: errors for mandatory violations, located in its stack file", async () => {
    const run = await check(...WEAKENED, "--format", "sarif");
    expect(run.code).toBe(1);
    const sarif = JSON.parse(run.stdout);
    expect(sarifValidator()(sarif)).toBe(true);
    const errors = sarif.runs[0].results.filter((r: { level: string }) => r.level === "error");
    expect(new Set(errors.map((r: { ruleId: string }) => r.ruleId))).toEqual(
      new Set(WEAKENED_CONTROLS),
    );
    expect(errors[0].locations[0].physicalLocation.artifactLocation.uri).toBe(
      "test/fixtures/weakened-program/Pulumi.weak.yaml",
    );
  });
});

describe("npm run check: bad input exits 2 with a message that says what is wrong", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "check-config-"));
  const configFile = (name: string, text: string) => {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, text);
    return file;
  };

  it("a missing stack", async () => {
    const run = await check("--stack", "nope");
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown stack 'nope'.*\(stacks here: dev, prod\)/);
  });

  it("no --stack, or an unknown format", async () => {
    const [noStack, badFormat] = await Promise.all([
      check(),
      check("--stack", "dev", "--format", "xml"),
    ]);
    expect(noStack.code).toBe(2);
    expect(noStack.stderr).toMatch(/--stack is required/);
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toMatch(
      /--format 'xml' is not supported; allowed: table, json, sarif/,
    );
  });

  it("a broken program", async () => {
    const run = await check("--stack", "broken", "--program", "test/fixtures/bad-config");
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/check: error: the Pulumi program .* failed/);
  });

  it("a policy config that is not JSON", async () => {
    const run = await check("--stack", "dev", "--policy-config", configFile("bad.json", "{ nope"));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/policy config .*bad\.json is not valid JSON/);
  });

  it("a policy config with an unknown policy, a bad level and a bad threshold", async () => {
    const file = configFile(
      "wrong.json",
      JSON.stringify({
        "acr-99": "mandatory",
        "acr-01": "strict",
        "kv-02": { enforcementLevel: "mandatory", minSoftDeleteRetentionDays: "ninety" },
      }),
    );
    const run = await check("--stack", "dev", "--policy-config", file);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/has 3 problems/);
    expect(run.stderr).toMatch(/acr-99: no such policy in the pack/);
    expect(run.stderr).toMatch(
      /acr-01: enforcement level "strict" is not one of advisory, mandatory/,
    );
    expect(run.stderr).toMatch(/kv-02\.minSoftDeleteRetentionDays: must be integer/);
  });
});

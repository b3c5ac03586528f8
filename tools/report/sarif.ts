import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { CheckReport, Violation } from "./check-report";
import { resourceNameOf } from "./check-report";

/**
 * SARIF 2.1.0 for GitHub code scanning: one rule per policy (with help text), one result per
 * violation. A violation has no source line of its own: results point at the stack's config file
 * (what an operator edits) and name the resource URN as a logical location; a fingerprint of policy
 * and URN keeps alerts stable across runs.
 */

const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

function sarifLevel(violation: Violation): "error" | "warning" {
  return violation.enforcementLevel === "mandatory" ? "error" : "warning";
}

/** The control ID and seed step from a policy description like "ACR-01 (seed step 6,15): ...". */
function ruleTitle(description: string): { id: string; rule: string } {
  const match = /^([A-Z0-9]+-\d+) \(([^)]*)\): (.*)$/s.exec(description);
  return match ? { id: match[1], rule: match[3] } : { id: "", rule: description };
}

function rule(policy: CheckReport["policies"][number], report: CheckReport) {
  const { id, rule: text } = ruleTitle(policy.description);
  const level = policy.enforcementLevel === "mandatory" ? "error" : "warning";
  const help =
    `${policy.description}\n\nLevel on stack '${report.stack}': ${policy.enforcementLevel}. ` +
    `Change the stack (its config in ${report.stackConfigFile} or the program) so that the rule holds; ` +
    `run \`npm run check -- --stack ${report.stack}\` to see every violation.`;
  return {
    id: policy.name,
    name: id ? id.replace("-", "") : policy.name,
    shortDescription: { text: id ? `${id}: ${text}` : text },
    fullDescription: { text: policy.description },
    help: { text: help, markdown: help },
    defaultConfiguration: { level, enabled: policy.enforcementLevel !== "disabled" },
    properties: {
      tags: ["security", "pulumi-policy"],
      "security-severity": policy.enforcementLevel === "mandatory" ? "8.0" : "4.0",
    },
  };
}

/**
 * The root of the repository that holds `dir` (the nearest folder with `.git`), else `dir`: code
 * scanning places a result by its path from the root of the repository it was uploaded to.
 */
export function repositoryRoot(dir: string): string {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    if (fs.existsSync(path.join(current, ".git"))) return current;
    if (path.dirname(current) === current) return path.resolve(dir);
  }
}

function fingerprint(violation: { policy: string; urn: string }): string {
  return createHash("sha256").update(`${violation.policy}|${violation.urn}`).digest("hex");
}

export function renderSarif(report: CheckReport, baseDir: string): string {
  const ruleIndex = new Map(report.policies.map((policy, index) => [policy.name, index]));
  const configUri = path.relative(baseDir, report.stackConfigFile).split(path.sep).join("/");
  const result = (
    entry: { policy: string; urn: string },
    level: "error" | "warning" | "note",
    text: string,
  ) => ({
    ruleId: entry.policy,
    ruleIndex: ruleIndex.get(entry.policy) ?? -1,
    level,
    message: { text: `${resourceNameOf(entry.urn)}: ${text}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: configUri, uriBaseId: "%SRCROOT%" },
          region: { startLine: 1 },
        },
        logicalLocations: [
          {
            name: resourceNameOf(entry.urn),
            fullyQualifiedName: entry.urn || `${report.project}/${report.stack}`,
            kind: "resource",
          },
        ],
      },
    ],
    partialFingerprints: { "pulumiPolicyViolation/v1": fingerprint(entry) },
  });
  const sarif = {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: report.pack.name,
            version: report.pack.version,
            semanticVersion: report.pack.version.replace(/^v/, ""),
            informationUri: "https://www.pulumi.com/docs/iac/using-pulumi/crossguard/",
            rules: report.policies.map((policy) => rule(policy, report)),
          },
        },
        automationDetails: { id: `policy-check/${report.project}/${report.stack}/` },
        results: [
          ...report.violations.map((violation) =>
            result(violation, sarifLevel(violation), violation.message),
          ),
          // Not a pass: the control could not decide at preview. A mandatory one says so.
          ...report.unverified.map((entry) =>
            result(
              entry,
              entry.enforcementLevel === "mandatory" ? "warning" : "note",
              `${entry.enforcementLevel === "mandatory" ? "mandatory control NOT VERIFIED at preview" : "not checked at preview"}: ${entry.reason}`,
            ),
          ),
        ],
        properties: { mode: report.mode, coverage: report.coverage, warnings: report.warnings },
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + "\n";
}

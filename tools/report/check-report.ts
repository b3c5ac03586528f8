import type { Diagnostic, EnforcementLevel, PolicyInfo, PolicySettings } from "../analyzer";
import type { EngineMode, RecordedStack } from "../engine";
import { secretRedactor } from "../secrets";
import { renderCoverage, type Coverage } from "./coverage";
import { resourceViews, type ResourceView } from "./resources";

/** What one policy check found: the document behind the table, JSON and SARIF reports. */
export interface CheckReport {
  stack: string;
  project: string;
  /** `preview`: computed outputs unknown, as `pulumi preview` of a new stack; `resolved`: mock values. */
  mode: EngineMode;
  pack: { name: string; version: string };
  /** The policy config file the levels came from, if any. */
  policyConfigFile?: string;
  stackConfigFile: string;
  resources: ResourceView[];
  policies: { name: string; enforcementLevel: EnforcementLevel; description: string }[];
  violations: Violation[];
  /** Policies that could not decide on a resource because a value it read is unknown at preview. */
  unverified: Unverified[];
  coverage: Coverage;
  /** Things the user should fix that are not policy results (plain-text credentials, ...). */
  warnings: string[];
}

export interface Violation {
  policy: string;
  enforcementLevel: EnforcementLevel;
  urn: string;
  message: string;
}

/** A policy that did not run on a resource at preview: neither a pass nor a violation. */
export interface Unverified {
  policy: string;
  /** The level the policy has on this stack (the diagnostic itself is always advisory). */
  enforcementLevel: EnforcementLevel;
  urn: string;
  /** What was unknown, e.g. "string value at .properties.sku.name can't be known during preview". */
  reason: string;
}

const UNKNOWN_PREFIX = /^can't run policy '[^']+' from policy pack '[^']+' during preview: /;

/** Whether a diagnostic is @pulumi/policy's "can't run policy ... during preview" answer. */
export function isUnknownAtPreview(diagnostic: Diagnostic): boolean {
  return UNKNOWN_PREFIX.test(diagnostic.message);
}

export function violationOf(diagnostic: Diagnostic): Violation {
  return {
    policy: diagnostic.policy,
    enforcementLevel: diagnostic.enforcementLevel,
    urn: diagnostic.urn,
    message: diagnostic.message,
  };
}

function byPolicyThenUrn(order: Map<string, number>) {
  return (a: { policy: string; urn: string }, b: { policy: string; urn: string }) =>
    (order.get(a.policy) ?? 0) - (order.get(b.policy) ?? 0) || a.urn.localeCompare(b.urn);
}

export function buildReport(args: {
  recorded: RecordedStack;
  pack: { name: string; version: string; policies: PolicyInfo[] };
  settings: Record<string, PolicySettings>;
  diagnostics: Diagnostic[];
  coverage: Coverage;
  warnings?: string[];
  policyConfigFile?: string;
  stackConfigFile: string;
}): CheckReport {
  const order = new Map(args.pack.policies.map((policy, index) => [policy.name, index]));
  const levelOf = (policy: string) =>
    args.settings[policy]?.enforcementLevel ??
    args.pack.policies.find((info) => info.name === policy)?.enforcementLevel ??
    "advisory";
  const hide = secretRedactor(args.recorded.resources.map((resource) => resource.inputs));
  const violations = args.diagnostics
    .filter((diagnostic) => !isUnknownAtPreview(diagnostic))
    .map((diagnostic) => ({ ...violationOf(diagnostic), message: hide(diagnostic.message) }))
    .sort(byPolicyThenUrn(order));
  const unverified = args.diagnostics
    .filter(isUnknownAtPreview)
    .map((diagnostic) => ({
      policy: diagnostic.policy,
      enforcementLevel: levelOf(diagnostic.policy),
      urn: diagnostic.urn,
      reason: hide(diagnostic.message.replace(UNKNOWN_PREFIX, "")),
    }))
    .sort(byPolicyThenUrn(order));
  return {
    stack: args.recorded.stack,
    project: args.recorded.project,
    mode: args.recorded.mode,
    pack: { name: args.pack.name, version: args.pack.version },
    policyConfigFile: args.policyConfigFile,
    stackConfigFile: args.stackConfigFile,
    resources: resourceViews(args.recorded.resources),
    policies: args.pack.policies.map((policy) => ({
      name: policy.name,
      enforcementLevel: levelOf(policy.name),
      description: policy.description,
    })),
    violations,
    unverified,
    coverage: args.coverage,
    warnings: args.warnings ?? [],
  };
}

export function mandatoryViolations(report: CheckReport): Violation[] {
  return report.violations.filter((violation) => violation.enforcementLevel === "mandatory");
}

/** Mandatory controls that did not run on some resource because a value is known only at apply. */
export function notVerifiedMandatory(report: CheckReport): string[] {
  const policies = report.unverified
    .filter((entry) => entry.enforcementLevel === "mandatory")
    .map((entry) => entry.policy);
  return [...new Set(policies)];
}

/** The `--format json` document: exactly the keys CI tooling reads. */
export function renderJson(report: CheckReport): string {
  const document = {
    stack: report.stack,
    project: report.project,
    mode: report.mode,
    resources: report.resources,
    policies: report.policies,
    violations: report.violations,
    unverified: report.unverified,
    notVerifiedMandatory: notVerifiedMandatory(report),
    coverage: report.coverage,
    warnings: report.warnings,
  };
  return JSON.stringify(document, null, 2) + "\n";
}

/** The logical name at the end of a URN (`...::type::name`); stack policies may name none. */
export function resourceNameOf(urn: string): string {
  if (!urn) return "(stack)";
  const parts = urn.split("::");
  return parts[parts.length - 1];
}

function policyGroups<T extends { policy: string }>(
  report: CheckReport,
  entries: T[],
): [string, T[]][] {
  return report.policies
    .map((policy): [string, T[]] => [
      policy.description,
      entries.filter((entry) => entry.policy === policy.name),
    ])
    .filter(([, found]) => found.length > 0);
}

const MODE_NOTE: Record<EngineMode, string> = {
  preview:
    "preview semantics: values providers compute are unknown, as in `pulumi preview` of a new stack",
  resolved: "--resolved: computed values are mock values, as a stand-in for what `pulumi up` sends",
};

/** Violations grouped by control, mandatory first; what was not verified; coverage; a summary. */
export function renderTable(report: CheckReport): string {
  const lines: string[] = [];
  const levelsFrom = report.policyConfigFile ?? "the pack's defaults";
  lines.push(
    `Policy check of ${report.project}/${report.stack}: ${report.resources.length} resources, ` +
      `${report.pack.name}@${report.pack.version} with ${report.policies.length} policies (levels from ${levelsFrom})`,
    `Mode: ${MODE_NOTE[report.mode]}`,
    "",
  );
  for (const warning of report.warnings) lines.push(`WARNING: ${warning}`);
  if (report.warnings.length > 0) lines.push("");
  for (const level of ["mandatory", "advisory"] as const) {
    const atLevel = report.violations.filter((violation) => violation.enforcementLevel === level);
    if (atLevel.length === 0) continue;
    lines.push(level === "mandatory" ? "MANDATORY (these fail the check)" : "ADVISORY");
    const marker = level === "mandatory" ? "✗" : "!";
    for (const [description, found] of policyGroups(report, atLevel)) {
      lines.push(`  ${description}`);
      for (const violation of found) {
        lines.push(`    ${marker} ${resourceNameOf(violation.urn)}: ${violation.message}`);
      }
    }
    lines.push("");
  }
  if (report.unverified.length > 0) {
    lines.push(
      "UNKNOWN AT PREVIEW (not checked, not passed: the value is known only at apply, where `pulumi up --policy-pack` checks it)",
    );
    for (const [description, found] of policyGroups(report, report.unverified)) {
      const mandatory = found[0].enforcementLevel === "mandatory";
      lines.push(`  ${description}${mandatory ? "  [mandatory: NOT VERIFIED AT PREVIEW]" : ""}`);
      for (const entry of found) lines.push(`    ? ${resourceNameOf(entry.urn)}: ${entry.reason}`);
    }
    lines.push("");
  }
  lines.push(...renderCoverage(report.coverage), "");
  lines.push(summaryLine(report), "");
  return lines.join("\n");
}

export function summaryLine(report: CheckReport): string {
  const mandatory = mandatoryViolations(report);
  const advisory = report.violations.length - mandatory.length;
  const controls = (violations: Violation[]) => new Set(violations.map((v) => v.policy)).size;
  const verdict = mandatory.length > 0 ? "FAILED" : "passed";
  const unverified = notVerifiedMandatory(report);
  return (
    `${verdict}: ${mandatory.length} mandatory violation${mandatory.length === 1 ? "" : "s"} ` +
    `(${controls(mandatory)} controls), ${advisory} advisory ` +
    `(${controls(report.violations.filter((v) => v.enforcementLevel !== "mandatory"))} controls) ` +
    `across ${report.resources.length} resources and ${report.policies.length} policies` +
    (unverified.length > 0
      ? `; ${unverified.length} mandatory control${unverified.length === 1 ? "" : "s"} not verified at preview (${unverified.join(", ")})`
      : "") +
    `; ${report.coverage.unchecked.resources} resource${report.coverage.unchecked.resources === 1 ? "" : "s"} not checked by any control`
  );
}

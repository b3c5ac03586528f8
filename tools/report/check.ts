import type { Diagnostic, EnforcementLevel, PolicyInfo, PolicySettings } from "../analyzer";
import type { RecordedStack } from "../engine";
import { resourceViews, type ResourceView } from "./resources";

/** What one policy check found: the document behind the table, JSON and SARIF reports. */
export interface CheckReport {
  stack: string;
  project: string;
  pack: { name: string; version: string };
  /** The policy config file the levels came from, if any. */
  policyConfigFile?: string;
  stackConfigFile: string;
  resources: ResourceView[];
  policies: { name: string; enforcementLevel: EnforcementLevel; description: string }[];
  violations: Violation[];
}

export interface Violation {
  policy: string;
  enforcementLevel: EnforcementLevel;
  urn: string;
  message: string;
}

const UNKNOWN_PREFIX = /^can't run policy '[^']+' from policy pack '[^']+' during preview: /;

/**
 * A policy that read a value unknown at preview could not decide: @pulumi/policy reports it as an
 * advisory "can't run policy" diagnostic. Say so plainly; it never counts as a pass.
 */
export function violationOf(diagnostic: Diagnostic): Violation {
  const unknown = UNKNOWN_PREFIX.test(diagnostic.message);
  return {
    policy: diagnostic.policy,
    enforcementLevel: diagnostic.enforcementLevel,
    urn: diagnostic.urn,
    message: unknown
      ? `unknown at preview: ${diagnostic.message.replace(UNKNOWN_PREFIX, "")} (not checked, not passed)`
      : diagnostic.message,
  };
}

export function buildReport(args: {
  recorded: RecordedStack;
  pack: { name: string; version: string; policies: PolicyInfo[] };
  settings: Record<string, PolicySettings>;
  diagnostics: Diagnostic[];
  policyConfigFile?: string;
  stackConfigFile: string;
}): CheckReport {
  const order = new Map(args.pack.policies.map((policy, index) => [policy.name, index]));
  const violations = args.diagnostics
    .map(violationOf)
    .sort(
      (a, b) =>
        (order.get(a.policy) ?? 0) - (order.get(b.policy) ?? 0) || a.urn.localeCompare(b.urn),
    );
  return {
    stack: args.recorded.stack,
    project: args.recorded.project,
    pack: { name: args.pack.name, version: args.pack.version },
    policyConfigFile: args.policyConfigFile,
    stackConfigFile: args.stackConfigFile,
    resources: resourceViews(args.recorded.resources),
    policies: args.pack.policies.map((policy) => ({
      name: policy.name,
      enforcementLevel: args.settings[policy.name]?.enforcementLevel ?? policy.enforcementLevel,
      description: policy.description,
    })),
    violations,
  };
}

export function mandatoryViolations(report: CheckReport): Violation[] {
  return report.violations.filter((violation) => violation.enforcementLevel === "mandatory");
}

/** The `--format json` document: exactly the keys CI tooling reads. */
export function renderJson(report: CheckReport): string {
  const document = {
    stack: report.stack,
    resources: report.resources,
    policies: report.policies,
    violations: report.violations,
  };
  return JSON.stringify(document, null, 2) + "\n";
}

/** The logical name at the end of a URN (`...::type::name`); stack policies may name none. */
export function resourceNameOf(urn: string): string {
  if (!urn) return "(stack)";
  const parts = urn.split("::");
  return parts[parts.length - 1];
}

/** Violations grouped by control, mandatory first, then a one-line summary. */
export function renderTable(report: CheckReport): string {
  const lines: string[] = [];
  const levelsFrom = report.policyConfigFile ?? "the pack's defaults";
  lines.push(
    `Policy check of ${report.project}/${report.stack}: ${report.resources.length} resources, ` +
      `${report.pack.name}@${report.pack.version} with ${report.policies.length} policies (levels from ${levelsFrom})`,
    "",
  );
  for (const level of ["mandatory", "advisory"] as const) {
    const atLevel = report.violations.filter((violation) => violation.enforcementLevel === level);
    if (atLevel.length === 0) continue;
    lines.push(level === "mandatory" ? "MANDATORY (these fail the check)" : "ADVISORY");
    for (const policy of report.policies) {
      const found = atLevel.filter((violation) => violation.policy === policy.name);
      if (found.length === 0) continue;
      lines.push(`  ${policy.description}`);
      const marker = level === "mandatory" ? "✗" : "!";
      for (const violation of found) {
        lines.push(`    ${marker} ${resourceNameOf(violation.urn)}: ${violation.message}`);
      }
    }
    lines.push("");
  }
  lines.push(summaryLine(report), "");
  return lines.join("\n");
}

export function summaryLine(report: CheckReport): string {
  const mandatory = mandatoryViolations(report);
  const advisory = report.violations.length - mandatory.length;
  const controls = (violations: Violation[]) => new Set(violations.map((v) => v.policy)).size;
  const verdict = mandatory.length > 0 ? "FAILED" : "passed";
  return (
    `${verdict}: ${mandatory.length} mandatory violation${mandatory.length === 1 ? "" : "s"} ` +
    `(${controls(mandatory)} controls), ${advisory} advisory ` +
    `(${controls(report.violations.filter((v) => v.enforcementLevel !== "mandatory"))} controls) ` +
    `across ${report.resources.length} resources and ${report.policies.length} policies`
  );
}

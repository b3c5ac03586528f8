import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import { DIAGNOSTIC_SETTING, LOG_ANALYTICS_WORKSPACE } from "../../facts/tokens";
import { urnsOfType } from "./readers";
import { referencedThrough, referrers } from "./relations";

/** Log routing: diagnostic settings, Log Analytics, the log categories a control wants. */

/** The diagnostic settings of the stack on `target` (their resourceUri is the target's id). */
export function diagnosticSettingsFor(
  resources: PolicyResource[],
  target: PolicyResource,
): PolicyResource[] {
  return referrers(resources, target, DIAGNOSTIC_SETTING, ["resourceUri"]);
}

interface DiagnosticLogProps {
  category?: string;
  categoryGroup?: string;
  enabled?: boolean;
}

interface DiagnosticSettingProps {
  workspaceId?: string;
  logs?: DiagnosticLogProps[];
}

/**
 * Whether a diagnostic setting sends to a Log Analytics workspace: its workspaceId comes from a
 * workspace of the stack (the id is an output, unknown at preview), or is a literal id.
 */
export function sendsToLogAnalytics(setting: PolicyResource, resources: PolicyResource[]): boolean {
  const workspaces = urnsOfType(resources, LOG_ANALYTICS_WORKSPACE);
  if (referencedThrough(setting, ["workspaceId"]).some((urn) => workspaces.has(urn))) return true;
  const workspaceId = (setting.props as DiagnosticSettingProps).workspaceId;
  return typeof workspaceId === "string" && workspaceId.trim() !== "";
}

/**
 * Category groups that contain every audit log category of the services the catalog names
 * (Key Vault AuditEvent; AKS kube-audit, kube-audit-admin and guard).
 */
export const AUDIT_CATEGORY_GROUPS = ["allLogs", "audit"];

/**
 * The categories of `wanted` that none of `settings` sends (enabled, by category or by one of
 * `coveringGroups`). Categories and groups compare case-insensitively, as Azure does.
 */
export function missingLogCategories(
  settings: PolicyResource[],
  wanted: string[],
  coveringGroups: string[] = [],
): string[] {
  const sent = new Set<string>();
  for (const setting of settings) {
    for (const log of (setting.props as DiagnosticSettingProps).logs ?? []) {
      if (log.enabled !== true) continue;
      if (typeof log.category === "string") sent.add(log.category.toLowerCase());
      if (typeof log.categoryGroup === "string")
        sent.add(`group:${log.categoryGroup.toLowerCase()}`);
    }
  }
  if (coveringGroups.some((group) => sent.has(`group:${group.toLowerCase()}`))) return [];
  return wanted.filter((category) => !sent.has(category.toLowerCase()));
}

/**
 * Reports, on `target`, the log categories that no diagnostic setting sends from it to Log
 * Analytics (AKS-10, KV-05): no setting at all, settings without a workspace, or missing categories.
 */
export function reportMissingLogs(
  target: PolicyResource,
  resources: PolicyResource[],
  logs: { kind: string; categories: string[]; coveringGroups?: string[] },
  reportViolation: ReportViolation,
): void {
  const settings = diagnosticSettingsFor(resources, target);
  const toWorkspace = settings.filter((setting) => sendsToLogAnalytics(setting, resources));
  const missing = missingLogCategories(toWorkspace, logs.categories, logs.coveringGroups);
  if (missing.length === 0) return;
  const entries = missing.map((category) => `{ category: "${category}", enabled: true }`);
  const fix = `logs: [${entries.join(", ")}]`;
  const names = (found: PolicyResource[]) => found.map((setting) => `'${setting.name}'`).join(", ");
  let problem: string;
  if (settings.length === 0) {
    problem = `has no diagnostic setting; add a monitor:DiagnosticSetting with resourceUri: the ${logs.kind}'s id, workspaceId: the Log Analytics workspace's id and ${fix}`;
  } else if (toWorkspace.length === 0) {
    problem = `has diagnostic setting(s) ${names(settings)} but none sends to Log Analytics; set workspaceId to the workspace's id, with ${fix}`;
  } else {
    problem = `does not send ${missing.join(", ")} to Log Analytics; add ${fix} to diagnostic setting ${names(toWorkspace)}`;
  }
  reportViolation(`${logs.kind} '${target.name}' ${problem}`, target.urn);
}

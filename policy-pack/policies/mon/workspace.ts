import type { PolicyResource } from "@pulumi/policy";
import { LOG_ANALYTICS_WORKSPACE as WORKSPACE } from "../../facts/tokens";
import { resourcePolicy } from "../shared/control";
import { referencesResource } from "../shared/relations";

const DEFAULT_MIN_RETENTION_DAYS = 30;

interface WorkspaceProps {
  retentionInDays?: number;
  workspaceName?: string;
}

export interface WorkspaceReferenceProps {
  workspaceName?: string;
}

/**
 * Whether `from` names the workspace: through the engine's dependency records (the workspace name
 * is an output), or by the same literal name when the program wrote the name out.
 */
export function onWorkspace(from: PolicyResource, workspace: PolicyResource): boolean {
  if (referencesResource(from, workspace)) return true;
  const named = (from.props as WorkspaceReferenceProps).workspaceName;
  const workspaceName = (workspace.props as WorkspaceProps).workspaceName;
  return (
    typeof named === "string" &&
    typeof workspaceName === "string" &&
    named.toLowerCase() === workspaceName.toLowerCase()
  );
}

export const mon01 = resourcePolicy(
  {
    id: "MON-01",
    seed: "18",
    level: "M",
    rule: "Workspace retentionInDays ≥ 30 (prod config: ≥ 90)",
  },
  {
    configSchema: {
      properties: {
        minRetentionDays: {
          type: "integer",
          minimum: DEFAULT_MIN_RETENTION_DAYS,
          maximum: 730,
          default: DEFAULT_MIN_RETENTION_DAYS,
        },
      },
    },
    resourceType: WORKSPACE,
    validateResource: (args, reportViolation) => {
      const minimum =
        args.getConfig<{ minRetentionDays?: number }>().minRetentionDays ??
        DEFAULT_MIN_RETENTION_DAYS;
      const retention = (args.props as WorkspaceProps).retentionInDays;
      if (typeof retention !== "number") {
        reportViolation(
          `workspace '${args.name}' does not set retentionInDays; set retentionInDays: ${minimum} or more`,
        );
      } else if (retention < minimum) {
        reportViolation(
          `workspace '${args.name}' has retentionInDays=${retention}; set retentionInDays: ${minimum} or more`,
        );
      }
    },
  },
);

import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import {
  diagnosticSettingsFor,
  LOG_ANALYTICS_WORKSPACE as WORKSPACE,
  ofType,
  referencesResource,
  resourcePolicy,
  sendsToLogAnalytics,
  stackPolicy,
  type ControlPolicy,
} from "./control";

const SENTINEL_ONBOARDING = "azure-native:securityinsights:SentinelOnboardingState";
/** Sentinel analytics rule kinds of azure-native v3 (scheduled KQL, Fusion, incident creation). */
const ANALYTICS_RULES = [
  "azure-native:securityinsights:ScheduledAlertRule",
  "azure-native:securityinsights:FusionAlertRule",
  "azure-native:securityinsights:MicrosoftSecurityIncidentCreationAlertRule",
];
/** The resources whose logs MON-04 wants in the workspace, with the word messages use. */
const MONITORED_TYPES: Record<string, string> = {
  "azure-native:containerregistry:Registry": "registry",
  "azure-native:keyvault:Vault": "vault",
  "azure-native:redis:Redis": "cache",
  // Azure Managed Redis logs per database (Microsoft.Cache/redisEnterprise/databases).
  "azure-native:redisenterprise:Database": "Redis database",
};

const DEFAULT_MIN_RETENTION_DAYS = 30;
const DEFAULT_MIN_ANALYTICS_RULES = 3;

interface WorkspaceProps {
  retentionInDays?: number;
  workspaceName?: string;
}

interface WorkspaceReferenceProps {
  workspaceName?: string;
}

interface AnalyticsRuleProps extends WorkspaceReferenceProps {
  enabled?: boolean;
}

/**
 * Whether `from` names the workspace: through the engine's dependency records (the workspace name
 * is an output), or by the same literal name when the program wrote the name out.
 */
function onWorkspace(from: PolicyResource, workspace: PolicyResource): boolean {
  if (referencesResource(from, workspace)) return true;
  const named = (from.props as WorkspaceReferenceProps).workspaceName;
  const workspaceName = (workspace.props as WorkspaceProps).workspaceName;
  return (
    typeof named === "string" &&
    typeof workspaceName === "string" &&
    named.toLowerCase() === workspaceName.toLowerCase()
  );
}

const mon01 = resourcePolicy(
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

const mon02 = stackPolicy(
  {
    id: "MON-02",
    seed: "19",
    level: "M",
    rule: "Stack: a securityinsights:SentinelOnboardingState on each Log Analytics workspace",
  },
  {
    validateStack: (args, reportViolation) => {
      const onboardings = ofType(args.resources, SENTINEL_ONBOARDING);
      for (const workspace of ofType(args.resources, WORKSPACE)) {
        if (onboardings.some((onboarding) => onWorkspace(onboarding, workspace))) continue;
        reportViolation(
          `workspace '${workspace.name}' has no Microsoft Sentinel onboarding; add a securityinsights:SentinelOnboardingState with workspaceName set to this workspace's name`,
          workspace.urn,
        );
      }
    },
  },
);

function isEnabledRuleOn(rule: PolicyResource, workspace: PolicyResource): boolean {
  return (rule.props as AnalyticsRuleProps).enabled === true && onWorkspace(rule, workspace);
}

const mon03 = stackPolicy(
  {
    id: "MON-03",
    seed: "19",
    level: "A",
    rule: "Stack: at least 3 enabled Sentinel analytics rules on the workspace (e.g. privileged pod, exec into pod, Key Vault secret sweep)",
  },
  {
    configSchema: {
      properties: {
        minAnalyticsRules: {
          type: "integer",
          minimum: DEFAULT_MIN_ANALYTICS_RULES,
          default: DEFAULT_MIN_ANALYTICS_RULES,
        },
      },
    },
    validateStack: (args, reportViolation) => {
      const minimum =
        args.getConfig<{ minAnalyticsRules?: number }>().minAnalyticsRules ??
        DEFAULT_MIN_ANALYTICS_RULES;
      const rules = args.resources.filter((resource) => ANALYTICS_RULES.includes(resource.type));
      for (const workspace of ofType(args.resources, WORKSPACE)) {
        const count = rules.filter((rule) => isEnabledRuleOn(rule, workspace)).length;
        if (count >= minimum) continue;
        reportViolation(
          `workspace '${workspace.name}' has ${count} enabled Sentinel analytics rule(s), fewer than ${minimum}; add securityinsights:ScheduledAlertRule resources (enabled: true) on it, e.g. for privileged pods, exec into pods and Key Vault secret sweeps`,
          workspace.urn,
        );
      }
    },
  },
);

function reportUnmonitored(
  target: PolicyResource,
  settings: PolicyResource[],
  reportViolation: ReportViolation,
): void {
  const kind = MONITORED_TYPES[target.type];
  const fix = `add a monitor:DiagnosticSetting with resourceUri set to the ${kind}'s id and workspaceId set to the Log Analytics workspace's id`;
  if (settings.length === 0) {
    reportViolation(`${kind} '${target.name}' has no diagnostic setting; ${fix}`, target.urn);
  } else {
    const names = settings.map((setting) => `'${setting.name}'`).join(", ");
    reportViolation(
      `${kind} '${target.name}' has diagnostic setting(s) ${names} without a workspaceId; ${fix}`,
      target.urn,
    );
  }
}

const mon04 = stackPolicy(
  {
    id: "MON-04",
    seed: "17,18",
    level: "M",
    rule: "Stack: every registry, vault and Redis cache has a monitor:DiagnosticSetting to the Log Analytics workspace",
  },
  {
    validateStack: (args, reportViolation) => {
      const targets = args.resources.filter((resource) =>
        Object.hasOwn(MONITORED_TYPES, resource.type),
      );
      for (const target of targets) {
        const onTarget = diagnosticSettingsFor(args.resources, target);
        if (onTarget.some((setting) => sendsToLogAnalytics(setting, args.resources))) continue;
        reportUnmonitored(target, onTarget, reportViolation);
      }
    },
  },
);

export const monitoringPolicies: ControlPolicy[] = [mon01, mon02, mon03, mon04];

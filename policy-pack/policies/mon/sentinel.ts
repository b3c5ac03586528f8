import type { PolicyResource } from "@pulumi/policy";
import {
  FUSION_ALERT_RULE,
  INCIDENT_CREATION_ALERT_RULE,
  SCHEDULED_ALERT_RULE,
  SENTINEL_ONBOARDING,
  LOG_ANALYTICS_WORKSPACE as WORKSPACE,
} from "../../facts/tokens";
import { stackPolicy } from "../shared/control";
import { ofType } from "../shared/readers";
import { onWorkspace, type WorkspaceReferenceProps } from "./workspace";

/** Sentinel analytics rule kinds of azure-native v3 (scheduled KQL, Fusion, incident creation). */
const ANALYTICS_RULES = [SCHEDULED_ALERT_RULE, FUSION_ALERT_RULE, INCIDENT_CREATION_ALERT_RULE];

const DEFAULT_MIN_ANALYTICS_RULES = 3;

interface AnalyticsRuleProps extends WorkspaceReferenceProps {
  enabled?: boolean;
}

export const mon02 = stackPolicy(
  {
    id: "MON-02",
    seed: "19",
    level: "M",
    rule: "Stack: a securityinsights:SentinelOnboardingState on each Log Analytics workspace",
  },
  {
    resourceTypes: [WORKSPACE, SENTINEL_ONBOARDING],
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

export const mon03 = stackPolicy(
  {
    id: "MON-03",
    seed: "19",
    level: "A",
    rule: "Stack: at least 3 enabled Sentinel analytics rules on the workspace (e.g. privileged pod, exec into pod, Key Vault secret sweep)",
  },
  {
    resourceTypes: [WORKSPACE, ...ANALYTICS_RULES],
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

import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import {
  DIAGNOSTIC_SETTING,
  REDIS,
  REDIS_ENTERPRISE_DATABASE,
  REGISTRY,
  VAULT,
  LOG_ANALYTICS_WORKSPACE as WORKSPACE,
} from "../../facts/tokens";
import { stackPolicy } from "../shared/control";
import { diagnosticSettingsFor, sendsToLogAnalytics } from "../shared/logs";

/** The resources whose logs MON-04 wants in the workspace, with the word messages use. */
const MONITORED_TYPES: Record<string, string> = {
  [REGISTRY]: "registry",
  [VAULT]: "vault",
  [REDIS]: "cache",
  // Azure Managed Redis logs per database (Microsoft.Cache/redisEnterprise/databases).
  [REDIS_ENTERPRISE_DATABASE]: "Redis database",
};

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

export const mon04 = stackPolicy(
  {
    id: "MON-04",
    seed: "17,18",
    level: "M",
    rule: "Stack: every registry, vault and Redis cache has a monitor:DiagnosticSetting to the Log Analytics workspace",
  },
  {
    resourceTypes: [...Object.keys(MONITORED_TYPES), DIAGNOSTIC_SETTING, WORKSPACE],
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

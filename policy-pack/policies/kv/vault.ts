import { VAULT } from "../../facts/tokens";
import { resourcePolicy } from "../shared/control";
import { reportProblems, shown } from "../shared/readers";

/** Azure's lower bound for soft-delete retention; prod config raises the threshold to 90. */
const DEFAULT_MIN_SOFT_DELETE_RETENTION_DAYS = 7;

const MAX_SOFT_DELETE_RETENTION_DAYS = 90;

interface VaultProperties {
  enableRbacAuthorization?: boolean;
  accessPolicies?: unknown[];
  enablePurgeProtection?: boolean;
  enableSoftDelete?: boolean;
  softDeleteRetentionInDays?: number;
  publicNetworkAccess?: string;
  networkAcls?: { defaultAction?: string };
}

export function vaultProperties(props: Record<string, unknown>): VaultProperties {
  return (props.properties ?? {}) as VaultProperties;
}

export const kv01 = resourcePolicy(
  {
    id: "KV-01",
    seed: "14",
    level: "M",
    rule: "properties.enableRbacAuthorization true (no access policies)",
  },
  {
    resourceType: VAULT,
    validateResource: (args, reportViolation) => {
      const properties = vaultProperties(args.props);
      const problems: string[] = [];
      if (properties.enableRbacAuthorization !== true) {
        problems.push(
          `properties.enableRbacAuthorization is ${shown(properties.enableRbacAuthorization)}, set it to true and grant access with role assignments (e.g. Key Vault Secrets User)`,
        );
      }
      const accessPolicies = properties.accessPolicies ?? [];
      if (accessPolicies.length > 0) {
        problems.push(
          `properties.accessPolicies has ${accessPolicies.length} entr${accessPolicies.length === 1 ? "y" : "ies"}, remove them (Azure RBAC ignores access policies, and they hide who really has access)`,
        );
      }
      reportProblems(reportViolation, `vault '${args.name}'`, problems);
    },
  },
);

export const kv02 = resourcePolicy(
  {
    id: "KV-02",
    seed: "14",
    level: "M",
    rule: "properties.enablePurgeProtection true and softDeleteRetentionInDays ≥ 7 (prod config: 90)",
  },
  {
    configSchema: {
      properties: {
        minSoftDeleteRetentionDays: {
          type: "integer",
          minimum: DEFAULT_MIN_SOFT_DELETE_RETENTION_DAYS,
          maximum: MAX_SOFT_DELETE_RETENTION_DAYS,
          default: DEFAULT_MIN_SOFT_DELETE_RETENTION_DAYS,
        },
      },
    },
    resourceType: VAULT,
    validateResource: (args, reportViolation) => {
      const minimum =
        args.getConfig<{ minSoftDeleteRetentionDays?: number }>().minSoftDeleteRetentionDays ??
        DEFAULT_MIN_SOFT_DELETE_RETENTION_DAYS;
      const properties = vaultProperties(args.props);
      const problems: string[] = [];
      if (properties.enablePurgeProtection !== true) {
        problems.push(
          `properties.enablePurgeProtection is ${shown(properties.enablePurgeProtection)}, set it to true so deleted secrets cannot be purged before retention ends`,
        );
      }
      if (properties.enableSoftDelete === false) {
        problems.push(`properties.enableSoftDelete is false, set it to true`);
      }
      const retention = properties.softDeleteRetentionInDays;
      if (typeof retention !== "number" || retention < minimum) {
        problems.push(
          `properties.softDeleteRetentionInDays is ${shown(retention)}, set it to ${minimum} or more (at most ${MAX_SOFT_DELETE_RETENTION_DAYS})`,
        );
      }
      reportProblems(reportViolation, `vault '${args.name}'`, problems);
    },
  },
);

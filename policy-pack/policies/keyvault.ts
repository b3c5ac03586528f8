import type { PolicyResource } from "@pulumi/policy";
import {
  AUDIT_CATEGORY_GROUPS,
  equalsIgnoringCase,
  ofType,
  reportMissingLogs,
  reportNotPrivate,
  reportProblems,
  requireDefenderPlan,
  resourcePolicy,
  shown,
  stackPolicy,
  type ControlPolicy,
} from "./control";
import {
  DEFENDER_PRICING,
  DIAGNOSTIC_SETTING,
  KEY_VAULT_SECRET,
  LOG_ANALYTICS_WORKSPACE,
  PRIVATE_ENDPOINT,
  VAULT,
} from "../facts/tokens";

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

function vaultProperties(props: Record<string, unknown>): VaultProperties {
  return (props.properties ?? {}) as VaultProperties;
}

const kv01 = resourcePolicy(
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

const kv02 = resourcePolicy(
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

/** What keeps a vault reachable from outside its network: its firewall or public network access. */
function vaultAccessProblems(vault: PolicyResource): string[] {
  const properties = vaultProperties(vault.props);
  const problems: string[] = [];
  const defaultAction = properties.networkAcls?.defaultAction;
  if (!equalsIgnoringCase(defaultAction, "Deny")) {
    problems.push(
      `properties.networkAcls.defaultAction is ${shown(defaultAction)}, set networkAcls: { defaultAction: "Deny", bypass: "AzureServices" }`,
    );
  }
  if (!equalsIgnoringCase(properties.publicNetworkAccess, "Disabled")) {
    problems.push(
      `properties.publicNetworkAccess is ${shown(properties.publicNetworkAccess)}, set it to "Disabled"`,
    );
  }
  return problems;
}

const kv03 = stackPolicy(
  {
    id: "KV-03",
    seed: "14",
    level: "P",
    rule: "Stack: vault properties.networkAcls.defaultAction Deny and publicNetworkAccess Disabled, with a private endpoint",
  },
  {
    resourceTypes: [VAULT, PRIVATE_ENDPOINT],
    validateStack: (args, reportViolation) =>
      reportNotPrivate(
        args.resources,
        { type: VAULT, kind: "vault", groupId: "vault" },
        vaultAccessProblems,
        reportViolation,
      ),
  },
);

const kv04 = stackPolicy(
  {
    id: "KV-04",
    seed: "13",
    level: "M",
    rule: "Stack: a vault requires security:Pricing KeyVaults at tier Standard",
  },
  {
    resourceTypes: [VAULT, DEFENDER_PRICING],
    validateStack: (args, reportViolation) =>
      requireDefenderPlan(
        args.resources,
        {
          planName: "KeyVaults",
          product: "Microsoft Defender for Key Vault",
          protectedTypes: { [VAULT]: "vault" },
        },
        reportViolation,
      ),
  },
);

const kv05 = stackPolicy(
  {
    id: "KV-05",
    seed: "18",
    level: "M",
    rule: "Stack: a monitor:DiagnosticSetting on each vault sends AuditEvent to Log Analytics",
  },
  {
    resourceTypes: [VAULT, DIAGNOSTIC_SETTING, LOG_ANALYTICS_WORKSPACE],
    validateStack: (args, reportViolation) => {
      for (const vault of ofType(args.resources, VAULT)) {
        reportMissingLogs(
          vault,
          args.resources,
          { kind: "vault", categories: ["AuditEvent"], coveringGroups: AUDIT_CATEGORY_GROUPS },
          reportViolation,
        );
      }
    },
  },
);

interface SecretProps {
  secretName?: string;
  properties?: { attributes?: { expires?: unknown } };
}

const kv06 = resourcePolicy(
  {
    id: "KV-06",
    seed: "14",
    level: "A",
    rule: "keyvault:Secret resources the stack writes carry an expiry (properties.attributes.expires)",
  },
  {
    resourceType: KEY_VAULT_SECRET,
    validateResource: (args, reportViolation) => {
      const expires = (args.props as SecretProps).properties?.attributes?.expires;
      if (typeof expires === "number" && Number.isFinite(expires) && expires > 0) return;
      reportViolation(
        `Key Vault secret '${args.name}' has properties.attributes.expires=${shown(expires)}; set it to the expiry in seconds since 1970-01-01 UTC (e.g. the key's next rotation), so a leaked or forgotten value stops working`,
      );
    },
  },
);

export const keyvaultPolicies: ControlPolicy[] = [kv01, kv02, kv03, kv04, kv05, kv06];

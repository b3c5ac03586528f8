import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import {
  AUDIT_CATEGORY_GROUPS,
  diagnosticSettingsFor,
  missingLogCategories,
  ofType,
  referencesResource,
  reportProblems,
  resourcePolicy,
  sendsToLogAnalytics,
  stackPolicy,
  type ControlPolicy,
} from "./control";
import {
  DIAGNOSTIC_SETTING,
  FUSION_ALERT_RULE,
  INCIDENT_CREATION_ALERT_RULE,
  LOG_ANALYTICS_WORKSPACE as WORKSPACE,
  MANAGED_CLUSTER,
  REDIS,
  REDIS_ENTERPRISE_DATABASE,
  REGISTRY,
  SCHEDULED_ALERT_RULE,
  SENTINEL_ONBOARDING,
  VAULT,
} from "../facts/tokens";

/** Sentinel analytics rule kinds of azure-native v3 (scheduled KQL, Fusion, incident creation). */
const ANALYTICS_RULES = [SCHEDULED_ALERT_RULE, FUSION_ALERT_RULE, INCIDENT_CREATION_ALERT_RULE];
/** The resources whose logs MON-04 wants in the workspace, with the word messages use. */
const MONITORED_TYPES: Record<string, string> = {
  [REGISTRY]: "registry",
  [VAULT]: "vault",
  [REDIS]: "cache",
  // Azure Managed Redis logs per database (Microsoft.Cache/redisEnterprise/databases).
  [REDIS_ENTERPRISE_DATABASE]: "Redis database",
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

const mon03 = stackPolicy(
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

// ---------------------------------------------------------------------------------------------
// MON-05: analytics rules read tables the stack feeds

/**
 * Resource-specific tables and the diagnostic category (of which resource type) that fills each
 * in `Dedicated` mode. Sources: https://learn.microsoft.com/azure/aks/monitor-aks-reference
 * (AKSAudit: kube-audit, AKSAuditAdmin: kube-audit-admin, AKSControlPlane: the other control-plane
 * categories), https://learn.microsoft.com/azure/key-vault/general/monitor-key-vault-reference
 * (AZKVAuditLogs: AuditEvent), https://learn.microsoft.com/azure/container-registry/monitor-container-registry-reference.
 */
const DEDICATED_TABLES: Record<
  string,
  { resourceType: string; kind: string; categories: string[] }
> = {
  aksaudit: { resourceType: MANAGED_CLUSTER, kind: "cluster", categories: ["kube-audit"] },
  aksauditadmin: {
    resourceType: MANAGED_CLUSTER,
    kind: "cluster",
    categories: ["kube-audit-admin"],
  },
  akscontrolplane: {
    resourceType: MANAGED_CLUSTER,
    kind: "cluster",
    categories: [
      "kube-apiserver",
      "kube-controller-manager",
      "kube-scheduler",
      "cluster-autoscaler",
      "cloud-controller-manager",
      "guard",
      "csi-azuredisk-controller",
      "csi-azurefile-controller",
      "csi-snapshot-controller",
    ],
  },
  azkvauditlogs: { resourceType: VAULT, kind: "vault", categories: ["AuditEvent"] },
  containerregistryrepositoryevents: {
    resourceType: REGISTRY,
    kind: "registry",
    categories: ["ContainerRegistryRepositoryEvents"],
  },
  containerregistryloginevents: {
    resourceType: REGISTRY,
    kind: "registry",
    categories: ["ContainerRegistryLoginEvents"],
  },
};

/**
 * The tables a KQL query reads: the source of each tabular statement (the query's first word,
 * the body of a `let x = Table | ...`) and the operands of `union` and `join`/`lookup`. Enough for
 * the rules a stack writes; a query built from functions or strings is reported as unknown.
 */
export function queryTables(query: string): string[] {
  const withoutComments = query.replace(/\/\/[^\n]*/g, "");
  const tables = new Set<string>();
  const identifier = "([A-Za-z_][A-Za-z0-9_]*)";
  for (const statement of withoutComments.split(";")) {
    const body = statement.trim().replace(new RegExp(`^let\\s+${identifier}\\s*=\\s*`), "");
    const source = new RegExp(`^\\(?\\s*${identifier}\\s*(\\||$)`).exec(body);
    if (source && !/^(let|datatable|print|range|union|dynamic)$/i.test(source[1])) {
      tables.add(source[1]);
    }
    const operands = new RegExp(
      `\\b(?:union|join|lookup)\\b(?:\\s+(?:kind|withsource|isfuzzy)\\s*=\\s*\\S+)*\\s*\\(?\\s*${identifier}`,
      "g",
    );
    for (const match of body.matchAll(operands)) tables.add(match[1]);
  }
  return [...tables];
}

interface DiagnosticDestinationProps {
  logAnalyticsDestinationType?: string;
}

function isDedicated(setting: PolicyResource): boolean {
  const destination = (setting.props as DiagnosticDestinationProps).logAnalyticsDestinationType;
  return typeof destination === "string" && destination.toLowerCase() === "dedicated";
}

/** Why `table` is not fed in Dedicated mode by the stack; undefined when it is. */
function tableProblem(table: string, resources: PolicyResource[]): string | undefined {
  if (table.toLowerCase() === "azurediagnostics") {
    return `it reads AzureDiagnostics, whose columns (identity_claim_oid_g, id_s, ...) exist only after data has arrived, so Sentinel rejects the rule in a new workspace; send the logs with logAnalyticsDestinationType: "Dedicated" and query the resource-specific table (e.g. AZKVAuditLogs for Key Vault)`;
  }
  const source = DEDICATED_TABLES[table.toLowerCase()];
  if (!source) {
    return `it reads ${table}, which no diagnostic setting of the stack feeds (tables MON-05 knows: ${Object.keys(DEDICATED_TABLES).join(", ")})`;
  }
  const targets = ofType(resources, source.resourceType);
  const feeding = targets.flatMap((target) =>
    diagnosticSettingsFor(resources, target).filter(
      (setting) =>
        sendsToLogAnalytics(setting, resources) &&
        missingLogCategories([setting], source.categories, AUDIT_CATEGORY_GROUPS).length <
          source.categories.length,
    ),
  );
  const category = source.categories[0];
  if (feeding.length === 0) {
    return `it reads ${table}, but no diagnostic setting of a ${source.kind} in the stack sends ${category} to Log Analytics; add { category: "${category}", enabled: true } with logAnalyticsDestinationType: "Dedicated"`;
  }
  if (!feeding.some(isDedicated)) {
    const names = feeding.map((setting) => `'${setting.name}'`).join(", ");
    return `it reads ${table}, but diagnostic setting(s) ${names} send ${category} to AzureDiagnostics; set logAnalyticsDestinationType: "Dedicated"`;
  }
  return undefined;
}

const mon05 = stackPolicy(
  {
    id: "MON-05",
    seed: "19",
    level: "M",
    rule: "Stack: every scheduled analytics rule queries only tables that a diagnostic setting of the stack feeds in resource-specific (Dedicated) mode; no rule depends on AzureDiagnostics columns that appear only after data arrives",
  },
  {
    resourceTypes: [SCHEDULED_ALERT_RULE, DIAGNOSTIC_SETTING],
    validateStack: (args, reportViolation) => {
      for (const rule of ofType(args.resources, SCHEDULED_ALERT_RULE)) {
        const query = (rule.props as { query?: unknown }).query;
        const tables = typeof query === "string" ? queryTables(query) : [];
        const problems =
          tables.length === 0
            ? ["its query names no table MON-05 can read; start the query with the table it reads"]
            : tables
                .map((table) => tableProblem(table, args.resources))
                .filter((problem): problem is string => problem !== undefined);
        reportProblems(
          reportViolation,
          `analytics rule '${rule.name}' cannot be created or finds nothing`,
          problems,
          rule.urn,
        );
      }
    },
  },
);

export const monitoringPolicies: ControlPolicy[] = [mon01, mon02, mon03, mon04, mon05];

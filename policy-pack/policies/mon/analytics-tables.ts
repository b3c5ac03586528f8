import type { PolicyResource } from "@pulumi/policy";
import {
  DIAGNOSTIC_SETTING,
  MANAGED_CLUSTER,
  REGISTRY,
  SCHEDULED_ALERT_RULE,
  VAULT,
} from "../../facts/tokens";
import { stackPolicy } from "../shared/control";
import {
  AUDIT_CATEGORY_GROUPS,
  diagnosticSettingsFor,
  missingLogCategories,
  sendsToLogAnalytics,
} from "../shared/logs";
import { ofType, reportProblems } from "../shared/readers";
import { LOG_CATEGORIES } from "../../facts/azure";

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
  aksaudit: {
    resourceType: MANAGED_CLUSTER,
    kind: "cluster",
    categories: [LOG_CATEGORIES.cluster.audit],
  },
  aksauditadmin: {
    resourceType: MANAGED_CLUSTER,
    kind: "cluster",
    categories: [LOG_CATEGORIES.cluster.auditAdmin],
  },
  akscontrolplane: {
    resourceType: MANAGED_CLUSTER,
    kind: "cluster",
    categories: [
      LOG_CATEGORIES.cluster.apiServer,
      "kube-controller-manager",
      "kube-scheduler",
      LOG_CATEGORIES.cluster.autoscaler,
      "cloud-controller-manager",
      LOG_CATEGORIES.cluster.guard,
      "csi-azuredisk-controller",
      "csi-azurefile-controller",
      "csi-snapshot-controller",
    ],
  },
  azkvauditlogs: { resourceType: VAULT, kind: "vault", categories: [LOG_CATEGORIES.vault.audit] },
  containerregistryrepositoryevents: {
    resourceType: REGISTRY,
    kind: "registry",
    categories: [LOG_CATEGORIES.registry.repositoryEvents],
  },
  containerregistryloginevents: {
    resourceType: REGISTRY,
    kind: "registry",
    categories: [LOG_CATEGORIES.registry.loginEvents],
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

export const mon05 = stackPolicy(
  {
    id: "MON-05",
    seed: "19",
    level: "M",
    rule: "Stack: every scheduled analytics rule queries only tables that a diagnostic setting of the stack feeds in resource-specific (Dedicated) mode; no rule depends on AzureDiagnostics columns that appear only after data arrives",
  },
  {
    resourceTypes: [SCHEDULED_ALERT_RULE, DIAGNOSTIC_SETTING],
    validateStack: (args, reportViolation) => {
      // A table's problem depends on the stack only: found once, however many rules read it.
      const problemByTable = new Map<string, string | undefined>();
      const problemOf = (table: string) => {
        if (!problemByTable.has(table))
          problemByTable.set(table, tableProblem(table, args.resources));
        return problemByTable.get(table);
      };
      for (const rule of ofType(args.resources, SCHEDULED_ALERT_RULE)) {
        const query = (rule.props as { query?: unknown }).query;
        const tables = typeof query === "string" ? queryTables(query) : [];
        const problems =
          tables.length === 0
            ? ["its query names no table MON-05 can read; start the query with the table it reads"]
            : tables.map(problemOf).filter((problem): problem is string => problem !== undefined);
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

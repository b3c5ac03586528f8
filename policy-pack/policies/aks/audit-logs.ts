import { DIAGNOSTIC_SETTING, LOG_ANALYTICS_WORKSPACE, MANAGED_CLUSTER } from "../../facts/tokens";
import { stackPolicy } from "../shared/control";
import { AUDIT_CATEGORY_GROUPS, reportMissingLogs } from "../shared/logs";
import { ofType } from "../shared/readers";
import { LOG_CATEGORIES } from "../../facts/azure";

const CLUSTER_AUDIT_LOGS = [LOG_CATEGORIES.cluster.auditAdmin, LOG_CATEGORIES.cluster.guard];

export const aks10 = stackPolicy(
  {
    id: "AKS-10",
    seed: "17,18",
    level: "M",
    rule: "Stack: a monitor:DiagnosticSetting on the cluster sends kube-audit-admin and guard to Log Analytics",
  },
  {
    resourceTypes: [MANAGED_CLUSTER, DIAGNOSTIC_SETTING, LOG_ANALYTICS_WORKSPACE],
    validateStack: (args, reportViolation) => {
      for (const cluster of ofType(args.resources, MANAGED_CLUSTER)) {
        reportMissingLogs(
          cluster,
          args.resources,
          {
            kind: "cluster",
            categories: CLUSTER_AUDIT_LOGS,
            coveringGroups: AUDIT_CATEGORY_GROUPS,
          },
          reportViolation,
        );
      }
    },
  },
);

import { DIAGNOSTIC_SETTING, LOG_ANALYTICS_WORKSPACE, VAULT } from "../../facts/tokens";
import { stackPolicy } from "../shared/control";
import { AUDIT_CATEGORY_GROUPS, reportMissingLogs } from "../shared/logs";
import { ofType } from "../shared/readers";
import { LOG_CATEGORIES } from "../../facts/azure";

export const kv05 = stackPolicy(
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
          {
            kind: "vault",
            categories: [LOG_CATEGORIES.vault.audit],
            coveringGroups: AUDIT_CATEGORY_GROUPS,
          },
          reportViolation,
        );
      }
    },
  },
);

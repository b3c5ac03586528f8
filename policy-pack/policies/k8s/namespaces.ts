import { POD_SECURITY_LABELS, POD_SECURITY_REASON_LABEL } from "../../facts/kubernetes";
import { NAMESPACE } from "../../facts/tokens";
import { resourcePolicy } from "../shared/control";
import type { Metadata } from "./workloads";

// ---------------------------------------------------------------------------------------------
// K8S-02: pod security admission level of each namespace

const ENFORCE_LABEL = POD_SECURITY_LABELS.enforce;

const REASON_LABEL = POD_SECURITY_REASON_LABEL;

export const k8s02 = resourcePolicy(
  {
    id: "K8S-02",
    seed: "15",
    level: "M",
    rule: "Namespaces carry pod-security.kubernetes.io/enforce: restricted (or baseline with a reason label)",
  },
  {
    resourceType: NAMESPACE,
    validateResource: (args, reportViolation) => {
      const labels = (args.props as { metadata?: Metadata }).metadata?.labels ?? {};
      const level = labels[ENFORCE_LABEL];
      if (level === "restricted") return;
      const reason = labels[REASON_LABEL];
      if (level === "baseline" && typeof reason === "string" && reason.trim() !== "") return;
      const fix = `set metadata.labels["${ENFORCE_LABEL}"]: "restricted" (or "baseline" with a "${REASON_LABEL}" label saying why)`;
      if (level === "baseline") {
        reportViolation(
          `namespace '${args.name}' enforces baseline pod security without a "${REASON_LABEL}" label; ${fix}`,
        );
      } else {
        reportViolation(
          `namespace '${args.name}' has ${ENFORCE_LABEL}=${level ?? "unset"}; ${fix}`,
        );
      }
    },
  },
);

import { resourcePolicy } from "../shared/control";
import { forEachContainer, isWorkloadType } from "./workloads";

// ---------------------------------------------------------------------------------------------
// K8S-07: probes

export const k8s07 = resourcePolicy(
  {
    id: "K8S-07",
    seed: "—",
    level: "A",
    rule: "Containers declare liveness and readiness probes",
  },
  {
    resourceTypes: isWorkloadType,
    validateResource: forEachContainer(
      ["containers"],
      (workload, { container, label, path }, reportViolation) => {
        const missing = (["livenessProbe", "readinessProbe"] as const).filter(
          (probe) => container[probe] === undefined || container[probe] === null,
        );
        if (missing.length === 0) return;
        reportViolation(
          `${workload.label} ${label} declares no ${missing.join(" or ")}; set ${missing.map((probe) => `${path}.${probe}`).join(" and ")} (e.g. httpGet on a health endpoint)`,
        );
      },
    ),
  },
);

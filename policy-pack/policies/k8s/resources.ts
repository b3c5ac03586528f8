import { resourcePolicy } from "../shared/control";
import { forEachContainer, isWorkloadType } from "./workloads";

// ---------------------------------------------------------------------------------------------
// K8S-04: requests and limits

const RESOURCE_NEEDS = [
  ["requests", "cpu"],
  ["requests", "memory"],
  ["limits", "cpu"],
  ["limits", "memory"],
] as const;

function isDeclared(value: unknown): boolean {
  return (typeof value === "string" && value.trim() !== "") || typeof value === "number";
}

export const k8s04 = resourcePolicy(
  {
    id: "K8S-04",
    seed: "15",
    level: "M",
    rule: "Containers declare CPU and memory requests and limits",
  },
  {
    resourceTypes: isWorkloadType,
    // Ephemeral containers cannot have resources; init containers can and are scheduled with them.
    validateResource: forEachContainer(
      ["containers", "initContainers"],
      (workload, { container, label, path }, reportViolation) => {
        const missing = RESOURCE_NEEDS.filter(
          ([kind, resource]) => !isDeclared(container.resources?.[kind]?.[resource]),
        ).map(([kind, resource]) => `${kind}.${resource}`);
        if (missing.length === 0) return;
        reportViolation(
          `${workload.label} ${label} declares no ${missing.join(", ")}; set ${path}.resources.requests and .limits for cpu and memory`,
        );
      },
    ),
  },
);

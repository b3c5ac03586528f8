import { resourcePolicy } from "../shared/control";
import {
  isWorkloadType,
  type Metadata,
  POD_SPEC_PATHS,
  workloadKind,
  workloadOf,
} from "./workloads";

// ---------------------------------------------------------------------------------------------
// K8S-08: no Kubernetes API token unless the pod calls the API

/** The annotation on a pod (template) that says why it calls the Kubernetes API. */
export const KUBERNETES_API_REASON = "platform/kubernetes-api-reason";

/** The pod (template) metadata of a workload: the sibling of its pod spec. */
function podMetadataOf(type: string, props: Record<string, unknown>): Metadata | undefined {
  const kind = workloadKind(type);
  if (kind === undefined) return undefined;
  let node: unknown = props;
  for (const key of POD_SPEC_PATHS[kind].slice(0, -1)) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  if (typeof node !== "object" || node === null) return undefined;
  return (node as { metadata?: Metadata }).metadata;
}

/**
 * Workload identity does not need the automounted token: the azure-workload-identity webhook
 * adds its own projected service account token volume (audience api://AzureADTokenExchange) to
 * every pod it mutates, whatever automountServiceAccountToken says
 * (Azure/azure-workload-identity, pkg/webhook/webhook.go: addProjectedVolume and
 * addProjectedVolumeMount), and the Key Vault CSI driver gets its token through the CSIDriver's
 * tokenRequests, not the pod's automounted one.
 */
export const k8s08 = resourcePolicy(
  {
    id: "K8S-08",
    seed: "14",
    level: "M",
    rule: "Pods set automountServiceAccountToken: false unless they call the Kubernetes API (workload identity projects its own token)",
  },
  {
    resourceTypes: isWorkloadType,
    validateResource: (args, reportViolation) => {
      const workload = workloadOf(args.type, args.name, args.props);
      if (!workload) return;
      if (workload.podSpec.automountServiceAccountToken === false) return;
      const annotations = podMetadataOf(args.type, args.props)?.annotations ?? {};
      const reason = annotations[KUBERNETES_API_REASON];
      if (typeof reason === "string" && reason.trim() !== "") return;
      reportViolation(
        `${workload.label} has automountServiceAccountToken ${workload.podSpec.automountServiceAccountToken === undefined ? "unset (Kubernetes mounts the token)" : "true"}; set ${workload.podPath}.automountServiceAccountToken: false (workload identity projects its own token), or, if the pod calls the Kubernetes API, say why in the pod annotation "${KUBERNETES_API_REASON}"`,
      );
    },
  },
);

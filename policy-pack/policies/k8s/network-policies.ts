import type { PolicyResource } from "@pulumi/policy";
import { NAMESPACE, NETWORK_POLICY } from "../../facts/tokens";
import { stackPolicy } from "../shared/control";
import { ofType } from "../shared/readers";
import { referrers } from "../shared/relations";
import type { Metadata } from "./workloads";

interface NetworkPolicySpec {
  podSelector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
  policyTypes?: string[];
  ingress?: unknown[];
  egress?: unknown[];
}

// ---------------------------------------------------------------------------------------------
// K8S-01: default-deny network policy per namespace

function isEmptySelector(selector: NetworkPolicySpec["podSelector"]): boolean {
  if (typeof selector !== "object" || selector === null) return false;
  const labels = Object.keys(selector.matchLabels ?? {});
  return labels.length === 0 && (selector.matchExpressions ?? []).length === 0;
}

/** podSelector {} with Ingress and Egress and no rule: nothing in, nothing out. */
function isDefaultDenyAll(policy: PolicyResource): boolean {
  const spec = (policy.props as { spec?: NetworkPolicySpec }).spec;
  if (!spec || !isEmptySelector(spec.podSelector)) return false;
  const types = spec.policyTypes ?? [];
  return (
    types.includes("Ingress") &&
    types.includes("Egress") &&
    (spec.ingress ?? []).length === 0 &&
    (spec.egress ?? []).length === 0
  );
}

function inNamespaceByName(policy: PolicyResource, namespace: PolicyResource): boolean {
  const policyNamespace = (policy.props as { metadata?: Metadata }).metadata?.namespace;
  const namespaceName = (namespace.props as { metadata?: Metadata }).metadata?.name;
  return typeof namespaceName === "string" && policyNamespace === namespaceName;
}

export const k8s01 = stackPolicy(
  {
    id: "K8S-01",
    seed: "16",
    level: "M",
    rule: "Stack: every Namespace the stack creates has a default-deny NetworkPolicy (ingress and egress)",
  },
  {
    resourceTypes: [NAMESPACE, NETWORK_POLICY],
    validateStack: (args, reportViolation) => {
      const policies = ofType(args.resources, NETWORK_POLICY);
      for (const namespace of ofType(args.resources, NAMESPACE)) {
        // The namespace's name is often an output: a policy taking it is in the namespace.
        const linked = referrers(args.resources, namespace, NETWORK_POLICY);
        if (linked.some(isDefaultDenyAll)) continue;
        const named = policies.filter(
          (policy) => !linked.includes(policy) && inNamespaceByName(policy, namespace),
        );
        if (named.some(isDefaultDenyAll)) continue;
        reportViolation(
          `namespace '${namespace.name}' has no default-deny NetworkPolicy; add a networking.k8s.io/v1 NetworkPolicy in it with spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } and no ingress or egress rules`,
          namespace.urn,
        );
      }
    },
  },
);

import { INGRESS, SERVICE } from "../../facts/tokens";
import { resourcePolicy } from "../shared/control";
import { reportProblems } from "../shared/readers";
import type { Metadata } from "./workloads";

// ---------------------------------------------------------------------------------------------
// K8S-10: TLS for every Ingress host

interface IngressSpec {
  rules?: { host?: string }[];
  tls?: { hosts?: string[]; secretName?: string }[];
}

export const k8s10 = resourcePolicy(
  {
    id: "K8S-10",
    seed: "15",
    level: "M",
    rule: "Every `Ingress` has TLS for each of its hosts",
  },
  {
    resourceType: INGRESS,
    validateResource: (args, reportViolation) => {
      const spec = (args.props.spec ?? {}) as IngressSpec;
      const name = (args.props.metadata as Metadata | undefined)?.name ?? args.name;
      const covered = new Set(
        (spec.tls ?? []).filter((entry) => entry.secretName).flatMap((entry) => entry.hosts ?? []),
      );
      const rules = spec.rules ?? [];
      const problems = rules.flatMap((rule, index) => {
        if (!rule.host) {
          return [
            `spec.rules[${index}] has no host, so it answers any name without a certificate; set spec.rules[${index}].host`,
          ];
        }
        return covered.has(rule.host)
          ? []
          : [
              `host '${rule.host}' (spec.rules[${index}]) has no TLS; add it to spec.tls[].hosts with a spec.tls[].secretName (or the Key Vault certificate annotation of application routing)`,
            ];
      });
      if (rules.length === 0)
        problems.push("has no rules with a host; declare spec.rules[].host and TLS for it");
      reportProblems(reportViolation, `Ingress '${name}'`, problems);
    },
  },
);

// ---------------------------------------------------------------------------------------------
// K8S-11: load balancers stay internal

/**
 * The annotation of the Azure cloud provider that gives a LoadBalancer Service a private frontend
 * (https://learn.microsoft.com/azure/aks/internal-lb; cloud-provider-azure's
 * ServiceAnnotationLoadBalancerInternal).
 */
export const INTERNAL_LB_ANNOTATION = "service.beta.kubernetes.io/azure-load-balancer-internal";

export const k8s11 = resourcePolicy(
  {
    id: "K8S-11",
    seed: "15",
    level: "P",
    rule: "No `Service` of type `LoadBalancer` without the internal load-balancer annotation",
  },
  {
    resourceType: SERVICE,
    validateResource: (args, reportViolation) => {
      const spec = (args.props.spec ?? {}) as { type?: string };
      if (spec.type !== "LoadBalancer") return;
      const metadata = (args.props.metadata ?? {}) as Metadata & {
        annotations?: Record<string, string>;
      };
      const value = metadata.annotations?.[INTERNAL_LB_ANNOTATION];
      if (value === "true") return;
      reportViolation(
        `Service '${metadata.name ?? args.name}' is a LoadBalancer with a public frontend (${INTERNAL_LB_ANNOTATION} is ${value === undefined ? "unset" : JSON.stringify(value)}); set metadata.annotations["${INTERNAL_LB_ANNOTATION}"]: "true", or expose it through the ingress controller`,
      );
    },
  },
);

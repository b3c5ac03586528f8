import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { POD_SECURITY_LABELS, POD_SECURITY_REASON_LABEL } from "../../policy-pack/facts/kubernetes";

export interface SecureNamespaceArgs {
  namespace: string;
  /** Pod Security Standard enforced by the namespace's admission labels. */
  podSecurity?: "restricted" | "baseline";
  /** Required with baseline: why the namespace cannot run restricted. */
  baselineReason?: string;
  labels?: Record<string, string>;
}

/**
 * A namespace that enforces a Pod Security Standard and denies all traffic by default; workloads
 * add the exact allows they need. DNS egress to kube-dns is allowed for every pod.
 */
export class SecureNamespace extends pulumi.ComponentResource {
  readonly namespaceName: pulumi.Output<string>;

  constructor(name: string, args: SecureNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:kubernetes:SecureNamespace", name, {}, opts);
    const level = args.podSecurity ?? "restricted";
    if (level === "baseline" && !args.baselineReason) {
      throw new Error(`${name}: a baseline namespace needs baselineReason`);
    }
    const namespace = new k8s.core.v1.Namespace(
      `${name}-ns`,
      {
        metadata: {
          name: args.namespace,
          labels: {
            ...args.labels,
            [POD_SECURITY_LABELS.enforce]: level,
            [POD_SECURITY_LABELS.enforceVersion]: "latest",
            [POD_SECURITY_LABELS.audit]: "restricted",
            [POD_SECURITY_LABELS.warn]: "restricted",
            ...(args.baselineReason ? { [POD_SECURITY_REASON_LABEL]: args.baselineReason } : {}),
          },
        },
      },
      { parent: this },
    );
    const metadata = (policyName: string) => ({
      name: policyName,
      namespace: namespace.metadata.name,
    });
    new k8s.networking.v1.NetworkPolicy(
      `${name}-default-deny`,
      {
        metadata: metadata("default-deny-all"),
        spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
      },
      { parent: this },
    );
    new k8s.networking.v1.NetworkPolicy(
      `${name}-allow-dns`,
      {
        metadata: metadata("allow-dns"),
        spec: {
          podSelector: {},
          policyTypes: ["Egress"],
          egress: [
            {
              to: [
                {
                  namespaceSelector: {
                    matchLabels: { "kubernetes.io/metadata.name": "kube-system" },
                  },
                  podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                },
              ],
              ports: [
                { protocol: "UDP", port: 53 },
                { protocol: "TCP", port: 53 },
              ],
            },
          ],
        },
      },
      { parent: this },
    );
    this.namespaceName = namespace.metadata.name;
    this.registerOutputs({ namespaceName: this.namespaceName });
  }
}

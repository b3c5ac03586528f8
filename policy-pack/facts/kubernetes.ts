/**
 * Pod Security Admission's namespace labels
 * (https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces).
 */
export const POD_SECURITY_LABELS = {
  enforce: "pod-security.kubernetes.io/enforce",
  enforceVersion: "pod-security.kubernetes.io/enforce-version",
  audit: "pod-security.kubernetes.io/audit",
  warn: "pod-security.kubernetes.io/warn",
} as const;

/** Why a namespace enforces only baseline (K8S-01 asks for it beside the label). */
export const POD_SECURITY_REASON_LABEL = "platform/pod-security-reason";

/**
 * The taint that keeps workloads off the AKS system pool (AKS-16): only pods tolerating it (AKS's
 * critical add-ons do) are scheduled there.
 * https://learn.microsoft.com/azure/aks/use-system-pools#system-and-user-node-pools
 */
export const CRITICAL_ADDONS_TAINT = "CriticalAddonsOnly=true:NoSchedule";

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

/** The tag keys every taggable resource carries (GEN-01); the stack sets them (infra/naming.ts). */
export const REQUIRED_TAGS = {
  environment: "environment",
  owner: "owner",
  managedBy: "managed-by",
} as const;

/** What `managed-by` says of resources this platform's stack manages. */
export const MANAGED_BY_PULUMI = "pulumi";

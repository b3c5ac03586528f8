/**
 * Microsoft Sentinel scheduled analytics rules for the platform. Queries read the AKS audit log in
 * resource-specific tables (AKSAuditAdmin, from the cluster's diagnostic setting) and the Key Vault
 * audit log (AzureDiagnostics, category AuditEvent).
 */

export interface AnalyticsRule {
  /** Logical name suffix and stable rule id seed. */
  key: string;
  displayName: string;
  description: string;
  severity: "High" | "Medium" | "Low" | "Informational";
  query: string;
  queryFrequency: string;
  queryPeriod: string;
  tactics: string[];
  techniques: string[];
}

export const PLATFORM_ANALYTICS_RULES: AnalyticsRule[] = [
  {
    key: "privileged-container",
    displayName: "AKS: privileged container created",
    description:
      "A pod with a privileged container was created on the platform cluster. Privileged containers can take over the node.",
    severity: "High",
    queryFrequency: "PT5M",
    queryPeriod: "PT10M",
    tactics: ["PrivilegeEscalation"],
    techniques: ["T1611"],
    query: [
      "AKSAuditAdmin",
      '| where Verb == "create" and ObjectRef.resource == "pods"',
      "| extend Containers = array_concat(RequestObject.spec.containers, coalesce(RequestObject.spec.initContainers, dynamic([])))",
      "| mv-expand Container = Containers",
      "| where tobool(Container.securityContext.privileged) == true",
      "| project TimeGenerated, _ResourceId, User = tostring(User.username), Namespace = tostring(ObjectRef.namespace),",
      "    Pod = tostring(RequestObject.metadata.name), Image = tostring(Container.image), SourceIps = tostring(SourceIps)",
    ].join("\n"),
  },
  {
    key: "exec-into-pod",
    displayName: "AKS: interactive exec or attach into a pod",
    description:
      "Someone opened a shell (exec or attach) in a running pod. Production pods should never need one.",
    severity: "Medium",
    queryFrequency: "PT5M",
    queryPeriod: "PT10M",
    tactics: ["Execution"],
    techniques: ["T1609"],
    query: [
      "AKSAuditAdmin",
      '| where ObjectRef.resource == "pods" and tostring(ObjectRef.subresource) in ("exec", "attach")',
      '| where tostring(User.username) !startswith "system:"',
      "| project TimeGenerated, _ResourceId, User = tostring(User.username), Namespace = tostring(ObjectRef.namespace),",
      "    Pod = tostring(ObjectRef.name), Subresource = tostring(ObjectRef.subresource), SourceIps = tostring(SourceIps)",
    ].join("\n"),
  },
  {
    key: "key-vault-secret-sweep",
    displayName: "Key Vault: one caller read many secrets",
    description:
      "A single identity or address read ten or more distinct secrets within ten minutes: a sign of credential harvesting.",
    severity: "High",
    queryFrequency: "PT10M",
    queryPeriod: "PT1H",
    tactics: ["CredentialAccess"],
    techniques: ["T1555"],
    query: [
      "AzureDiagnostics",
      '| where ResourceProvider == "MICROSOFT.KEYVAULT" and Category == "AuditEvent"',
      '| where OperationName in ("SecretGet", "SecretList", "SecretListVersions")',
      "| extend Caller = coalesce(identity_claim_oid_g, identity_claim_upn_s, CallerIPAddress)",
      "| summarize Operations = count(), DistinctSecrets = dcount(id_s), Vaults = make_set(Resource, 10)",
      "    by Caller, CallerIPAddress, bin(TimeGenerated, 10m)",
      "| where DistinctSecrets >= 10",
    ].join("\n"),
  },
];

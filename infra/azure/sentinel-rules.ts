/**
 * Microsoft Sentinel scheduled analytics rules for the platform. Every rule reads a
 * resource-specific table that a diagnostic setting of the stack feeds in `Dedicated` mode
 * (control MON-05): Sentinel validates a rule's query when the rule is saved, so a query naming
 * `AzureDiagnostics` columns that appear only after the first matching record
 * (`identity_claim_oid_g`, `id_s`) fails in a new workspace: the mechanism of
 * Azure/Azure-Sentinel#10340 (AzureActivity's Resource columns, created by the first matching
 * record). Resource-specific tables have a fixed schema in every workspace. Entity mappings name
 * columns the query returns, or saving fails too ("Error in EntityMappings: The given column ...
 * does not exist", Azure/Azure-Sentinel#6363).
 *
 * - AKSAudit (cluster category `kube-audit`): every audit event. AKSAuditAdmin
 *   (`kube-audit-admin`) leaves out get and list events, and kubectl 1.30+ opens exec and attach
 *   over WebSocket, whose audit verb is `get` (KEP-4006, kubernetes/enhancements
 *   keps/sig-api-machinery/4006-transition-spdy-to-websockets), so exec is only in AKSAudit.
 *   Tables and categories: https://learn.microsoft.com/azure/aks/monitor-aks-reference
 * - AZKVAuditLogs (vault category `AuditEvent`, Dedicated): `Identity` (dynamic), `CallerIpAddress`,
 *   `Id` (the object's URI), `OperationName`: https://learn.microsoft.com/azure/azure-monitor/reference/tables/azkvauditlogs
 *
 * KQL `coalesce` needs arguments of one type, so dynamic values are `tostring`ed first
 * (https://learn.microsoft.com/kusto/query/coalesce-function).
 *
 * Lookback equals frequency (queryPeriod = queryFrequency): each event falls in exactly one run,
 * so it raises one alert, not one per overlapping window (PT10M over PT5M alerted twice, PT1H
 * every PT10M six times). Entity mappings (account, host for the pod, IP, Azure resource) let
 * Sentinel group alerts about the same entities into one incident.
 */

export interface EntityMapping {
  entityType: "Account" | "Host" | "IP" | "AzureResource";
  fieldMappings: { identifier: string; columnName: string }[];
}

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
  entityMappings: EntityMapping[];
}

const account = (columnName: string, identifier = "Name"): EntityMapping => ({
  entityType: "Account",
  fieldMappings: [{ identifier, columnName }],
});
const ip = (columnName: string): EntityMapping => ({
  entityType: "IP",
  fieldMappings: [{ identifier: "Address", columnName }],
});
const host = (columnName: string): EntityMapping => ({
  entityType: "Host",
  fieldMappings: [{ identifier: "HostName", columnName }],
});
const azureResource = (columnName: string): EntityMapping => ({
  entityType: "AzureResource",
  fieldMappings: [{ identifier: "ResourceId", columnName }],
});

/** One record per API request: AKS logs a long-running request at ResponseStarted and ResponseComplete. */
const ONE_PER_REQUEST = "| summarize arg_min(TimeGenerated, *) by AuditId";

export const PLATFORM_ANALYTICS_RULES: AnalyticsRule[] = [
  {
    key: "privileged-container",
    displayName: "AKS: privileged container created",
    description:
      "A pod with a privileged container was created on the platform cluster. Privileged containers can take over the node.",
    severity: "High",
    queryFrequency: "PT5M",
    queryPeriod: "PT5M",
    tactics: ["PrivilegeEscalation"],
    techniques: ["T1611"],
    entityMappings: [account("User"), host("Pod"), ip("SourceIp"), azureResource("_ResourceId")],
    query: [
      "AKSAudit",
      '| where Verb == "create" and tostring(ObjectRef.resource) == "pods" and isempty(tostring(ObjectRef.subresource))',
      ONE_PER_REQUEST,
      "| extend Containers = array_concat(RequestObject.spec.containers, coalesce(RequestObject.spec.initContainers, dynamic([])))",
      "| mv-expand Container = Containers",
      "| where tobool(Container.securityContext.privileged) == true",
      "| project TimeGenerated, _ResourceId, User = tostring(User.username), Namespace = tostring(ObjectRef.namespace),",
      "    Pod = tostring(RequestObject.metadata.name), Image = tostring(Container.image), SourceIp = tostring(SourceIps[0])",
    ].join("\n"),
  },
  {
    key: "exec-into-pod",
    displayName: "AKS: interactive exec or attach into a pod",
    description:
      "Someone opened a shell (exec or attach) in a running pod. Production pods should never need one.",
    severity: "Medium",
    queryFrequency: "PT5M",
    queryPeriod: "PT5M",
    tactics: ["Execution"],
    techniques: ["T1609"],
    entityMappings: [account("User"), host("Pod"), ip("SourceIp"), azureResource("_ResourceId")],
    query: [
      "AKSAudit",
      // Whatever the verb: create over SPDY, get over WebSocket (kubectl 1.30+).
      '| where tostring(ObjectRef.resource) == "pods" and tostring(ObjectRef.subresource) in ("exec", "attach")',
      '| where tostring(User.username) !startswith "system:"',
      ONE_PER_REQUEST,
      "| project TimeGenerated, _ResourceId, User = tostring(User.username), Namespace = tostring(ObjectRef.namespace),",
      "    Pod = tostring(ObjectRef.name), Subresource = tostring(ObjectRef.subresource), Verb, SourceIp = tostring(SourceIps[0])",
    ].join("\n"),
  },
  {
    key: "key-vault-secret-sweep",
    displayName: "Key Vault: one caller read many secrets",
    description:
      "A single identity or address read ten or more distinct secrets within ten minutes: a sign of credential harvesting.",
    severity: "High",
    queryFrequency: "PT10M",
    queryPeriod: "PT10M",
    tactics: ["CredentialAccess"],
    techniques: ["T1555"],
    entityMappings: [
      account("CallerObjectId", "AadUserId"),
      ip("CallerIpAddress"),
      azureResource("_ResourceId"),
    ],
    query: [
      "AZKVAuditLogs",
      '| where OperationName in ("SecretGet", "SecretList", "SecretListVersions")',
      "| extend CallerObjectId = tostring(Identity.claim.oid), CallerUpn = tostring(Identity.claim.upn)",
      "| extend Caller = coalesce(CallerObjectId, CallerUpn, CallerIpAddress)",
      "| summarize Operations = count(), DistinctSecrets = dcount(tostring(Id)), Secrets = make_set(tostring(Id), 20)",
      "    by Caller, CallerObjectId, CallerIpAddress, _ResourceId",
      "| where DistinctSecrets >= 10",
    ].join("\n"),
  },
];

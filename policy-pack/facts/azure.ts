/**
 * Azure facts that the stack (infra/) and the policies must agree on: built-in role and policy
 * definition ids, private-link group ids and their DNS zones. `as const` values, no SDK import:
 * the pack stays self-contained for the real CLI, and infra/ and tools/ import them from here.
 */

/**
 * Built-in Azure role definitions the platform assigns (least privilege for each job),
 * https://learn.microsoft.com/azure/role-based-access-control/built-in-roles.
 */
export const BUILT_IN_ROLES = {
  acrPull: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
  acrPush: "8311e382-0749-4cb8-b61a-304f252e45ec",
  keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
  /** Read certificates (Ratify's trust store, Notation's signing certificate). */
  keyVaultCertificateUser: "db79e9a7-68ee-4b58-9aeb-b90e7c24fcba",
  /** Sign with keys (Notation's azure-kv plugin signs with the certificate's key). */
  keyVaultCryptoUser: "12338af0-0e69-4776-bea7-57ae8d297424",
  /** List a cluster user kubeconfig (Entra ID; what the user may do is Kubernetes RBAC). */
  aksClusterUser: "4abbcc35-e782-43d8-92c5-2d3f1bd2253f",
  /** Read/write most objects in a namespace, no roles or role bindings. */
  aksRbacWriter: "a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb",
  /** Application routing keeps its records in the app's zone (public / private). */
  dnsZoneContributor: "befefa01-2a29-4197-83a8-272ff33ce314",
  privateDnsZoneContributor: "b12aa53e-6015-4669-85d0-8515ebb3ae7f",
  /** Read every resource (control plane), no secrets, no data. Pull-request previews. */
  reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
  /** Read most Kubernetes objects, no secrets (Azure Kubernetes Service RBAC Reader). */
  aksRbacReader: "7f6c6a51-bcf8-42ba-9220-52d62157d7db",
  /**
   * Container Registry Data Importer and Data Reader: `registries/importImage/action`,
   * `registries/pull/read`, `registries/read`. `az acr import` is a control-plane action AcrPush
   * lacks (https://learn.microsoft.com/azure/container-registry/container-registry-import-images).
   */
  acrImporter: "577a9874-89fd-4f24-9dbd-b5034d0ad23a",
} as const;
export type BuiltInRole = keyof typeof BUILT_IN_ROLES;

/**
 * The built-in Kubernetes pod security initiatives (policy set definitions) of Azure Policy,
 * https://learn.microsoft.com/azure/aks/policy-reference ("Kubernetes cluster pod security
 * baseline/restricted standards for Linux-based workloads").
 */
export const POD_SECURITY_INITIATIVES = {
  baseline: "a8640138-9b0a-4a28-b8cb-1666c838647d",
  restricted: "42b8ef37-b724-4e24-bbc8-7a7708edfe00",
} as const;
export type PodSecurityStandard = keyof typeof POD_SECURITY_INITIATIVES;

/** A built-in policy set definition's id, as an assignment names it. */
export function builtInPolicySetId(guid: string): string {
  return `/providers/Microsoft.Authorization/policySetDefinitions/${guid}`;
}

/**
 * The services that get private endpoints: their private-link sub-resource (group id) and private
 * DNS zone (https://learn.microsoft.com/azure/private-link/private-endpoint-dns).
 */
export const PRIVATE_LINK = {
  registry: { groupId: "registry", zone: "privatelink.azurecr.io" },
  vault: { groupId: "vault", zone: "privatelink.vaultcore.azure.net" },
  redis: { groupId: "redisCache", zone: "privatelink.redis.cache.windows.net" },
  // Azure Managed Redis (Microsoft.Cache/redisEnterprise): sub-resource `redisEnterprise`, zone
  // privatelink.redis.azure.net (private-endpoint-dns, Databases;
  // https://learn.microsoft.com/azure/redis/private-link).
  managedRedis: { groupId: "redisEnterprise", zone: "privatelink.redis.azure.net" },
} as const;
export type PrivateLinkTarget = keyof typeof PRIVATE_LINK;

/** The Defender for Cloud plans (pricings) the platform needs at tier Standard (ACR-04, KV-04). */
export const DEFENDER_PLANS = { containers: "Containers", keyVaults: "KeyVaults" } as const;
export type DefenderPlanName = (typeof DEFENDER_PLANS)[keyof typeof DEFENDER_PLANS];

/**
 * Resource log categories the stack sends and the controls read
 * (https://learn.microsoft.com/azure/azure-monitor/reference/supported-logs/microsoft-containerservice-managedclusters-logs,
 * .../microsoft-keyvault-vaults-logs, .../microsoft-containerregistry-registries-logs).
 */
export const LOG_CATEGORIES = {
  cluster: {
    audit: "kube-audit",
    auditAdmin: "kube-audit-admin",
    guard: "guard",
    apiServer: "kube-apiserver",
    autoscaler: "cluster-autoscaler",
  },
  vault: { audit: "AuditEvent" },
  registry: {
    repositoryEvents: "ContainerRegistryRepositoryEvents",
    loginEvents: "ContainerRegistryLoginEvents",
  },
} as const;

/** Defender for DevOps: the environment type of a GitHub connector (Microsoft.Security/securityConnectors). */
export const GITHUB_CONNECTOR_ENVIRONMENT = "GithubScope";

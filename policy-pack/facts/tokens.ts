/**
 * The resource type tokens the pack reads, each written once: the azure-native v3 tokens the
 * controls are written for (facts/types.ts resolves other versions and classic types to them), the
 * `@pulumi/github` v6 and `@pulumi/kubernetes` v4 types, and Pulumi's own. Self-contained (no SDK
 * import), like facts/types.ts.
 */

// Azure: AKS
export const MANAGED_CLUSTER = "azure-native:containerservice:ManagedCluster";
export const AGENT_POOL = "azure-native:containerservice:AgentPool";
export const POLICY_ASSIGNMENT = "azure-native:authorization:PolicyAssignment";

// Azure: registry, Key Vault, Redis
export const REGISTRY = "azure-native:containerregistry:Registry";
export const VAULT = "azure-native:keyvault:Vault";
export const KEY_VAULT_SECRET = "azure-native:keyvault:Secret";
export const REDIS = "azure-native:redis:Redis";
export const REDIS_ENTERPRISE = "azure-native:redisenterprise:RedisEnterprise";
export const REDIS_ENTERPRISE_DATABASE = "azure-native:redisenterprise:Database";

// Azure: network, logs, Defender, Sentinel
export const PRIVATE_ENDPOINT = "azure-native:network:PrivateEndpoint";
export const DIAGNOSTIC_SETTING = "azure-native:monitor:DiagnosticSetting";
export const LOG_ANALYTICS_WORKSPACE = "azure-native:operationalinsights:Workspace";
export const DEFENDER_PRICING = "azure-native:security:Pricing";
export const SENTINEL_ONBOARDING = "azure-native:securityinsights:SentinelOnboardingState";
export const SCHEDULED_ALERT_RULE = "azure-native:securityinsights:ScheduledAlertRule";
export const FUSION_ALERT_RULE = "azure-native:securityinsights:FusionAlertRule";
export const INCIDENT_CREATION_ALERT_RULE =
  "azure-native:securityinsights:MicrosoftSecurityIncidentCreationAlertRule";

/** The types GH-01..GH-10 read: the GitHub organization, and how GitHub Actions reaches Azure. */
export const GITHUB_TYPES = {
  organizationSettings: "github:index/organizationSettings:OrganizationSettings",
  team: "github:index/team:Team",
  teamSyncGroupMapping: "github:index/teamSyncGroupMapping:TeamSyncGroupMapping",
  repository: "github:index/repository:Repository",
  repositoryVulnerabilityAlerts:
    "github:index/repositoryVulnerabilityAlerts:RepositoryVulnerabilityAlerts",
  branchDefault: "github:index/branchDefault:BranchDefault",
  repositoryRuleset: "github:index/repositoryRuleset:RepositoryRuleset",
  branchProtection: "github:index/branchProtection:BranchProtection",
  repositoryEnvironment: "github:index/repositoryEnvironment:RepositoryEnvironment",
  workflowPermissions:
    "github:index/actionsOrganizationWorkflowPermissions:ActionsOrganizationWorkflowPermissions",
  actionsSecret: "github:index/actionsSecret:ActionsSecret",
  actionsEnvironmentSecret: "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret",
  actionsOrganizationSecret: "github:index/actionsOrganizationSecret:ActionsOrganizationSecret",
  federatedIdentityCredential: "azure-native:managedidentity:FederatedIdentityCredential",
  securityConnector: "azure-native:security:SecurityConnector",
} as const;

// Kubernetes
export const NAMESPACE = "kubernetes:core/v1:Namespace";
export const KUBERNETES_SECRET = "kubernetes:core/v1:Secret";
export const SERVICE = "kubernetes:core/v1:Service";
export const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
export const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
export const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";
/** Gatekeeper constraints: `kubernetes:constraints.gatekeeper.sh/<version>:<kind>`. */
export const GATEKEEPER_CONSTRAINT = "kubernetes:constraints.gatekeeper.sh/";
export const RATIFY_CONSTRAINT_KIND = ":RatifyVerification";

// Pulumi
export const AZURE_NATIVE_PROVIDER = "pulumi:providers:azure-native";
export const DYNAMIC_RESOURCE = "pulumi-nodejs:dynamic:Resource";

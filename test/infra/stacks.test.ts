import { describe, expect, it } from "vitest";
import { recordedStack } from "../support/stacks";

const typesOf = (stack: "dev" | "prod") =>
  new Set(recordedStack(stack).resources.map((resource) => resource.type));

describe("dev and prod stacks", () => {
  it("prod has every resource type a user expects", () => {
    const types = typesOf("prod");
    for (const type of [
      "azure-native:containerregistry:Registry",
      "azure-native:containerservice:ManagedCluster",
      "azure-native:keyvault:Vault",
      "azure-native:operationalinsights:Workspace",
      "azure-native:securityinsights:SentinelOnboardingState",
      "azure-native:redis:Redis",
      "azure-native:monitor:DiagnosticSetting",
      "azure-native:managedidentity:UserAssignedIdentity",
      "azure-native:authorization:PolicyAssignment",
      "azure-native:network:PrivateEndpoint",
    ]) {
      expect(types, type).toContain(type);
    }
    const pricing = recordedStack("prod").resources.filter(
      (resource) => resource.type === "azure-native:security:Pricing",
    );
    expect(pricing).toHaveLength(2);
  });

  it("differ in resource types exactly where config says", () => {
    const dev = typesOf("dev");
    const prod = typesOf("prod");
    const onlyProd = [...prod].filter((type) => !dev.has(type)).sort();
    const onlyDev = [...dev].filter((type) => !prod.has(type)).sort();
    // network.privateEndpoints and redis.entraIdAuthentication are on in prod only; prod owns
    // the GitHub organisation (github.ownsOrganization) and its Defender for DevOps connector.
    expect(onlyProd).toEqual([
      "azure-native:network:PrivateDnsZoneGroup",
      "azure-native:network:PrivateEndpoint",
      "azure-native:privatedns:PrivateZone",
      "azure-native:privatedns:VirtualNetworkLink",
      "azure-native:redis:AccessPolicyAssignment",
      "azure-native:security:SecurityConnector",
      "github:index/actionsOrganizationPermissions:ActionsOrganizationPermissions",
      "github:index/actionsOrganizationWorkflowPermissions:ActionsOrganizationWorkflowPermissions",
      "github:index/actionsVariable:ActionsVariable",
      "github:index/organizationSettings:OrganizationSettings",
      "github:index/repository:Repository",
      "github:index/repositoryDependabotSecurityUpdates:RepositoryDependabotSecurityUpdates",
      "github:index/repositoryFile:RepositoryFile",
      "github:index/repositoryRuleset:RepositoryRuleset",
      "github:index/repositoryVulnerabilityAlerts:RepositoryVulnerabilityAlerts",
      "github:index/team:Team",
      "github:index/teamRepository:TeamRepository",
      "github:index/teamSyncGroupMapping:TeamSyncGroupMapping",
      "platform:azure:DevOpsConnector",
      "platform:github:Organization",
      "platform:github:Repository",
      // The default code security configuration and the organisation restrictions (REST API).
      "pulumi-nodejs:dynamic:Resource",
    ]);
    // With access keys (dev), the key goes to Key Vault and reaches the pod through the CSI driver.
    expect(onlyDev).toEqual([
      "azure-native:keyvault:Secret",
      "kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass",
    ]);
  });

  it("exports what an operator needs, with the kubeconfig as a secret", () => {
    const { outputs } = recordedStack("prod");
    expect(outputs.clusterName.value).toBe("aks-contoso-prod");
    expect(outputs.registryLoginServer.value).toBe("acrcontosoprod.azurecr.io");
    expect(outputs.vaultUri.value).toBe("https://kv-contoso-prod.vault.azure.net/");
    expect(outputs.redisHostName.value).toBe("redis-contoso-prod.redis.cache.windows.net");
    expect(outputs.workspaceId.value).toMatch(/^[0-9a-f-]{36}$/);
    expect(outputs.kubeconfigForOperators.secret).toBe(true);
  });
});

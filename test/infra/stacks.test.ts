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
      "azure-native:redisenterprise:RedisEnterprise",
      "azure-native:redisenterprise:Database",
      "azure-native:redisenterprise:AccessPolicyAssignment",
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
    // network.privateEndpoints is on in prod only; prod owns the GitHub organisation
    // (github.ownsOrganization) and its Defender for DevOps connector, and the subscription's
    // Defender plans (defender.ownsSubscriptionPlans).
    expect(onlyProd).toEqual([
      "azure-native:network:PrivateDnsZoneGroup",
      "azure-native:network:PrivateEndpoint",
      "azure-native:privatedns:PrivateZone",
      "azure-native:privatedns:VirtualNetworkLink",
      "azure-native:security:Pricing",
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
    // Both use Azure Managed Redis with Entra ID (no access key, no Key Vault secret for it);
    // dev's app is exposed in a public DNS zone (ingress.zoneType), prod's in a private one.
    expect(onlyDev).toEqual(["azure-native:dns:Zone"]);
  });

  it("exports what an operator needs, with the kubeconfig as a secret", () => {
    const { outputs } = recordedStack("prod");
    expect(outputs.clusterName.value).toBe("aks-contoso-prod");
    expect(outputs.registryLoginServer.value).toBe("acrcontosoprod.azurecr.io");
    expect(outputs.vaultUri.value).toBe("https://kv-contoso-prod.vault.azure.net/");
    expect(Object.keys(outputs)).toContain("redisHostName");
    expect(outputs.workspaceId.value).toMatch(/^[0-9a-f-]{36}$/);
    expect(outputs.kubeconfigForOperators.secret).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { BUILT_IN_ROLES } from "../../infra/azure/roles";
import { byName, inputsOf, resourcesOfType, STACKS } from "../support/stacks";

function roleOf(
  stack: "dev" | "prod",
  name: string,
): { role: string; scopeUrn: string[]; principalUrn: string[] } {
  const assignment = byName(stack, name);
  const { roleDefinitionId } = inputsOf(assignment);
  return {
    role: roleDefinitionId.split("/").pop(),
    scopeUrn: assignment.propertyDependencies.scope,
    principalUrn: assignment.propertyDependencies.principalId,
  };
}

/** Resources of a type declared by the Identity component (GitHub and Ratify bring their own). */
function identityChildren(stack: "dev" | "prod", type: string) {
  const component = byName(stack, "identity").urn;
  return resourcesOfType(stack, type).filter((resource) => resource.parent === component);
}

describe.each(STACKS)("identity (%s)", (stack) => {
  it("grants exactly two least-privilege roles", () => {
    expect(identityChildren(stack, "azure-native:authorization:RoleAssignment")).toHaveLength(2);
    const kubelet = roleOf(stack, "identity-kubelet-acrpull");
    expect(kubelet.role).toBe(BUILT_IN_ROLES.acrPull);
    expect(kubelet.scopeUrn).toContain(byName(stack, "registry-acr").urn);
    const app = roleOf(stack, "identity-app-kv-secrets");
    expect(app.role).toBe(BUILT_IN_ROLES.keyVaultSecretsUser);
    expect(app.scopeUrn).toContain(byName(stack, "keyvault-vault").urn);
    expect(app.principalUrn).toContain(byName(stack, "identity-app").urn);
  });

  it("federates the app identity with the cluster's service account, no secret", () => {
    const credentials = identityChildren(
      stack,
      "azure-native:managedidentity:FederatedIdentityCredential",
    );
    expect(credentials).toHaveLength(1);
    const credential = inputsOf(credentials[0]);
    expect(credential.subject).toBe("system:serviceaccount:items:items-api");
    expect(credential.audiences).toEqual(["api://AzureADTokenExchange"]);
    expect(credential.issuer).toMatch(/^https:\/\/.+oic\.prod-aks\.azure\.com\//);
  });
});

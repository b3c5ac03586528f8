import { describe, expect, it } from "vitest";
import { byName, inputsOf, onlyInputs, STACKS } from "../support/stacks";

const VAULT = "azure-native:keyvault:Vault";

describe.each(STACKS)("key vault (%s)", (stack) => {
  it("uses Azure RBAC, purge protection and a deny-by-default firewall", () => {
    const { properties } = onlyInputs(stack, VAULT);
    expect(properties.enableRbacAuthorization).toBe(true);
    expect(properties.accessPolicies).toBeUndefined();
    expect(properties.enablePurgeProtection).toBe(true);
    expect(properties.enableSoftDelete).toBe(true);
    expect(properties.networkAcls.defaultAction).toBe("Deny");
  });

  it("sends AuditEvent to the workspace", () => {
    const diagnostics = byName(stack, "keyvault-diagnostics");
    expect(inputsOf(diagnostics).logs).toContainEqual({ category: "AuditEvent", enabled: true });
    expect(diagnostics.propertyDependencies.resourceUri).toContain(
      byName(stack, "keyvault-vault").urn,
    );
  });
});

describe("key vault differences", () => {
  it("prod: 90 days soft delete, public access off, private endpoint", () => {
    const { properties } = onlyInputs("prod", VAULT);
    expect(properties.softDeleteRetentionInDays).toBe(90);
    expect(properties.publicNetworkAccess).toBe("Disabled");
    expect(
      byName("prod", "keyvault-pe").propertyDependencies.privateLinkServiceConnections,
    ).toContain(byName("prod", "keyvault-vault").urn);
  });

  it("dev: 7 days soft delete, public access limited to the allowed ranges", () => {
    const { properties } = onlyInputs("dev", VAULT);
    expect(properties.softDeleteRetentionInDays).toBe(7);
    expect(properties.publicNetworkAccess).toBe("Enabled");
    expect(properties.networkAcls.ipRules).toEqual([{ value: "203.0.113.0/24" }]);
  });
});

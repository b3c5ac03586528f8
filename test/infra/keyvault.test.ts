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

describe.each(STACKS)("key vault: what the cluster needs (%s)", (stack) => {
  it("sends AuditEvent resource-specific (AZKVAuditLogs), the table the Sentinel rule reads", () => {
    expect(inputsOf(byName(stack, "keyvault-diagnostics")).logAnalyticsDestinationType).toBe(
      "Dedicated",
    );
  });
});

describe("key vault firewall in dev admits the cluster", () => {
  it("the node subnet has the Key Vault service endpoint and the vault a rule for it", () => {
    const nodes = byName("dev", "network-nodes");
    expect(inputsOf(nodes).serviceEndpoints).toEqual([{ service: "Microsoft.KeyVault" }]);
    const vault = byName("dev", "keyvault-vault");
    expect(inputsOf(vault).properties.networkAcls.virtualNetworkRules).toHaveLength(1);
    expect(vault.propertyDependencies.properties).toContain(nodes.urn);
  });

  it("prod, private only, needs no rule", () => {
    expect(onlyInputs("prod", VAULT).properties.networkAcls.virtualNetworkRules).toBeUndefined();
  });
});

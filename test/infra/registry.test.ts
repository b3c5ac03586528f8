import { describe, expect, it } from "vitest";
import { byName, onlyInputs, resourcesOfType, STACKS } from "../support/stacks";

const REGISTRY = "azure-native:containerregistry:Registry";

describe.each(STACKS)("registry (%s)", (stack) => {
  it("has no admin user and no anonymous pull", () => {
    const registry = onlyInputs(stack, REGISTRY);
    expect(registry.adminUserEnabled).toBe(false);
    expect(registry.anonymousPullEnabled).toBe(false);
  });

  it("sends repository and login events to the workspace", () => {
    const diagnostics = byName(stack, "registry-diagnostics");
    expect(diagnostics.propertyDependencies.resourceUri).toContain(
      byName(stack, "registry-acr").urn,
    );
    expect(diagnostics.propertyDependencies.workspaceId).toContain(
      byName(stack, "monitoring-workspace").urn,
    );
  });
});

describe("registry differences", () => {
  it("prod: Premium, zone redundant, no public access, no export, a private endpoint and no retention that would purge signatures", () => {
    const registry = onlyInputs("prod", REGISTRY);
    expect(registry.sku.name).toBe("Premium");
    expect(registry.zoneRedundancy).toBe("Enabled");
    expect(registry.publicNetworkAccess).toBe("Disabled");
    // Ratify verifies Notation signatures in prod: untagged referrers that retention would delete
    // (https://learn.microsoft.com/azure/container-registry/container-registry-retention-policy).
    expect(registry.policies.retentionPolicy).toMatchObject({ status: "disabled" });
    expect(registry.policies.exportPolicy).toEqual({ status: "disabled" });
    const endpoint = byName("prod", "registry-pe");
    expect(endpoint.propertyDependencies.privateLinkServiceConnections).toContain(
      byName("prod", "registry-acr").urn,
    );
  });

  it("dev: Basic with public access and no private endpoint", () => {
    const registry = onlyInputs("dev", REGISTRY);
    expect(registry.sku.name).toBe("Basic");
    expect(registry.publicNetworkAccess).toBe("Enabled");
    expect(registry.policies).toBeUndefined();
    expect(registry.zoneRedundancy).toBe("Disabled");
    expect(resourcesOfType("dev", "azure-native:network:PrivateEndpoint")).toHaveLength(0);
  });
});

import { describe, expect, it } from "vitest";
import { isWireSecret } from "../../tools/secrets";
import { byName, onlyInputs, recordedStack, resourcesOfType, STACKS } from "../support/stacks";

const REDIS = "azure-native:redis:Redis";

describe.each(STACKS)("redis (%s)", (stack) => {
  it("serves TLS 1.2+ only, without the non-TLS port", () => {
    const cache = onlyInputs(stack, REDIS);
    expect(cache.enableNonSslPort).toBe(false);
    expect(cache.minimumTlsVersion).toBe("1.2");
  });

  it("has a diagnostic setting to the workspace", () => {
    expect(byName(stack, "redis-diagnostics").propertyDependencies.resourceUri).toContain(
      byName(stack, "redis-cache").urn,
    );
  });
});

describe("redis differences", () => {
  it("prod: Premium, private endpoint, Entra ID auth and no access keys", () => {
    const cache = onlyInputs("prod", REDIS);
    expect(cache.sku).toEqual({ name: "Premium", family: "P", capacity: 1 });
    expect(cache.publicNetworkAccess).toBe("Disabled");
    expect(cache.disableAccessKeyAuthentication).toBe(true);
    expect(cache.redisConfiguration.aadEnabled).toBe("true");
    expect(byName("prod", "redis-pe").propertyDependencies.privateLinkServiceConnections).toContain(
      byName("prod", "redis-cache").urn,
    );
    expect(resourcesOfType("prod", "azure-native:keyvault:Secret")).toHaveLength(0);
    expect(onlyInputs("prod", "azure-native:redis:AccessPolicyAssignment").accessPolicyName).toBe(
      "Data Contributor",
    );
  });

  it("dev: Basic C0 with its access key stored in Key Vault as a secret", () => {
    const cache = onlyInputs("dev", REDIS);
    expect(cache.sku).toEqual({ name: "Basic", family: "C", capacity: 0 });
    const [secret] = resourcesOfType("dev", "azure-native:keyvault:Secret");
    expect(isWireSecret((secret.inputs.properties as Record<string, unknown>).value)).toBe(true);
    expect(JSON.stringify(recordedStack("dev").outputs)).not.toContain("mock-primary-key");
  });
});

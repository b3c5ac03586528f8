import { describe, expect, it } from "vitest";
import { PRIVATE_LINK } from "../../policy-pack/facts/azure";
import { inputsOf, onlyInputs, resourcesOfType } from "../support/stacks";

describe("network", () => {
  it("has a VNet with a node subnet and an endpoint subnet from config", () => {
    expect(
      onlyInputs("prod", "azure-native:network:VirtualNetwork").addressSpace.addressPrefixes,
    ).toEqual(["10.30.0.0/16"]);
    const prefixes = resourcesOfType("prod", "azure-native:network:Subnet").map(
      (subnet) => inputsOf(subnet).addressPrefix,
    );
    expect(prefixes.sort()).toEqual(["10.30.0.0/22", "10.30.8.0/24"]);
  });

  it("prod: a private DNS zone per private-link target, linked to the VNet", () => {
    // The app's own private zone (aks-devsecops:ingress) is the exposure's, not a private-link zone.
    const zones = resourcesOfType("prod", "azure-native:privatedns:PrivateZone")
      .filter((zone) => zone.name.startsWith("network-"))
      .map((zone) => inputsOf(zone).privateZoneName);
    // One Redis service per stack: Azure Managed Redis's zone, not Azure Cache for Redis's.
    expect(zones.sort()).toEqual(
      [PRIVATE_LINK.managedRedis, PRIVATE_LINK.registry, PRIVATE_LINK.vault]
        .map((target) => target.zone)
        .sort(),
    );
    expect(zones).toContain("privatelink.redis.azure.net");
    expect(
      resourcesOfType("prod", "azure-native:privatedns:VirtualNetworkLink").filter((link) =>
        link.name.startsWith("network-"),
      ),
    ).toHaveLength(3);
    const endpoints = resourcesOfType("prod", "azure-native:network:PrivateEndpoint").map(inputsOf);
    expect(
      endpoints.map((endpoint) => endpoint.privateLinkServiceConnections[0].groupIds[0]).sort(),
    ).toEqual(["redisEnterprise", "registry", "vault"]);
    expect(resourcesOfType("prod", "azure-native:network:PrivateDnsZoneGroup")).toHaveLength(3);
  });

  it("dev: no private DNS zones or endpoints", () => {
    expect(resourcesOfType("dev", "azure-native:privatedns:PrivateZone")).toHaveLength(0);
    expect(resourcesOfType("dev", "azure-native:network:PrivateEndpoint")).toHaveLength(0);
  });
});

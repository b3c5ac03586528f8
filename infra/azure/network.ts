import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import * as privatedns from "@pulumi/azure-native/privatedns";
import { PRIVATE_LINK, type PrivateLinkTarget } from "../../policy-pack/facts/azure";
import type { NetworkConfig } from "../config";
import { armResourceId, Placement, placementOf } from "./shared";

export type { PrivateLinkTarget };

export const KEY_VAULT_SERVICE_ENDPOINT = "Microsoft.KeyVault";

/** `privateEndpoints`: private DNS zones (linked to the VNet) so private endpoints resolve. */
export interface NetworkArgs extends Placement, NetworkConfig {
  subscriptionId: pulumi.Input<string>;
  virtualNetworkName: string;
  /** The targets that get a zone; all of them unless given (one Redis service is in use). */
  privateLinkTargets?: PrivateLinkTarget[];
}

/** A VNet with a subnet for AKS nodes and one for private endpoints, plus private DNS. */
export class Network extends pulumi.ComponentResource {
  readonly virtualNetworkId: pulumi.Output<string>;
  readonly nodeSubnetId: pulumi.Output<string>;
  readonly endpointSubnetId: pulumi.Output<string>;
  /** Private DNS zone ids per target; empty when private endpoints are off. */
  readonly privateDnsZoneIds: Partial<Record<PrivateLinkTarget, pulumi.Output<string>>>;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:azure:Network", name, {}, opts);
    const placement = {
      ...placementOf(args),
    };
    const vnet = new network.VirtualNetwork(
      `${name}-vnet`,
      {
        ...placement,
        virtualNetworkName: args.virtualNetworkName,
        addressSpace: { addressPrefixes: [args.addressSpace] },
      },
      { parent: this },
    );
    const subnet = (suffix: string, prefix: string, extra: Partial<network.SubnetArgs> = {}) =>
      new network.Subnet(
        `${name}-${suffix}`,
        {
          resourceGroupName: args.resourceGroupName,
          virtualNetworkName: vnet.name,
          subnetName: `snet-${suffix}`,
          addressPrefix: prefix,
          defaultOutboundAccess: false,
          ...extra,
        },
        { parent: this },
      );
    // The Key Vault service endpoint lets the vault firewall admit the node subnet: pods (the
    // Secrets Store CSI driver, Ratify) leave the node from its address, and AKS workloads are not
    // "trusted Microsoft services" (https://learn.microsoft.com/azure/key-vault/general/overview-vnet-service-endpoints).
    const nodes = subnet("nodes", args.nodeSubnetPrefix, {
      serviceEndpoints: [{ service: KEY_VAULT_SERVICE_ENDPOINT }],
    });
    const endpoints = subnet("endpoints", args.endpointSubnetPrefix, {
      privateEndpointNetworkPolicies: "Enabled",
    });
    // Ids known at preview (shared.ts): the vault's firewall and the cluster's pools name them.
    const vnetPath = `Microsoft.Network/virtualNetworks/${args.virtualNetworkName}`;
    const idOf = (resource: pulumi.Resource, path: string) =>
      armResourceId(resource, args.subscriptionId, args.resourceGroupName, path);
    this.virtualNetworkId = idOf(vnet, vnetPath);
    this.nodeSubnetId = idOf(nodes, `${vnetPath}/subnets/snet-nodes`);
    this.endpointSubnetId = idOf(endpoints, `${vnetPath}/subnets/snet-endpoints`);
    this.privateDnsZoneIds = {};
    if (args.privateEndpoints) {
      const targets = args.privateLinkTargets ?? Object.keys(PRIVATE_LINK);
      for (const [target, { zone }] of Object.entries(PRIVATE_LINK)) {
        if (!targets.includes(target as PrivateLinkTarget)) continue;
        const dnsZone = new privatedns.PrivateZone(
          `${name}-dns-${target}`,
          {
            resourceGroupName: args.resourceGroupName,
            privateZoneName: zone,
            location: "global",
            tags: args.tags,
          },
          { parent: this },
        );
        new privatedns.VirtualNetworkLink(
          `${name}-dns-${target}-link`,
          {
            resourceGroupName: args.resourceGroupName,
            privateZoneName: dnsZone.name,
            virtualNetworkLinkName: `${args.virtualNetworkName}-link`,
            location: "global",
            registrationEnabled: false,
            virtualNetwork: { id: vnet.id },
            tags: args.tags,
          },
          { parent: this },
        );
        this.privateDnsZoneIds[target as PrivateLinkTarget] = dnsZone.id;
      }
    }
    this.registerOutputs({
      virtualNetworkId: this.virtualNetworkId,
      nodeSubnetId: this.nodeSubnetId,
      endpointSubnetId: this.endpointSubnetId,
      privateDnsZoneIds: this.privateDnsZoneIds,
    });
  }
}

/** Where a service's private endpoint goes: the endpoint subnet and the target's DNS zone. */
export interface PrivateEndpointPlacement {
  subnetId: pulumi.Input<string>;
  privateDnsZoneId: pulumi.Input<string> | undefined;
}

/** A private endpoint for one service, registered in its private DNS zone. */
export function createPrivateEndpoint(
  name: string,
  placement: Placement,
  target: PrivateLinkTarget,
  targetResourceId: pulumi.Input<string>,
  endpoint: PrivateEndpointPlacement,
  opts: pulumi.CustomResourceOptions,
): network.PrivateEndpoint {
  const { groupId } = PRIVATE_LINK[target];
  if (endpoint.privateDnsZoneId === undefined) {
    throw new Error(
      `${name}: a private endpoint for ${target} needs its private DNS zone (network.privateEndpoints)`,
    );
  }
  const privateEndpoint = new network.PrivateEndpoint(
    name,
    {
      ...placementOf(placement),
      subnet: { id: endpoint.subnetId },
      privateLinkServiceConnections: [
        { name: `${name}-${groupId}`, privateLinkServiceId: targetResourceId, groupIds: [groupId] },
      ],
    },
    opts,
  );
  new network.PrivateDnsZoneGroup(
    `${name}-dns`,
    {
      resourceGroupName: placement.resourceGroupName,
      privateEndpointName: privateEndpoint.name,
      privateDnsZoneGroupName: "default",
      privateDnsZoneConfigs: [{ name: target, privateDnsZoneId: endpoint.privateDnsZoneId }],
    },
    { ...opts, dependsOn: [privateEndpoint] },
  );
  return privateEndpoint;
}

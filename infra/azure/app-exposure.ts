import * as pulumi from "@pulumi/pulumi";
import * as dns from "@pulumi/azure-native/dns";
import * as privatedns from "@pulumi/azure-native/privatedns";
import type { IngressConfig } from "../config";
import { assignRole, type BuiltInRole } from "./roles";
import { Placement } from "./shared";

export interface AppExposureArgs extends Placement, IngressConfig {
  subscriptionId: pulumi.Input<string>;
  /** The VNet a private zone is linked to, so that clients in it resolve the host. */
  virtualNetworkId: pulumi.Input<string>;
  vaultId: pulumi.Input<string>;
  vaultUri: pulumi.Input<string>;
}

/**
 * The Azure side of exposing the app through AKS application routing: the DNS zone (public, or
 * private and linked to the VNet) the add-on writes the host's record into, and what the add-on's
 * identity may do: manage records in that zone, read the one TLS certificate from Key Vault.
 * Roles per https://learn.microsoft.com/azure/aks/app-routing-dns-ssl (DNS Zone Contributor or
 * Private DNS Zone Contributor on the zone; read access to the certificate). The certificate is
 * read as the secret Key Vault keeps beside it, so the assignment is scoped to that one secret
 * (RBAC on a single secret: https://learn.microsoft.com/azure/key-vault/general/rbac-guide).
 */
export class AppExposure extends pulumi.ComponentResource {
  readonly zoneId: pulumi.Output<string>;
  readonly hostName: string;
  /** Versionless certificate URI: application routing always serves its newest version. */
  readonly certificateUri: pulumi.Output<string>;

  constructor(name: string, args: AppExposureArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:azure:AppExposure", name, {}, opts);
    const child = { parent: this };
    if (args.zoneType === "public") {
      const zone = new dns.Zone(
        `${name}-zone`,
        {
          resourceGroupName: args.resourceGroupName,
          zoneName: args.dnsZoneName,
          location: "global",
          zoneType: dns.ZoneType.Public,
          tags: args.tags,
        },
        child,
      );
      this.zoneId = zone.id;
    } else {
      const zone = new privatedns.PrivateZone(
        `${name}-zone`,
        {
          resourceGroupName: args.resourceGroupName,
          privateZoneName: args.dnsZoneName,
          location: "global",
          tags: args.tags,
        },
        child,
      );
      new privatedns.VirtualNetworkLink(
        `${name}-zone-link`,
        {
          resourceGroupName: args.resourceGroupName,
          privateZoneName: zone.name,
          virtualNetworkLinkName: "app-vnet-link",
          location: "global",
          registrationEnabled: false,
          virtualNetwork: { id: args.virtualNetworkId },
          tags: args.tags,
        },
        child,
      );
      this.zoneId = zone.id;
    }
    this.hostName = `${args.hostName}.${args.dnsZoneName}`;
    this.certificateUri = pulumi.interpolate`${pulumi
      .output(args.vaultUri)
      .apply((uri) => uri.replace(/\/$/, ""))}/certificates/${args.certificateName}`;
    this.registerOutputs({
      zoneId: this.zoneId,
      hostName: this.hostName,
      certificateUri: this.certificateUri,
    });
  }

  /** What the add-on's identity (known once the cluster exists) may do. */
  grantAppRouting(name: string, args: AppExposureArgs, principalId: pulumi.Input<string>): void {
    const grant = (key: string, role: BuiltInRole, scope: pulumi.Input<string>) => {
      const grantee = "application routing";
      const { subscriptionId } = args;
      assignRole(
        `${name}-${key}`,
        { subscriptionId, principalId, role, scope, grantee },
        { parent: this },
      );
    };
    grant(
      "dns",
      args.zoneType === "public" ? "dnsZoneContributor" : "privateDnsZoneContributor",
      this.zoneId,
    );
    grant(
      "certificate",
      "keyVaultSecretsUser",
      pulumi.interpolate`${args.vaultId}/secrets/${args.certificateName}`,
    );
  }
}

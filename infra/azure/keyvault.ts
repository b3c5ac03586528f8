import * as pulumi from "@pulumi/pulumi";
import * as keyvault from "@pulumi/azure-native/keyvault";
import type { KeyVaultConfig } from "../config";
import { createPrivateEndpoint, PrivateEndpointPlacement } from "./network";
import { diagnosticSetting, Placement, placementOf } from "./shared";
import { LOG_CATEGORIES } from "../../policy-pack/facts/azure";

/** `allowedIpRanges`: addresses allowed through the vault firewall while public access is on. */
export interface KeyVaultArgs extends Placement, KeyVaultConfig {
  vaultName: string;
  tenantId: pulumi.Input<string>;
  /**
   * Subnets the firewall admits while public access is on (they need the Microsoft.KeyVault
   * service endpoint): the cluster's node subnet, or the CSI driver and Ratify are shut out.
   */
  allowedSubnetIds: pulumi.Input<string>[];
  workspaceId: pulumi.Input<string>;
  privateEndpoint?: PrivateEndpointPlacement;
}

/** Key Vault with Azure RBAC, purge protection, a deny-by-default firewall and audit logs. */
export class KeyVault extends pulumi.ComponentResource {
  readonly vaultId: pulumi.Output<string>;
  readonly vaultName: pulumi.Output<string>;
  readonly vaultUri: pulumi.Output<string>;

  constructor(name: string, args: KeyVaultArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:azure:KeyVault", name, {}, opts);
    const vault = new keyvault.Vault(
      `${name}-vault`,
      {
        ...placementOf(args),
        vaultName: args.vaultName,
        properties: {
          tenantId: args.tenantId,
          sku: { family: keyvault.SkuFamily.A, name: keyvault.SkuName.Standard },
          enableRbacAuthorization: true,
          enableSoftDelete: true,
          softDeleteRetentionInDays: args.softDeleteRetentionInDays,
          enablePurgeProtection: true,
          enabledForDeployment: false,
          enabledForDiskEncryption: false,
          enabledForTemplateDeployment: false,
          publicNetworkAccess: args.publicNetworkAccess ? "Enabled" : "Disabled",
          networkAcls: {
            defaultAction: keyvault.NetworkRuleAction.Deny,
            bypass: keyvault.NetworkRuleBypassOptions.AzureServices,
            ipRules: args.allowedIpRanges.map((value) => ({ value })),
            virtualNetworkRules: args.publicNetworkAccess
              ? args.allowedSubnetIds.map((id) => ({ id }))
              : undefined,
          },
        },
      },
      { parent: this },
    );
    if (args.privateEndpoint) {
      createPrivateEndpoint(`${name}-pe`, args, "vault", vault.id, args.privateEndpoint, {
        parent: this,
      });
    }
    diagnosticSetting(
      `${name}-diagnostics`,
      {
        resourceUri: vault.id,
        workspaceId: args.workspaceId,
        categories: [LOG_CATEGORIES.vault.audit],
        // Table AZKVAuditLogs, whose columns exist before any data arrives (MON-05).
        dedicatedTables: true,
      },
      { parent: this },
    );
    this.vaultId = vault.id;
    this.vaultName = vault.name;
    this.vaultUri = vault.properties.apply((properties) => properties.vaultUri ?? "");
    this.registerOutputs({
      vaultId: this.vaultId,
      vaultName: this.vaultName,
      vaultUri: this.vaultUri,
    });
  }
}

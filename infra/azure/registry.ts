import * as pulumi from "@pulumi/pulumi";
import * as containerregistry from "@pulumi/azure-native/containerregistry";
import { registryAllowsExport, type RegistryConfig } from "../config";
import { createPrivateEndpoint, PrivateEndpointPlacement } from "./network";
import { diagnosticSetting, Placement, placementOf } from "./shared";
import { LOG_CATEGORIES } from "../../policy-pack/facts/azure";

/**
 * `untaggedRetentionDays`: days untagged manifests are kept (Premium only), unset: kept (no
 * retention); `zoneRedundancy`: zone-redundant storage (Premium only, set at creation), by default
 * on for Premium.
 */
export interface RegistryArgs extends Placement, RegistryConfig {
  registryName: string;
  workspaceId: pulumi.Input<string>;
  /** Where the private endpoint goes; required when public access is off. */
  privateEndpoint?: PrivateEndpointPlacement;
}

/** Azure Container Registry: no admin user, no anonymous pull, logs to the workspace. */
export class Registry extends pulumi.ComponentResource {
  readonly registryId: pulumi.Output<string>;
  readonly registryName: pulumi.Output<string>;
  readonly loginServer: pulumi.Output<string>;

  constructor(name: string, args: RegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:azure:Registry", name, {}, opts);
    const premium = args.sku === "Premium";
    const registry = new containerregistry.Registry(
      `${name}-acr`,
      {
        ...placementOf(args),
        registryName: args.registryName,
        sku: { name: args.sku },
        adminUserEnabled: false,
        anonymousPullEnabled: false,
        publicNetworkAccess: args.publicNetworkAccess ? "Enabled" : "Disabled",
        // Network rules, dedicated data endpoints and retention are Premium features.
        networkRuleBypassOptions: premium ? "AzureServices" : undefined,
        dataEndpointEnabled: premium ? !args.publicNetworkAccess : undefined,
        zoneRedundancy: (args.zoneRedundancy ?? premium) ? "Enabled" : "Disabled",
        policies: premium
          ? {
              // No retention where signatures are verified: Notation signatures are untagged
              // referrers, and Microsoft warns against retention where images are pulled by digest
              // (https://learn.microsoft.com/azure/container-registry/container-registry-retention-policy).
              retentionPolicy:
                args.untaggedRetentionDays === undefined
                  ? { status: "disabled" }
                  : { status: "enabled", days: args.untaggedRetentionDays },
              // Data exfiltration protection on private registries; see registryAllowsExport.
              exportPolicy: {
                status: registryAllowsExport(args) ? "enabled" : "disabled",
              },
            }
          : undefined,
      },
      { parent: this },
    );
    if (args.privateEndpoint) {
      createPrivateEndpoint(`${name}-pe`, args, "registry", registry.id, args.privateEndpoint, {
        parent: this,
      });
    }
    diagnosticSetting(
      `${name}-diagnostics`,
      {
        resourceUri: registry.id,
        workspaceId: args.workspaceId,
        categories: Object.values(LOG_CATEGORIES.registry),
      },
      { parent: this },
    );
    this.registryId = registry.id;
    this.registryName = registry.name;
    this.loginServer = registry.loginServer;
    this.registerOutputs({
      registryId: this.registryId,
      registryName: this.registryName,
      loginServer: this.loginServer,
    });
  }
}

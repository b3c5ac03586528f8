import * as pulumi from "@pulumi/pulumi";
import * as containerregistry from "@pulumi/azure-native/containerregistry";
import { createPrivateEndpoint, PrivateEndpointPlacement } from "./network";
import { diagnosticSetting, Placement, placementOf } from "./shared";

export interface RegistryArgs extends Placement {
  registryName: string;
  sku: "Basic" | "Standard" | "Premium";
  publicNetworkAccess: boolean;
  /** Days untagged manifests are kept (Premium only). */
  untaggedRetentionDays: number;
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
        policies: premium
          ? {
              retentionPolicy: { status: "enabled", days: args.untaggedRetentionDays },
              exportPolicy: { status: args.publicNetworkAccess ? "enabled" : "disabled" },
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
        categories: ["ContainerRegistryRepositoryEvents", "ContainerRegistryLoginEvents"],
      },
      { parent: this },
    );
    this.registryId = registry.id;
    this.registryName = registry.name;
    this.loginServer = registry.loginServer;
    this.registerOutputs({ registryId: this.registryId, loginServer: this.loginServer });
  }
}

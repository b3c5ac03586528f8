import * as pulumi from "@pulumi/pulumi";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as redis from "@pulumi/azure-native/redis";
import { createPrivateEndpoint, PrivateEndpointPlacement } from "./network";
import { diagnosticSetting, Placement, placementOf } from "./shared";

export interface RedisArgs extends Placement {
  cacheName: string;
  sku: "Basic" | "Standard" | "Premium";
  family: "C" | "P";
  capacity: number;
  publicNetworkAccess: boolean;
  /** Microsoft Entra ID authentication instead of access keys. */
  entraIdAuthentication: boolean;
  workspaceId: pulumi.Input<string>;
  privateEndpoint?: PrivateEndpointPlacement;
  /** With access keys on: the vault (and secret name) where the app's CSI driver finds the key. */
  accessKeySecret?: { vaultName: pulumi.Input<string>; secretName: string };
}

/** Azure Cache for Redis: TLS 1.2 only on port 6380, Entra ID auth, logs to the workspace. */
export class RedisCache extends pulumi.ComponentResource {
  readonly cacheId: pulumi.Output<string>;
  readonly cacheName: pulumi.Output<string>;
  readonly hostName: pulumi.Output<string>;
  readonly sslPort: pulumi.Output<number>;

  constructor(name: string, args: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:azure:RedisCache", name, {}, opts);
    const cache = new redis.Redis(
      `${name}-cache`,
      {
        ...placementOf(args),
        name: args.cacheName,
        sku: { name: args.sku, family: args.family, capacity: args.capacity },
        enableNonSslPort: false,
        minimumTlsVersion: redis.TlsVersion.TlsVersion_1_2,
        publicNetworkAccess: args.publicNetworkAccess ? "Enabled" : "Disabled",
        redisVersion: "6",
        disableAccessKeyAuthentication: args.entraIdAuthentication,
        redisConfiguration: {
          aadEnabled: args.entraIdAuthentication ? "true" : "false",
          // Under memory pressure evict only keys with a TTL (idempotency records), never stored items.
          maxmemoryPolicy: "volatile-lru",
        },
      },
      { parent: this },
    );
    if (args.privateEndpoint) {
      createPrivateEndpoint(`${name}-pe`, args, "redis", cache.id, args.privateEndpoint, {
        parent: this,
      });
    }
    diagnosticSetting(
      `${name}-diagnostics`,
      {
        resourceUri: cache.id,
        workspaceId: args.workspaceId,
        categories: ["ConnectedClientList", "MSEntraAuthenticationAuditLog"],
      },
      { parent: this },
    );
    if (args.accessKeySecret && !args.entraIdAuthentication) {
      const keys = redis.listRedisKeysOutput({
        resourceGroupName: args.resourceGroupName,
        name: cache.name,
      });
      new keyvault.Secret(
        `${name}-access-key`,
        {
          resourceGroupName: args.resourceGroupName,
          vaultName: args.accessKeySecret.vaultName,
          secretName: args.accessKeySecret.secretName,
          properties: { value: pulumi.secret(keys.primaryKey), contentType: "text/plain" },
          tags: args.tags,
        },
        { parent: this, additionalSecretOutputs: ["properties"] },
      );
    }
    this.cacheId = cache.id;
    this.cacheName = cache.name;
    this.hostName = cache.hostName;
    this.sslPort = cache.sslPort;
    this.registerOutputs({ cacheId: this.cacheId, hostName: this.hostName });
  }
}

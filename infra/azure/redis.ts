import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as redis from "@pulumi/azure-native/redis";
import * as redisenterprise from "@pulumi/azure-native/redisenterprise";
import type { ManagedRedisConfig, RedisConfig } from "../config";
import { createPrivateEndpoint, PrivateEndpointPlacement, PrivateLinkTarget } from "./network";
import { diagnosticSetting, Placement, placementOf } from "./shared";

/** A TCP port or an inclusive range (`endPort`) a network policy must open to the Redis endpoint. */
export interface RedisPort {
  port: number;
  endPort?: number;
}

/** What the app needs to know of either Redis service, whichever the stack runs. */
export interface RedisEndpoint {
  hostName: pulumi.Output<string>;
  port: number;
  /** `cluster`: the app speaks the Redis Cluster protocol (OSS clustering policy). */
  mode: "standalone" | "cluster";
  /** Every port clients connect to: the endpoint's, and with OSS clustering each shard's own. */
  ports: RedisPort[];
  auth: "entra" | "access-key";
  /** The Azure resource the private endpoint targets and diagnostics describe. */
  resourceId: pulumi.Output<string>;
}

/**
 * Azure Managed Redis serves TLS on port 10000. With the OSS clustering policy, clients then
 * connect to each shard directly "using ports in the 85XX range" that "change over time and
 * shouldn't be hardcoded" (https://learn.microsoft.com/azure/redis/architecture, Clustering, and
 * https://learn.microsoft.com/azure/redis/choose-clustering-policy): so the whole 8500-8599 range.
 */
export const MANAGED_REDIS_PORT = 10000;
export const MANAGED_REDIS_SHARD_PORTS: RedisPort = { port: 8500, endPort: 8599 };
/** Azure Cache for Redis: TLS port 6380 (the non-TLS 6379 stays closed). */
export const CACHE_TLS_PORT = 6380;

/** Managed Redis has exactly one database, named "default" (Database `databaseName`). */
const MANAGED_REDIS_DATABASE = "default";

/** Ports the app's network policy opens for a Redis service and its clustering policy. */
export function redisPorts(
  service: RedisConfig["service"],
  clusteringPolicy: ManagedRedisConfig["clusteringPolicy"],
): RedisPort[] {
  if (service === "cache") return [{ port: CACHE_TLS_PORT }];
  return clusteringPolicy === "OSSCluster"
    ? [{ port: MANAGED_REDIS_PORT }, MANAGED_REDIS_SHARD_PORTS]
    : [{ port: MANAGED_REDIS_PORT }];
}

/** The private-link target (DNS zone, group id) of a Redis service. */
export function redisPrivateLinkTarget(service: RedisConfig["service"]): PrivateLinkTarget {
  return service === "managed" ? "managedRedis" : "redis";
}

/** The `persistence` input of a database for the configured mode (at most one of AOF and RDB). */
export function managedPersistence(
  mode: ManagedRedisConfig["persistence"],
): redisenterprise.DatabaseArgs["persistence"] {
  if (mode === "aof") return { aofEnabled: true, aofFrequency: "1s", rdbEnabled: false };
  if (mode === "rdb") return { rdbEnabled: true, rdbFrequency: "1h", aofEnabled: false };
  return { aofEnabled: false, rdbEnabled: false };
}

export interface RedisArgs extends Placement {
  /** The Azure name of the cache or cluster. */
  cacheName: string;
  config: RedisConfig;
  workspaceId: pulumi.Input<string>;
  privateEndpoint?: PrivateEndpointPlacement;
  /** The app's identity: Redis data access through Microsoft Entra ID. */
  appIdentity: { principalId: pulumi.Input<string>; name: string };
  /** With access keys (cache only): the vault (and secret name) where the app's CSI driver finds the key. */
  accessKeySecret?: { vaultName: pulumi.Input<string>; secretName: string };
}

/** The platform's Redis: Azure Managed Redis, or Azure Cache for Redis where a tenant still has it. */
export function createRedis(
  name: string,
  args: RedisArgs,
  opts?: pulumi.ComponentResourceOptions,
): RedisEndpoint {
  return args.config.service === "managed"
    ? new ManagedRedis(name, args, opts).endpoint
    : new RedisCache(name, args, opts).endpoint;
}

/**
 * Azure Managed Redis (`Microsoft.Cache/redisEnterprise`, API 2025-07-01): TLS 1.2+ only, Entra
 * ID only (access keys off from the start, the service's own default for new caches:
 * https://learn.microsoft.com/azure/redis/entra-for-authentication), the app's identity assigned
 * the `default` access policy, persistence and eviction from config, connection events in the
 * workspace.
 */
export class ManagedRedis extends pulumi.ComponentResource {
  readonly endpoint: RedisEndpoint;

  constructor(name: string, args: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:azure:ManagedRedis", name, {}, opts);
    const managed = args.config.managed;
    const cluster = new redisenterprise.RedisEnterprise(
      `${name}-cluster`,
      {
        ...placementOf(args),
        clusterName: args.cacheName,
        sku: { name: managed.sku },
        highAvailability: managed.highAvailability ? "Enabled" : "Disabled",
        minimumTlsVersion: "1.2",
        publicNetworkAccess: args.config.publicNetworkAccess ? "Enabled" : "Disabled",
      },
      { parent: this },
    );
    const database = new redisenterprise.Database(
      `${name}-database`,
      {
        resourceGroupName: args.resourceGroupName,
        clusterName: cluster.name,
        databaseName: MANAGED_REDIS_DATABASE,
        port: MANAGED_REDIS_PORT,
        clientProtocol: "Encrypted",
        // Access keys are off at create and never exist; Entra ID authentication cannot be
        // switched off on this service, so no client is locked out by the order of resources.
        accessKeysAuthentication: "Disabled",
        clusteringPolicy: managed.clusteringPolicy,
        evictionPolicy: managed.evictionPolicy,
        persistence: managedPersistence(managed.persistence),
      },
      { parent: this },
    );
    // The user is the identity's object (principal) id; "default" is the one access policy the
    // API supports (AccessPolicyAssignmentArgs.accessPolicyName).
    new redisenterprise.AccessPolicyAssignment(
      `${name}-app-access`,
      {
        resourceGroupName: args.resourceGroupName,
        clusterName: cluster.name,
        databaseName: database.name,
        accessPolicyAssignmentName: "app",
        accessPolicyName: "default",
        user: { objectId: args.appIdentity.principalId },
      },
      { parent: this },
    );
    if (args.privateEndpoint) {
      createPrivateEndpoint(`${name}-pe`, args, "managedRedis", cluster.id, args.privateEndpoint, {
        parent: this,
      });
    }
    // Logs of Microsoft.Cache/redisEnterprise/databases: the one category ConnectionEvents
    // (https://learn.microsoft.com/azure/azure-monitor/reference/supported-logs/microsoft-cache-redisenterprise-databases-logs).
    diagnosticSetting(
      `${name}-diagnostics`,
      {
        resourceUri: database.id,
        workspaceId: args.workspaceId,
        categories: ["ConnectionEvents"],
        dedicatedTables: true,
      },
      { parent: this },
    );
    this.endpoint = {
      hostName: cluster.hostName,
      port: MANAGED_REDIS_PORT,
      mode: managed.clusteringPolicy === "OSSCluster" ? "cluster" : "standalone",
      ports: redisPorts("managed", managed.clusteringPolicy),
      auth: "entra",
      resourceId: cluster.id,
    };
    this.registerOutputs({ endpoint: this.endpoint });
  }
}

/**
 * Microsoft's order for Entra-only Azure Cache for Redis: Entra ID enabled, at least one access
 * policy assignment made, then access keys disabled ("Before you disable access keys: ensure
 * that Microsoft Entra authentication is enabled and you have at least one Redis User
 * configured", https://learn.microsoft.com/azure/azure-cache-for-redis/cache-azure-active-directory-for-authentication).
 * The cache is created with keys on; after the assignment this PATCH (Redis_Update, properties
 * RedisUpdateParameters.disableAccessKeyAuthentication in azure-rest-api-specs
 * specification/redis) turns them off. Fixed text: the cache id arrives through the environment.
 */
export const DISABLE_ACCESS_KEYS_COMMAND = [
  "az rest --method patch",
  '--url "https://management.azure.com${CACHE_ID}?api-version=2024-11-01"',
  `--body '{"properties":{"disableAccessKeyAuthentication":true}}'`,
].join(" ");

/** Azure Cache for Redis: TLS 1.2 only on port 6380, Entra ID auth, logs to the workspace. */
export class RedisCache extends pulumi.ComponentResource {
  readonly endpoint: RedisEndpoint;

  constructor(name: string, args: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:azure:RedisCache", name, {}, opts);
    const { config } = args;
    const entra = config.entraIdAuthentication;
    const cache = new redis.Redis(
      `${name}-cache`,
      {
        ...placementOf(args),
        name: args.cacheName,
        sku: { name: config.sku, family: config.family, capacity: config.capacity },
        enableNonSslPort: false,
        minimumTlsVersion: redis.TlsVersion.TlsVersion_1_2,
        publicNetworkAccess: config.publicNetworkAccess ? "Enabled" : "Disabled",
        redisVersion: "6",
        // Keys stay on at create; with Entra ID they are switched off once the app's access
        // policy assignment exists (DISABLE_ACCESS_KEYS_COMMAND), so later runs leave this alone.
        disableAccessKeyAuthentication: false,
        redisConfiguration: {
          aadEnabled: entra ? "true" : "false",
          // Under memory pressure evict only keys with a TTL (idempotency records), never stored items.
          maxmemoryPolicy: "volatile-lru",
        },
      },
      { parent: this, ignoreChanges: entra ? ["disableAccessKeyAuthentication"] : [] },
    );
    if (entra) {
      const assignment = new redis.AccessPolicyAssignment(
        `${name}-app-access`,
        {
          resourceGroupName: args.resourceGroupName,
          cacheName: cache.name,
          accessPolicyAssignmentName: "app",
          accessPolicyName: "Data Contributor",
          objectId: args.appIdentity.principalId,
          objectIdAlias: args.appIdentity.name,
        },
        { parent: this },
      );
      new command.local.Command(
        `${name}-disable-access-keys`,
        {
          create: DISABLE_ACCESS_KEYS_COMMAND,
          environment: { CACHE_ID: cache.id },
          triggers: [cache.id],
        },
        { parent: this, dependsOn: [assignment] },
      );
    }
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
    if (args.accessKeySecret && !entra) {
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
    this.endpoint = {
      hostName: cache.hostName,
      port: CACHE_TLS_PORT,
      mode: "standalone",
      ports: redisPorts("cache", config.managed.clusteringPolicy),
      auth: entra ? "entra" : "access-key",
      resourceId: cache.id,
    };
    this.registerOutputs({ endpoint: this.endpoint });
  }
}

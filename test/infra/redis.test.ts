import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import {
  DISABLE_ACCESS_KEYS_COMMAND,
  MANAGED_REDIS_PORT,
  MANAGED_REDIS_SHARD_PORTS,
} from "../../infra/azure/redis";
import { runProgram, type RecordedStack, type StackDocument } from "../../tools/engine";
import { isWireSecret } from "../../tools/secrets";
import {
  byName,
  inputsOf,
  onlyInputs,
  recordedStack,
  resourcesOfType,
  STACKS,
} from "../support/stacks";

const CLUSTER = "azure-native:redisenterprise:RedisEnterprise";
const DATABASE = "azure-native:redisenterprise:Database";
const CACHE = "azure-native:redis:Redis";
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const PROJECT_ROOT = path.resolve(__dirname, "../..");

function named(stack: RecordedStack, name: string) {
  const found = stack.resources.find((resource) => resource.name === name);
  if (!found) throw new Error(`no resource named ${name}`);
  return found;
}

function redisEgressPorts(stack: RecordedStack | "dev" | "prod") {
  const policies = resourcesOfType(stack, NETWORK_POLICY).map(inputsOf);
  return policies.find((policy) => policy.metadata.name === "items-api-allow-redis").spec.egress[0];
}

function appEnv(stack: RecordedStack | "dev" | "prod"): Record<string, string> {
  const deployment = onlyInputs(stack, "kubernetes:apps/v1:Deployment");
  return Object.fromEntries(
    deployment.spec.template.spec.containers[0].env.map(
      (variable: { name: string; value: string }) => [variable.name, variable.value],
    ),
  );
}

describe.each(STACKS)("Azure Managed Redis (%s)", (stack) => {
  it("is the stack's Redis: a cluster and its database, no Azure Cache for Redis", () => {
    expect(resourcesOfType(stack, CLUSTER)).toHaveLength(1);
    expect(resourcesOfType(stack, DATABASE)).toHaveLength(1);
    expect(resourcesOfType(stack, CACHE)).toHaveLength(0);
  });

  it("serves TLS 1.2+ on port 10000 only, Entra ID only, OSS clustering", () => {
    expect(onlyInputs(stack, CLUSTER).minimumTlsVersion).toBe("1.2");
    const database = onlyInputs(stack, DATABASE);
    expect(database).toMatchObject({
      databaseName: "default",
      port: MANAGED_REDIS_PORT,
      clientProtocol: "Encrypted",
      accessKeysAuthentication: "Disabled",
      clusteringPolicy: "OSSCluster",
      evictionPolicy: "VolatileLRU",
    });
    expect(byName(stack, "redis-database").propertyDependencies.clusterName).toContain(
      byName(stack, "redis-cluster").urn,
    );
  });

  it("assigns the app's workload identity the default access policy on the database", () => {
    const assignment = byName(stack, "redis-app-access");
    expect(inputsOf(assignment).accessPolicyName).toBe("default");
    expect(assignment.propertyDependencies.user).toContain(byName(stack, "identity-app").urn);
    expect(assignment.propertyDependencies.databaseName).toContain(
      byName(stack, "redis-database").urn,
    );
    expect(resourcesOfType(stack, "azure-native:keyvault:Secret")).toHaveLength(0);
  });

  it("sends the database's connection events (its one log category) to the workspace", () => {
    const setting = byName(stack, "redis-diagnostics");
    expect(setting.propertyDependencies.resourceUri).toContain(byName(stack, "redis-database").urn);
    expect(inputsOf(setting).logs).toEqual([{ category: "ConnectionEvents", enabled: true }]);
  });

  it("the app runs in cluster mode against port 10000 and may reach every shard port", () => {
    const env = appEnv(stack);
    expect(env.REDIS_MODE).toBe("cluster");
    expect(env.REDIS_AUTH).toBe("entra");
    expect(env.REDIS_URL).toMatch(/^rediss:\/\/.+:10000$/);
    expect(redisEgressPorts(stack).ports).toEqual([
      { protocol: "TCP", port: MANAGED_REDIS_PORT },
      { protocol: "TCP", port: MANAGED_REDIS_SHARD_PORTS.port, endPort: 8599 },
    ]);
  });
});

describe("Azure Managed Redis differences", () => {
  it("prod: replicated, AOF persistence, private endpoint in the Managed Redis DNS zone", () => {
    const cluster = onlyInputs("prod", CLUSTER);
    expect(cluster).toMatchObject({
      sku: { name: "Balanced_B5" },
      highAvailability: "Enabled",
      publicNetworkAccess: "Disabled",
    });
    expect(onlyInputs("prod", DATABASE).persistence).toEqual({
      aofEnabled: true,
      aofFrequency: "1s",
      rdbEnabled: false,
    });
    const endpoint = byName("prod", "redis-pe");
    expect(endpoint.propertyDependencies.privateLinkServiceConnections).toContain(
      byName("prod", "redis-cluster").urn,
    );
    expect(inputsOf(endpoint).privateLinkServiceConnections[0].groupIds).toEqual([
      "redisEnterprise",
    ]);
    expect(redisEgressPorts("prod").to).toEqual([{ ipBlock: { cidr: "10.30.8.0/24" } }]);
  });

  it("dev: the smallest SKU, no replica or persistence, public but reachable from the cluster", () => {
    const cluster = onlyInputs("dev", CLUSTER);
    expect(cluster).toMatchObject({
      sku: { name: "Balanced_B0" },
      highAvailability: "Disabled",
      publicNetworkAccess: "Enabled",
    });
    expect(onlyInputs("dev", DATABASE).persistence).toEqual({
      aofEnabled: false,
      rdbEnabled: false,
    });
    // Issue 14 item 2: nothing between the cluster's pods and the public endpoint. Managed Redis
    // has no IP firewall rules to forget the node subnet in, and the app's egress allows any
    // address on the Redis ports.
    expect(
      recordedStack("dev").resources.filter((resource) => /FirewallRule$/.test(resource.type)),
    ).toHaveLength(0);
    expect(redisEgressPorts("dev").to).toEqual([{ ipBlock: { cidr: "0.0.0.0/0" } }]);
  });
});

function stackDocument(stack: "dev" | "prod", redis: Record<string, unknown>): StackDocument {
  const text = fs.readFileSync(path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`), "utf8");
  const document = parseYaml(text) as { config: Record<string, unknown> };
  return { config: { ...document.config, "aks-devsecops:redis": redis } };
}

describe("redis.service: cache (Azure Cache for Redis, for tenants that still have it)", () => {
  let entra: RecordedStack;
  let keys: RecordedStack;
  beforeAll(async () => {
    [entra, keys] = await Promise.all([
      runProgram({
        stack: "prod",
        mode: "resolved",
        stackDocument: stackDocument("prod", {
          service: "cache",
          sku: "Premium",
          family: "P",
          capacity: 1,
          publicNetworkAccess: false,
          entraIdAuthentication: true,
        }),
      }),
      runProgram({
        stack: "dev",
        mode: "resolved",
        stackDocument: stackDocument("dev", {
          service: "cache",
          sku: "Basic",
          family: "C",
          capacity: 0,
          publicNetworkAccess: true,
          entraIdAuthentication: false,
        }),
      }),
    ]);
  }, 120_000);

  it("serves TLS 1.2+ on 6380 only; the app runs standalone", () => {
    for (const stack of [entra, keys]) {
      expect(resourcesOfType(stack, CLUSTER)).toHaveLength(0);
      const cache = onlyInputs(stack, CACHE);
      expect(cache.enableNonSslPort).toBe(false);
      expect(cache.minimumTlsVersion).toBe("1.2");
      expect(appEnv(stack).REDIS_MODE).toBe("standalone");
      expect(appEnv(stack).REDIS_URL).toMatch(
        /^rediss:\/\/redis-contoso-\w+\.redis\.cache\.windows\.net:6380$/,
      );
      expect(redisEgressPorts(stack).ports).toEqual([{ protocol: "TCP", port: 6380 }]);
      expect(named(stack, "redis-diagnostics").propertyDependencies.resourceUri).toContain(
        named(stack, "redis-cache").urn,
      );
    }
  });

  it("Entra ID: keys are disabled only after the app's access policy assignment exists", () => {
    const cache = named(entra, "redis-cache");
    // Created with keys on (Microsoft's order), later runs leave the setting to the PATCH.
    expect(inputsOf(cache).disableAccessKeyAuthentication).toBe(false);
    expect(inputsOf(cache).redisConfiguration.aadEnabled).toBe("true");
    const assignment = named(entra, "redis-app-access");
    expect(assignment.type).toBe("azure-native:redis:AccessPolicyAssignment");
    expect(inputsOf(assignment).accessPolicyName).toBe("Data Contributor");
    const disable = named(entra, "redis-disable-access-keys");
    expect(disable.type).toBe("command:local:Command");
    expect(disable.dependencies).toContain(assignment.urn);
    expect(inputsOf(disable).create).toBe(DISABLE_ACCESS_KEYS_COMMAND);
    expect(DISABLE_ACCESS_KEYS_COMMAND).toContain('"disableAccessKeyAuthentication":true');
    expect(disable.propertyDependencies.environment).toContain(cache.urn);
    expect(named(entra, "redis-pe").propertyDependencies.privateLinkServiceConnections).toContain(
      cache.urn,
    );
    expect(resourcesOfType(entra, "azure-native:keyvault:Secret")).toHaveLength(0);
  });

  it("access keys: the key goes to Key Vault as a secret and nothing disables it", () => {
    const [secret] = resourcesOfType(keys, "azure-native:keyvault:Secret");
    expect(isWireSecret((secret.inputs.properties as Record<string, unknown>).value)).toBe(true);
    expect(JSON.stringify(keys.outputs)).not.toContain("mock-primary-key");
    expect(resourcesOfType(keys, "command:local:Command")).toHaveLength(0);
    expect(resourcesOfType(keys, "azure-native:redis:AccessPolicyAssignment")).toHaveLength(0);
    expect(appEnv(keys).REDIS_PASSWORD_FILE).toBe("/mnt/secrets/redis-access-key");
  });
});

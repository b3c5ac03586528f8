import { describe, expect, it } from "vitest";
import {
  endpointOnlyDependingOn,
  endpointSubnet,
  expectCantRun,
  expectFailure,
  expectMandatoryWhenConfigured,
  expectPasses,
  present,
  privateEndpoint,
  REDIS,
  setPaths,
  type FailureCase,
} from "../../support/policy-fixtures";
import {
  analyze,
  testResource,
  UNKNOWN,
  violationsOf,
  type TestResource,
} from "../../support/policy-harness";

/** Every RED control but RED-07, which flags every Azure Cache for Redis (the service retires). */
const RED_POLICIES = ["red-01", "red-02", "red-03", "red-04", "red-05", "red-06"];
const MANAGED_CLUSTER = "azure-native:redisenterprise:RedisEnterprise";
const MANAGED_DATABASE = "azure-native:redisenterprise:Database";

interface Fixture {
  cache: TestResource;
  endpoint?: TestResource;
  subnet: TestResource;
}

/** Prod's cache: Premium, TLS 1.2 on 6380 only, private, Entra ID with access keys off. */
function compliantFixture(): Fixture {
  const cache = testResource(REDIS, "contoso-redis", {
    name: "redis-contoso-prod",
    resourceGroupName: "rg-contoso-prod",
    location: "westeurope",
    sku: { name: "Premium", family: "P", capacity: 1 },
    enableNonSslPort: false,
    minimumTlsVersion: "1.2",
    publicNetworkAccess: "Disabled",
    disableAccessKeyAuthentication: true,
    redisConfiguration: {
      aadEnabled: "true",
      maxmemoryPolicy: "volatile-lru",
      rdbBackupEnabled: "true",
      rdbBackupFrequency: "60",
    },
  });
  const subnet = endpointSubnet();
  const endpoint = privateEndpoint(
    "contoso-redis-pe",
    cache,
    { name: "redis", privateLinkServiceId: "/subscriptions/x/redis", groupId: "redisCache" },
    subnet,
  );
  return { cache, endpoint, subnet };
}

function resourcesOf({ cache, endpoint, subnet }: Fixture): TestResource[] {
  return endpoint ? [cache, endpoint, subnet] : [cache, subnet];
}

/** The compliant fixture with some of the cache's inputs replaced (undefined removes one). */
function withCache(changes: Record<string, unknown>): TestResource[] {
  const fixture = compliantFixture();
  setPaths(fixture.cache.inputs, changes);
  return resourcesOf(fixture);
}

const CACHE_URN = compliantFixture().cache.urn;

describe("redis policies: compliant caches", () => {
  it("prod's cache with its private endpoint passes every RED policy", async () => {
    await expectPasses(resourcesOf(compliantFixture()), RED_POLICIES);
  });

  it("accepts enableNonSslPort left out, a lower-case SKU and an AadEnabled key in any case", async () => {
    await expectPasses(
      withCache({
        enableNonSslPort: undefined,
        sku: { name: "premium", family: "P", capacity: 1 },
        redisConfiguration: { AadEnabled: "True", AofBackupEnabled: "TRUE" },
      }),
      RED_POLICIES,
    );
  });
});

const failures: FailureCase[] = [
  {
    what: "the non-TLS port open",
    resources: () => withCache({ enableNonSslPort: true }),
    policy: "red-01",
    level: "mandatory",
    message: "cache 'contoso-redis' has enableNonSslPort=true; set enableNonSslPort: false",
  },
  {
    what: "TLS 1.0 allowed",
    resources: () => withCache({ minimumTlsVersion: "1.0" }),
    policy: "red-02",
    level: "mandatory",
    message: `cache 'contoso-redis' has minimumTlsVersion="1.0"; set minimumTlsVersion: "1.2"`,
  },
  {
    what: "TLS 1.1 allowed",
    resources: () => withCache({ minimumTlsVersion: "1.1" }),
    policy: "red-02",
    level: "mandatory",
    message: `minimumTlsVersion="1.1"`,
  },
  {
    what: "no minimum TLS version stated",
    resources: () => withCache({ minimumTlsVersion: undefined }),
    policy: "red-02",
    level: "mandatory",
    message: `minimumTlsVersion=not set; set minimumTlsVersion: "1.2"`,
  },
  {
    what: "public network access",
    resources: () => withCache({ publicNetworkAccess: "Enabled" }),
    policy: "red-03",
    level: "advisory",
    message: `cache 'contoso-redis' is not private: publicNetworkAccess is "Enabled" (Enabled unless set); set publicNetworkAccess: "Disabled"`,
  },
  {
    what: "public network access not stated",
    resources: () => withCache({ publicNetworkAccess: undefined }),
    policy: "red-03",
    level: "advisory",
    message: "publicNetworkAccess is not set",
  },
  {
    what: "no private endpoint",
    resources: () => {
      const fixture = compliantFixture();
      delete fixture.endpoint;
      return resourcesOf(fixture);
    },
    policy: "red-03",
    level: "advisory",
    message:
      "cache 'contoso-redis' is not private: no private endpoint targets it, add a network:PrivateEndpoint",
  },
  {
    what: "Basic SKU",
    resources: () => withCache({ sku: { name: "Basic", family: "C", capacity: 0 } }),
    policy: "red-04",
    level: "advisory",
    message: `cache 'contoso-redis' has sku.name="Basic"; set sku.name: "Standard" or "Premium"`,
  },
  {
    what: "no SKU",
    resources: () => withCache({ sku: undefined }),
    policy: "red-04",
    level: "advisory",
    message: "has sku.name=not set",
  },
  {
    what: "access keys enabled",
    resources: () => withCache({ disableAccessKeyAuthentication: false }),
    policy: "red-05",
    level: "advisory",
    message:
      "cache 'contoso-redis' does not rely on Entra ID alone: disableAccessKeyAuthentication is false; set disableAccessKeyAuthentication: true",
  },
  {
    what: "Entra ID authentication off",
    resources: () => withCache({ redisConfiguration: { aadEnabled: "false" } }),
    policy: "red-05",
    level: "advisory",
    message: `redisConfiguration.aadEnabled is "false"; set redisConfiguration.aadEnabled: "true"`,
  },
  {
    what: "no redisConfiguration at all",
    resources: () => withCache({ redisConfiguration: undefined }),
    policy: "red-05",
    level: "advisory",
    message: "redisConfiguration.aadEnabled is not set",
  },
  {
    what: "no RDB or AOF backup",
    resources: () => withCache({ redisConfiguration: { aadEnabled: "true" } }),
    policy: "red-06",
    level: "advisory",
    message: `cache 'contoso-redis' persists nothing: set sku.name: "Premium" with redisConfiguration.rdbBackupEnabled or aofBackupEnabled "true"`,
  },
  {
    what: "backup settings on a Standard cache (only Premium persists)",
    resources: () => withCache({ sku: { name: "Standard", family: "C", capacity: 1 } }),
    policy: "red-06",
    level: "advisory",
    message: "persists nothing",
  },
  {
    what: "any Azure Cache for Redis, even a compliant one",
    resources: () => resourcesOf(compliantFixture()),
    policy: "red-07",
    level: "advisory",
    message:
      "cache 'contoso-redis' is Azure Cache for Redis, which Microsoft retires (Basic, Standard and Premium on 2028-09-30",
  },
];

describe("redis policies: each failure mode", () => {
  it.each(failures)("$policy: $what", (failure) => expectFailure(failure, CACHE_URN));

  it("RED-03 and RED-05 report every missing part of a cache in one violation each", async () => {
    const fixture = compliantFixture();
    delete fixture.endpoint;
    Object.assign(fixture.cache.inputs, {
      publicNetworkAccess: "Enabled",
      disableAccessKeyAuthentication: false,
      redisConfiguration: {},
    });
    const violations = await analyze(resourcesOf(fixture));
    expect(violationsOf(violations, "red-03").map(({ message }) => message)).toEqual([
      expect.stringMatching(/publicNetworkAccess is "Enabled".*no private endpoint targets it/),
    ]);
    expect(violationsOf(violations, "red-05").map(({ message }) => message)).toEqual([
      expect.stringMatching(/disableAccessKeyAuthentication is false.*aadEnabled is not set/),
    ]);
  });

  it("RED-03 does not count a private endpoint that only depends on the cache", async () => {
    const fixture = compliantFixture();
    fixture.endpoint = endpointOnlyDependingOn(fixture.cache, fixture.subnet);
    const violations = violationsOf(await analyze(resourcesOf(fixture)), "red-03");
    expect(violations).toEqual([
      expect.objectContaining({ message: expect.stringContaining("no private endpoint") }),
    ]);
  });
});

describe("redis policies: levels and unknown values", () => {
  it("RED-03, RED-04 and RED-06 (level P) are mandatory when the policy config says so", () =>
    expectMandatoryWhenConfigured(
      withCache({ publicNetworkAccess: "Enabled", sku: { name: "Basic" } }),
      ["red-03", "red-04", "red-06"],
    ));

  it("an unknown minimumTlsVersion gives an advisory 'can't run' diagnostic, not a pass", () =>
    expectCantRun(
      withCache({ minimumTlsVersion: UNKNOWN }),
      "red-02",
      /can't run policy 'red-02'.*minimumTlsVersion/,
    ));
});

// ---------------------------------------------------------------------------------------------
// Azure Managed Redis: the cluster carries TLS, network access and replication; the database
// carries protocol, authentication and persistence.

interface ManagedFixture {
  cluster: TestResource;
  database: TestResource;
  endpoint?: TestResource;
  subnet: TestResource;
}

/** Prod's Managed Redis: replicated, private, TLS 1.2, Entra ID only, AOF persistence. */
function compliantManaged(): ManagedFixture {
  const cluster = testResource(MANAGED_CLUSTER, "redis-cluster", {
    clusterName: "redis-contoso-prod",
    resourceGroupName: "rg-contoso-prod",
    location: "westeurope",
    sku: { name: "Balanced_B5" },
    highAvailability: "Enabled",
    minimumTlsVersion: "1.2",
    publicNetworkAccess: "Disabled",
  });
  const database = testResource(
    MANAGED_DATABASE,
    "redis-database",
    {
      resourceGroupName: "rg-contoso-prod",
      databaseName: "default",
      port: 10000,
      clientProtocol: "Encrypted",
      accessKeysAuthentication: "Disabled",
      clusteringPolicy: "OSSCluster",
      evictionPolicy: "VolatileLRU",
      persistence: { aofEnabled: true, aofFrequency: "1s", rdbEnabled: false },
    },
    { dependsOn: { clusterName: [cluster] } },
  );
  const subnet = endpointSubnet();
  const endpoint = privateEndpoint(
    "redis-pe",
    cluster,
    {
      name: "redis-pe-redisEnterprise",
      privateLinkServiceId: "/subscriptions/x/redisEnterprise",
      groupId: "redisEnterprise",
    },
    subnet,
  );
  return { cluster, database, endpoint, subnet };
}

function managedResources({ cluster, database, endpoint, subnet }: ManagedFixture): TestResource[] {
  return present(cluster, database, endpoint, subnet);
}

/** The compliant Managed Redis with some inputs replaced (undefined removes one), or no endpoint. */
function withManaged(changes: {
  cluster?: Record<string, unknown>;
  database?: Record<string, unknown>;
  endpoint?: undefined;
}): TestResource[] {
  const fixture = compliantManaged();
  if (changes.cluster) setPaths(fixture.cluster.inputs, changes.cluster);
  if (changes.database) setPaths(fixture.database.inputs, changes.database);
  if ("endpoint" in changes) delete fixture.endpoint;
  return managedResources(fixture);
}
const MANAGED_CLUSTER_URN = compliantManaged().cluster.urn;
const MANAGED_DATABASE_URN = compliantManaged().database.urn;

describe("redis policies: Azure Managed Redis", () => {
  it("prod's cluster and database with the private endpoint pass every RED policy, RED-07 too", async () => {
    await expectPasses(managedResources(compliantManaged()), [...RED_POLICIES, "red-07"]);
  });

  it("accepts clientProtocol and highAvailability left out (Encrypted and Enabled by default), RDB instead of AOF", async () => {
    await expectPasses(
      withManaged({
        cluster: { highAvailability: undefined },
        database: {
          clientProtocol: undefined,
          persistence: { rdbEnabled: true, rdbFrequency: "1h" },
        },
      }),
      RED_POLICIES,
    );
  });

  const managedFailures: FailureCase[] = [
    {
      what: "plaintext protocol",
      resources: () => withManaged({ database: { clientProtocol: "Plaintext" } }),
      policy: "red-01",
      level: "mandatory",
      urn: MANAGED_DATABASE_URN,
      message: `database 'redis-database' has clientProtocol="Plaintext"; set clientProtocol: "Encrypted"`,
    },
    {
      what: "no minimum TLS version on the cluster",
      resources: () => withManaged({ cluster: { minimumTlsVersion: undefined } }),
      policy: "red-02",
      level: "mandatory",
      urn: MANAGED_CLUSTER_URN,
      message: `cluster 'redis-cluster' has minimumTlsVersion=not set; set minimumTlsVersion: "1.2"`,
    },
    {
      what: "TLS 1.1 on the cluster",
      resources: () => withManaged({ cluster: { minimumTlsVersion: "1.1" } }),
      policy: "red-02",
      level: "mandatory",
      urn: MANAGED_CLUSTER_URN,
      message: `minimumTlsVersion="1.1"`,
    },
    {
      what: "public network access on the cluster",
      resources: () => withManaged({ cluster: { publicNetworkAccess: "Enabled" } }),
      policy: "red-03",
      level: "advisory",
      urn: MANAGED_CLUSTER_URN,
      message: `cluster 'redis-cluster' is not private: publicNetworkAccess is "Enabled"`,
    },
    {
      what: "no private endpoint for the cluster",
      resources: () => withManaged({ endpoint: undefined }),
      policy: "red-03",
      level: "advisory",
      urn: MANAGED_CLUSTER_URN,
      message: `no private endpoint targets it, add a network:PrivateEndpoint whose privateLinkServiceConnections[].privateLinkServiceId is the cluster's id (groupIds: ["redisEnterprise"])`,
    },
    {
      what: "high availability off",
      resources: () => withManaged({ cluster: { highAvailability: "Disabled" } }),
      policy: "red-04",
      level: "advisory",
      urn: MANAGED_CLUSTER_URN,
      message: `cluster 'redis-cluster' has highAvailability="Disabled"; set highAvailability: "Enabled"`,
    },
    {
      what: "access keys on",
      resources: () => withManaged({ database: { accessKeysAuthentication: "Enabled" } }),
      policy: "red-05",
      level: "advisory",
      urn: MANAGED_DATABASE_URN,
      message: `database 'redis-database' does not rely on Entra ID alone: accessKeysAuthentication is "Enabled"; set accessKeysAuthentication: "Disabled"`,
    },
    {
      what: "access keys not stated",
      resources: () => withManaged({ database: { accessKeysAuthentication: undefined } }),
      policy: "red-05",
      level: "advisory",
      urn: MANAGED_DATABASE_URN,
      message: "accessKeysAuthentication is not set",
    },
    {
      what: "no persistence",
      resources: () =>
        withManaged({ database: { persistence: { aofEnabled: false, rdbEnabled: false } } }),
      policy: "red-06",
      level: "advisory",
      urn: MANAGED_DATABASE_URN,
      message: `database 'redis-database' persists nothing`,
    },
    {
      what: "persistence not stated",
      resources: () => withManaged({ database: { persistence: undefined } }),
      policy: "red-06",
      level: "advisory",
      urn: MANAGED_DATABASE_URN,
      message: "persistence is not set; set persistence.aofEnabled: true",
    },
  ];

  it.each(managedFailures)("$policy: $what", (failure) => expectFailure(failure));

  it("RED-03, RED-04 and RED-06 are mandatory on the cluster and database when configured", () =>
    expectMandatoryWhenConfigured(
      withManaged({
        cluster: { publicNetworkAccess: "Enabled", highAvailability: "Disabled" },
        database: { persistence: undefined },
      }),
      ["red-03", "red-04", "red-06"],
    ));

  it("an unknown minimumTlsVersion on the cluster gives 'can't run', not a pass", () =>
    expectCantRun(
      withManaged({ cluster: { minimumTlsVersion: UNKNOWN } }),
      "red-02",
      /can't run policy 'red-02'.*minimumTlsVersion/,
    ));
});

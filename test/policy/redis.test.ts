import { describe, expect, it } from "vitest";
import {
  endpointOnlyDependingOn,
  endpointSubnet,
  expectCantRun,
  expectFailure,
  expectMandatoryWhenConfigured,
  expectPasses,
  privateEndpoint,
  REDIS,
  setPaths,
  type FailureCase,
} from "../support/policy-fixtures";
import {
  analyze,
  testResource,
  UNKNOWN,
  violationsOf,
  type TestResource,
} from "../support/policy-harness";

const RED_POLICIES = ["red-01", "red-02", "red-03", "red-04", "red-05"];

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
    redisConfiguration: { aadEnabled: "true", maxmemoryPolicy: "volatile-lru" },
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
        sku: { name: "standard", family: "C", capacity: 1 },
        redisConfiguration: { AadEnabled: "True" },
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
  it("RED-03 and RED-04 (level P) are mandatory when the policy config says so", () =>
    expectMandatoryWhenConfigured(
      withCache({ publicNetworkAccess: "Enabled", sku: { name: "Basic" } }),
      ["red-03", "red-04"],
    ));

  it("an unknown minimumTlsVersion gives an advisory 'can't run' diagnostic, not a pass", () =>
    expectCantRun(
      withCache({ minimumTlsVersion: UNKNOWN }),
      "red-02",
      /can't run policy 'red-02'.*minimumTlsVersion/,
    ));
});

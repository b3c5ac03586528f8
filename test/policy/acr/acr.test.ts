import { describe, expect, it } from "vitest";
import {
  CLUSTER,
  endpointOnlyDependingOn,
  endpointSubnet,
  expectCantRun,
  expectFailure,
  expectMandatoryWhenConfigured,
  expectPasses,
  fixtureChanger,
  present,
  PRICING,
  privateEndpoint,
  REGISTRY,
  setPath,
  setPaths,
  SUBNET,
  type FailureCase,
} from "../../support/policy-fixtures";
import {
  analyze,
  testResource,
  UNKNOWN,
  violationsOf,
  type TestResource,
} from "../../support/policy-harness";

const ACR_POLICIES = ["acr-01", "acr-02", "acr-03", "acr-04", "acr-05", "acr-06"];

interface Fixture {
  registry: TestResource;
  endpoint?: TestResource;
  pricing?: TestResource;
  others: TestResource[];
}

/** A Premium, private registry the way prod builds it, with its private endpoint and Defender plan. */
function compliantFixture(): Fixture {
  const registry = testResource(REGISTRY, "contoso-acr", {
    registryName: "acrcontosoprod",
    resourceGroupName: "rg-contoso-prod",
    sku: { name: "Premium" },
    adminUserEnabled: false,
    anonymousPullEnabled: false,
    publicNetworkAccess: "Disabled",
    zoneRedundancy: "Enabled",
    policies: { retentionPolicy: { status: "enabled", days: 7 } },
  });
  const subnet = endpointSubnet();
  const endpoint = privateEndpoint(
    "contoso-acr-pe",
    registry,
    { name: "registry", privateLinkServiceId: "/subscriptions/x/acr", groupId: "registry" },
    subnet,
  );
  const pricing = testResource(PRICING, "defender-containers", {
    pricingName: "Containers",
    pricingTier: "Standard",
    scopeId: "/subscriptions/00000000-0000-0000-0000-000000000000",
  });
  return { registry, endpoint, pricing, others: [subnet] };
}

function resourcesOf(fixture: Fixture): TestResource[] {
  return present(fixture.registry, fixture.endpoint, fixture.pricing, ...fixture.others);
}

const withFixture = fixtureChanger(compliantFixture, resourcesOf);

/** The compliant fixture with the registry's inputs changed: path -> value (undefined removes). */
function withRegistry(changes: Record<string, unknown>): TestResource[] {
  return withFixture((fixture) => setPaths(fixture.registry.inputs, changes));
}

const REGISTRY_URN = compliantFixture().registry.urn;
const PRICING_URN = compliantFixture().pricing!.urn;

describe("registry policies: compliant stacks", () => {
  it("a Premium private registry with endpoint, retention and Defender passes every ACR policy", async () => {
    await expectPasses(resourcesOf(compliantFixture()), ACR_POLICIES);
  });

  it("ACR-02 passes without anonymousPullEnabled; ACR-05 ignores non-Premium registries", async () => {
    await expectPasses(
      withRegistry({
        anonymousPullEnabled: undefined,
        sku: { name: "Basic" },
        policies: undefined,
      }),
      ["acr-02", "acr-05"],
    );
  });

  it("ACR-04 wants no Containers plan from a stack without registry or cluster", async () => {
    const violations = await analyze([
      testResource(SUBNET, "alone", { addressPrefix: "10.0.0.0/24" }),
    ]);
    expect(violationsOf(violations, "acr-04")).toEqual([]);
  });

  it("ACR-04 accepts one Standard plan beside a Free one, with tiers in any case", async () => {
    const violations = await analyze(
      withFixture((fixture) => {
        setPath(fixture.pricing!.inputs, "pricingTier", "standard");
        fixture.others.push(
          testResource(PRICING, "legacy", { pricingName: "Containers", pricingTier: "Free" }),
        );
      }),
    );
    expect(violationsOf(violations, "acr-04")).toEqual([]);
  });
});

const failures: FailureCase[] = [
  {
    what: "admin user enabled",
    resources: () => withRegistry({ adminUserEnabled: true }),
    policy: "acr-01",
    level: "mandatory",
    urn: REGISTRY_URN,
    message:
      "registry 'contoso-acr' has adminUserEnabled=true; set adminUserEnabled: false (use Entra ID",
  },
  {
    what: "admin user not stated",
    resources: () => withRegistry({ adminUserEnabled: undefined }),
    policy: "acr-01",
    level: "mandatory",
    urn: REGISTRY_URN,
    message: "has adminUserEnabled=not set; set adminUserEnabled: false",
  },
  {
    what: "anonymous pull enabled",
    resources: () => withRegistry({ anonymousPullEnabled: true }),
    policy: "acr-02",
    level: "mandatory",
    urn: REGISTRY_URN,
    message: "registry 'contoso-acr' has anonymousPullEnabled=true, so anyone can pull its images",
  },
  {
    what: "Standard SKU",
    resources: () => withRegistry({ "sku.name": "Standard" }),
    policy: "acr-03",
    level: "advisory",
    urn: REGISTRY_URN,
    message: `registry 'contoso-acr' is not private: sku.name is "Standard", set sku: { name: "Premium" }`,
  },
  {
    what: "public network access",
    resources: () => withRegistry({ publicNetworkAccess: "Enabled" }),
    policy: "acr-03",
    level: "advisory",
    urn: REGISTRY_URN,
    message: `publicNetworkAccess is "Enabled", set publicNetworkAccess: "Disabled"`,
  },
  {
    what: "public network access not stated (Azure's default is Enabled)",
    resources: () => withRegistry({ publicNetworkAccess: undefined }),
    policy: "acr-03",
    level: "advisory",
    urn: REGISTRY_URN,
    message: `publicNetworkAccess is not set, set publicNetworkAccess: "Disabled"`,
  },
  {
    what: "no private endpoint",
    resources: () => withFixture((fixture) => delete fixture.endpoint),
    policy: "acr-03",
    level: "advisory",
    urn: REGISTRY_URN,
    message: "no private endpoint targets it, add a network:PrivateEndpoint",
  },
  {
    what: "a private endpoint that only depends on the registry without targeting it",
    resources: () =>
      withFixture((fixture) => {
        fixture.endpoint = endpointOnlyDependingOn(fixture.registry, fixture.others[0]);
      }),
    policy: "acr-03",
    level: "advisory",
    urn: REGISTRY_URN,
    message: "no private endpoint targets it",
  },
  {
    what: "Defender plans in the stack, but none for Containers",
    resources: () =>
      withFixture((fixture) => setPath(fixture.pricing!.inputs, "pricingName", "KeyVaults")),
    policy: "acr-04",
    level: "mandatory",
    urn: REGISTRY_URN,
    message: `registry 'contoso-acr' is not covered by Microsoft Defender for Containers: the stack has no security:Pricing for "Containers"; add one with pricingName: "Containers", pricingTier: "Standard"`,
  },
  {
    what: "a cluster without Defender for Containers",
    resources: () => [
      testResource(CLUSTER, "contoso-aks", { resourceName: "aks-contoso" }),
      testResource(PRICING, "defender-keyvaults", {
        pricingName: "KeyVaults",
        pricingTier: "Standard",
      }),
    ],
    policy: "acr-04",
    level: "mandatory",
    urn: "urn:pulumi:test::aks-devsecops::azure-native:containerservice:ManagedCluster::contoso-aks",
    message: "cluster 'contoso-aks' is not covered by Microsoft Defender for Containers",
  },
  {
    what: "Defender for Containers at the Free tier",
    resources: () =>
      withFixture((fixture) => setPath(fixture.pricing!.inputs, "pricingTier", "Free")),
    policy: "acr-04",
    level: "mandatory",
    urn: PRICING_URN,
    message: `security:Pricing 'defender-containers' has pricingTier="Free", so registry 'contoso-acr' is not covered by Microsoft Defender for Containers; set pricingName: "Containers", pricingTier: "Standard"`,
  },
  {
    what: "Premium without retention policy",
    resources: () => withRegistry({ policies: undefined }),
    policy: "acr-05",
    level: "advisory",
    urn: REGISTRY_URN,
    message: `Premium registry 'contoso-acr' has policies.retentionPolicy.status=not set, so untagged manifests pile up; set policies: { retentionPolicy: { status: "enabled"`,
  },
  {
    what: "Premium with retention disabled",
    resources: () => withRegistry({ "policies.retentionPolicy.status": "disabled" }),
    policy: "acr-05",
    level: "advisory",
    urn: REGISTRY_URN,
    message: `policies.retentionPolicy.status="disabled"`,
  },
];

describe("registry policies: each failure mode", () => {
  it.each(failures)("$policy: $what", (failure) => expectFailure(failure));

  it("ACR-03 reports every missing part of a public Basic registry in one violation", async () => {
    const violations = violationsOf(
      await analyze(
        withFixture((fixture) => {
          setPath(fixture.registry.inputs, "sku.name", "Basic");
          setPath(fixture.registry.inputs, "publicNetworkAccess", "Enabled");
          delete fixture.endpoint;
        }),
      ),
      "acr-03",
    );
    expect(violations).toHaveLength(1);
    expect(violations[0].message).toMatch(
      /sku\.name is "Basic".*publicNetworkAccess is "Enabled".*no private endpoint targets it/,
    );
  });
});

describe("registry policies: levels and unknown values", () => {
  it("ACR-03 (level P) is mandatory when the stack's policy config says so", () =>
    expectMandatoryWhenConfigured(withRegistry({ publicNetworkAccess: "Enabled" }), ["acr-03"]));

  it("an unknown adminUserEnabled gives an advisory 'can't run' diagnostic, not a pass", () =>
    expectCantRun(
      withRegistry({ adminUserEnabled: UNKNOWN }),
      "acr-01",
      /can't run policy 'acr-01'.*during preview/,
    ));

  it("an unknown SKU stops ACR-03 (a stack policy) with the same advisory diagnostic", () =>
    expectCantRun(
      withRegistry({ "sku.name": UNKNOWN }),
      "acr-03",
      /can't run policy 'acr-03'.*\.sku\.name/,
    ));
});

// ---------------------------------------------------------------------------------------------
// Issue 14: retention versus signatures (ACR-05), zone redundancy (ACR-06), Defender plans owned
// by another stack (ACR-04)

const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";
const ratifyRelease = () =>
  testResource(HELM_RELEASE, "ratify", {
    chart: "ratify",
    values: { azurekeyvault: { enabled: true, certificates: [{ name: "notation-signing" }] } },
  });

describe("ACR-05 with image signatures", () => {
  it("flags retention on a stack that verifies signatures: Notation signatures are untagged referrers", async () => {
    const violations = violationsOf(
      await analyze(withFixture((fixture) => fixture.others.push(ratifyRelease()))),
      "acr-05",
    );
    expect(violations).toEqual([
      {
        policy: "acr-05",
        enforcementLevel: "advisory",
        urn: REGISTRY_URN,
        message: expect.stringContaining(
          `Premium registry 'contoso-acr' has policies.retentionPolicy.status="enabled" while the stack verifies image signatures (Ratify): retention deletes untagged manifests, and Notation signatures are untagged referrers`,
        ),
      },
    ]);
  });

  it("passes a signature-verifying stack whose registry keeps untagged manifests", () =>
    expectPasses(
      withFixture((fixture) => {
        fixture.others.push(ratifyRelease());
        setPath(fixture.registry.inputs, "policies.retentionPolicy", { status: "disabled" });
      }),
      ["acr-05"],
    ));
});

describe("ACR-06: zone-redundant Premium registries", () => {
  it("ignores registries below Premium", () =>
    expectPasses(withRegistry({ sku: { name: "Basic" }, zoneRedundancy: undefined }), ["acr-06"]));

  it.each([
    ["not set", undefined],
    ['"Disabled"', "Disabled"],
  ])(
    "flags a Premium registry with zoneRedundancy %s (mandatory in prod)",
    async (shownValue, value) => {
      await expectFailure({
        what: "zone redundancy",
        resources: () => withRegistry({ zoneRedundancy: value }),
        policy: "acr-06",
        level: "advisory",
        urn: REGISTRY_URN,
        message: `Premium registry 'contoso-acr' has zoneRedundancy=${shownValue}; set zoneRedundancy: "Enabled"`,
      });
      await expectMandatoryWhenConfigured(withRegistry({ zoneRedundancy: value }), ["acr-06"]);
    },
  );
});

describe("ACR-04 on a stack that does not own the subscription's Defender plans", () => {
  it("asks nothing of a stack without any Defender plan (another stack owns them)", () =>
    expectPasses(
      withFixture((fixture) => delete fixture.pricing),
      ["acr-04"],
    ));
});

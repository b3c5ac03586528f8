import { describe, expect, it } from "vitest";
import {
  analyze,
  testResource,
  UNKNOWN,
  violationsOf,
  type TestResource,
} from "../support/policy-harness";

const REGISTRY = "azure-native:containerregistry:Registry";
const CLUSTER = "azure-native:containerservice:ManagedCluster";
const PRIVATE_ENDPOINT = "azure-native:network:PrivateEndpoint";
const PRICING = "azure-native:security:Pricing";
const SUBNET = "azure-native:network:Subnet";

const ACR_POLICIES = ["acr-01", "acr-02", "acr-03", "acr-04", "acr-05"];

/** Sets the property at a dotted path (creating objects on the way); `undefined` removes it. */
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  const last = keys.pop()!;
  let node = target;
  for (const key of keys) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  if (value === undefined) delete node[last];
  else node[last] = value;
}

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
    policies: { retentionPolicy: { status: "enabled", days: 7 } },
  });
  const subnet = testResource(SUBNET, "endpoints", { addressPrefix: "10.30.8.0/24" });
  const endpoint = testResource(
    PRIVATE_ENDPOINT,
    "contoso-acr-pe",
    {
      privateLinkServiceConnections: [
        { name: "registry", privateLinkServiceId: "/subscriptions/x/acr", groupIds: ["registry"] },
      ],
      subnet: { id: "/subscriptions/x/subnet" },
    },
    { dependsOn: { privateLinkServiceConnections: [registry], subnet: [subnet] } },
  );
  const pricing = testResource(PRICING, "defender-containers", {
    pricingName: "Containers",
    pricingTier: "Standard",
    scopeId: "/subscriptions/00000000-0000-0000-0000-000000000000",
  });
  return { registry, endpoint, pricing, others: [subnet] };
}

function resourcesOf(fixture: Fixture): TestResource[] {
  return [fixture.registry, fixture.endpoint, fixture.pricing, ...fixture.others].filter(
    (resource): resource is TestResource => resource !== undefined,
  );
}

/** The compliant fixture with the registry's inputs changed: path -> value (undefined removes). */
function withRegistry(changes: Record<string, unknown>): TestResource[] {
  const fixture = compliantFixture();
  for (const [path, value] of Object.entries(changes))
    setPath(fixture.registry.inputs, path, value);
  return resourcesOf(fixture);
}

function withFixture(change: (fixture: Fixture) => void): TestResource[] {
  const fixture = compliantFixture();
  change(fixture);
  return resourcesOf(fixture);
}

const REGISTRY_URN = compliantFixture().registry.urn;
const PRICING_URN = compliantFixture().pricing!.urn;

describe("registry policies: compliant stacks", () => {
  it("a Premium private registry with endpoint, retention and Defender passes every ACR policy", async () => {
    const violations = await analyze(resourcesOf(compliantFixture()));
    for (const policy of ACR_POLICIES) expect(violationsOf(violations, policy)).toEqual([]);
  });

  it("ACR-02 passes without anonymousPullEnabled; ACR-05 ignores non-Premium registries", async () => {
    const violations = await analyze(
      withRegistry({
        anonymousPullEnabled: undefined,
        sku: { name: "Basic" },
        policies: undefined,
      }),
    );
    expect(violationsOf(violations, "acr-02")).toEqual([]);
    expect(violationsOf(violations, "acr-05")).toEqual([]);
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

interface FailureCase {
  what: string;
  resources: () => TestResource[];
  policy: string;
  level: "mandatory" | "advisory";
  urn: string;
  message: string;
}

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
        const subnet = fixture.others[0];
        fixture.endpoint = testResource(
          PRIVATE_ENDPOINT,
          "other-pe",
          { subnet: { id: "/subscriptions/x/subnet" } },
          { dependsOn: { subnet: [subnet] } },
        );
        fixture.endpoint.dependencies.push(fixture.registry.urn);
      }),
    policy: "acr-03",
    level: "advisory",
    urn: REGISTRY_URN,
    message: "no private endpoint targets it",
  },
  {
    what: "no Defender for Containers plan",
    resources: () => withFixture((fixture) => delete fixture.pricing),
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
  it.each(failures)("$policy: $what", async ({ resources, policy, level, urn, message }) => {
    const violations = violationsOf(await analyze(resources()), policy);
    expect(violations).toEqual([
      { policy, enforcementLevel: level, urn, message: expect.stringContaining(message) },
    ]);
  });

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
  it("ACR-03 (level P) is mandatory when the stack's policy config says so", async () => {
    const violations = await analyze(withRegistry({ publicNetworkAccess: "Enabled" }), {
      policyConfig: { "acr-03": "mandatory" },
    });
    expect(violationsOf(violations, "acr-03")).toEqual([
      expect.objectContaining({ enforcementLevel: "mandatory" }),
    ]);
  });

  it("an unknown adminUserEnabled gives an advisory 'can't run' diagnostic, not a pass", async () => {
    const violations = violationsOf(
      await analyze(withRegistry({ adminUserEnabled: UNKNOWN })),
      "acr-01",
    );
    expect(violations).toEqual([
      expect.objectContaining({
        enforcementLevel: "advisory",
        message: expect.stringMatching(/can't run policy 'acr-01'.*during preview/),
      }),
    ]);
  });

  it("an unknown SKU stops ACR-03 (a stack policy) with the same advisory diagnostic", async () => {
    const violations = violationsOf(await analyze(withRegistry({ "sku.name": UNKNOWN })), "acr-03");
    expect(violations).toEqual([
      expect.objectContaining({
        enforcementLevel: "advisory",
        message: expect.stringMatching(/can't run policy 'acr-03'.*\.sku\.name/),
      }),
    ]);
  });
});

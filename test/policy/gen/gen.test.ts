import type { ResourceValidationArgs } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { allPolicies } from "../../../policy-pack/policies";
import {
  DIAGNOSTIC_SETTING,
  expectCantRun,
  NAMESPACE,
  POLICY_ASSIGNMENT,
  REGISTRY,
  setPaths,
} from "../../support/policy-fixtures";
import {
  analyze,
  testResource,
  UNKNOWN,
  violationsOf,
  type TestResource,
} from "../../support/policy-harness";

const RESOURCE_GROUP = "azure-native:resources:ResourceGroup";
const PRIVATE_ZONE = "azure-native:privatedns:PrivateZone";

const TAGS = { environment: "prod", owner: "platform-team", "managed-by": "pulumi" };
/** Stack config as PULUMI_CONFIG carries it: structured values are JSON text. */
const STACK_CONFIG = { "aks-devsecops:allowedLocations": '["westeurope","northeurope"]' };

function group(changes: Record<string, unknown> = {}): TestResource {
  const inputs = {
    resourceGroupName: "rg-contoso-prod",
    location: "westeurope",
    tags: { ...TAGS },
  };
  return testResource(RESOURCE_GROUP, "platform", setPaths(inputs, changes));
}

function registry(changes: Record<string, unknown> = {}): TestResource {
  const inputs = {
    registryName: "acrcontosoprod",
    location: "westeurope",
    sku: { name: "Premium" },
    tags: { ...TAGS },
  };
  return testResource(REGISTRY, "registry-acr", setPaths(inputs, changes));
}

/** Resources GEN-01 and GEN-02 leave alone: no location, a location but no tags, or not Azure. */
function untaggable(): TestResource[] {
  return [
    testResource(DIAGNOSTIC_SETTING, "registry-diagnostics", {
      resourceUri: "/x",
      workspaceId: "/y",
    }),
    testResource(POLICY_ASSIGNMENT, "pod-security", { location: "westeurope", scope: "/x" }),
    testResource(NAMESPACE, "items", { metadata: { name: "items" }, location: "mars" }),
  ];
}

describe("GEN-01 tags", () => {
  it("tagged group, registry and global zone pass; untaggable resources are not checked", async () => {
    const zone = testResource(PRIVATE_ZONE, "dns", { location: "global", tags: { ...TAGS } });
    const violations = await analyze([group(), registry(), zone, ...untaggable()], {
      stackConfig: STACK_CONFIG,
    });
    expect(violationsOf(violations, "gen-01")).toEqual([]);
  });

  it("tag keys match in any case, as Azure's do", async () => {
    const tags = { Environment: "prod", OWNER: "platform-team", "Managed-By": "pulumi" };
    const violations = await analyze([registry({ tags })], { stackConfig: STACK_CONFIG });
    expect(violationsOf(violations, "gen-01")).toEqual([]);
  });

  it.each([
    {
      what: "no tags at all",
      resource: () => registry({ tags: undefined }),
      message:
        "resource 'registry-acr' (azure-native:containerregistry:Registry) lacks the tag(s) environment, owner, managed-by (missing or empty); set tags:",
    },
    {
      what: "owner missing",
      resource: () => registry({ tags: { environment: "prod", "managed-by": "pulumi" } }),
      message: "lacks the tag(s) owner (missing or empty)",
    },
    {
      what: "an empty environment value",
      resource: () => group({ tags: { ...TAGS, environment: " " } }),
      message:
        "resource 'platform' (azure-native:resources:ResourceGroup) lacks the tag(s) environment",
    },
  ])("fails with $what", async ({ resource, message }) => {
    const tested = resource();
    const violations = violationsOf(
      await analyze([tested], { stackConfig: STACK_CONFIG }),
      "gen-01",
    );
    expect(violations).toEqual([
      {
        policy: "gen-01",
        enforcementLevel: "mandatory",
        urn: tested.urn,
        message: expect.stringContaining(message),
      },
    ]);
  });

  it("requiredTags from policy config: ephemeral stacks also need expires-at", async () => {
    const resources = [registry()];
    const ephemeral = {
      "gen-01": { requiredTags: ["environment", "owner", "managed-by", "expires-at"] },
    };
    const byDefault = await analyze(resources, { stackConfig: STACK_CONFIG });
    expect(violationsOf(byDefault, "gen-01")).toEqual([]);
    const configured = await analyze(resources, {
      stackConfig: STACK_CONFIG,
      policyConfig: ephemeral,
    });
    expect(violationsOf(configured, "gen-01")).toEqual([
      expect.objectContaining({ message: expect.stringContaining("lacks the tag(s) expires-at") }),
    ]);
    const tagged = await analyze([registry({ tags: { ...TAGS, "expires-at": "2030-01-01" } })], {
      stackConfig: STACK_CONFIG,
      policyConfig: ephemeral,
    });
    expect(violationsOf(tagged, "gen-01")).toEqual([]);
  });

  it("unknown tags give an advisory 'can't run' diagnostic, not a pass", () =>
    expectCantRun([registry({ tags: UNKNOWN })], "gen-01", /can't run policy 'gen-01'.*tags/, {
      stackConfig: STACK_CONFIG,
    }));
});

describe("GEN-02 locations from the stack's config", () => {
  it("allowed regions pass whatever their spelling; global and non-Azure resources are skipped", async () => {
    const zone = testResource(PRIVATE_ZONE, "dns", { location: "global", tags: { ...TAGS } });
    const violations = await analyze(
      [group({ location: "West Europe" }), registry({ location: "NorthEurope" }), zone],
      { stackConfig: STACK_CONFIG },
    );
    expect(violationsOf(violations, "gen-02")).toEqual([]);
  });

  it("a region outside the stack's list is reported (advisory)", async () => {
    const tested = registry({ location: "East US" });
    const violations = violationsOf(
      await analyze([tested, group()], { stackConfig: STACK_CONFIG }),
      "gen-02",
    );
    expect(violations).toEqual([
      {
        policy: "gen-02",
        enforcementLevel: "advisory",
        urn: tested.urn,
        message:
          "resource 'registry-acr' has location 'East US', which is not in the allowed list [westeurope, northeurope]; set location to one of them",
      },
    ]);
  });

  it("the stack's list wins over the policy config's", async () => {
    const violations = await analyze([registry({ location: "eastus" })], {
      stackConfig: STACK_CONFIG,
      policyConfig: { "gen-02": { allowedLocations: ["eastus"] } },
    });
    expect(violationsOf(violations, "gen-02")).toEqual([
      expect.objectContaining({ message: expect.stringContaining("location 'eastus'") }),
    ]);
  });

  it("an unknown location gives an advisory 'can't run' diagnostic", () =>
    expectCantRun(
      [registry({ location: UNKNOWN })],
      "gen-02",
      /can't run policy 'gen-02'.*location/,
      { stackConfig: STACK_CONFIG },
    ));
});

describe("GEN-02 without the stack's list", () => {
  it("falls back to the policy config's allowedLocations", async () => {
    const resources = [registry({ location: "eastus" }), group()];
    const violations = violationsOf(
      await analyze(resources, { policyConfig: { "gen-02": { allowedLocations: ["eastus"] } } }),
      "gen-02",
    );
    expect(violations).toEqual([
      expect.objectContaining({
        urn: group().urn,
        message: expect.stringContaining(
          "location 'westeurope', which is not in the allowed list [eastus]",
        ),
      }),
    ]);
  });

  it("says that no allowed list is configured when neither config gives one", async () => {
    const tested = registry();
    const violations = violationsOf(await analyze([tested]), "gen-02");
    expect(violations).toEqual([
      {
        policy: "gen-02",
        enforcementLevel: "advisory",
        urn: tested.urn,
        message: expect.stringContaining(
          "resource 'registry-acr' is in 'westeurope' but no allowed-location list is configured; set stack config aks-devsecops:allowedLocations",
        ),
      },
    ]);
  });

  it("says so when the stack's value is not a JSON list", async () => {
    const violations = violationsOf(
      await analyze([registry()], {
        stackConfig: { "aks-devsecops:allowedLocations": "westeurope" },
      }),
      "gen-02",
    );
    expect(violations).toEqual([
      expect.objectContaining({
        message: expect.stringContaining(
          "stack config aks-devsecops:allowedLocations is not a non-empty JSON array of region names",
        ),
      }),
    ]);
  });
});

describe("GEN-01 and GEN-02 decide by the resource type (facts/azure-native-resources.json)", () => {
  const VNET = "azure-native:network:VirtualNetwork";
  /** A program that leaves the location to the provider config writes no location input. */
  function vnet(inputs: Record<string, unknown> = {}): TestResource {
    return testResource(VNET, "spoke", {
      addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
      ...inputs,
    });
  }

  it("a taggable resource without a location input is checked for tags", async () => {
    const tested = vnet();
    expect(violationsOf(await analyze([tested]), "gen-01")).toEqual([
      expect.objectContaining({
        urn: tested.urn,
        message: expect.stringContaining(`resource 'spoke' (${VNET}) lacks the tag(s)`),
      }),
    ]);
    expect(violationsOf(await analyze([vnet({ tags: { ...TAGS } })]), "gen-01")).toEqual([]);
  });

  it("versioned and v2 tokens are taggable as their v3 type", async () => {
    const versioned = testResource("azure-native:resources/v20220901:ResourceGroup", "rg", {
      location: "westeurope",
    });
    const zone = testResource("azure-native:network:PrivateZone", "dns", { location: "global" });
    const violations = violationsOf(await analyze([versioned, zone]), "gen-01");
    expect(violations.map((violation) => violation.urn).sort()).toEqual(
      [versioned.urn, zone.urn].sort(),
    );
  });

  it("without a location input, the region is the stack's azure-native:location", async () => {
    const tested = vnet({ tags: { ...TAGS } });
    const outside = await analyze([tested], {
      stackConfig: { ...STACK_CONFIG, "azure-native:location": "eastus" },
    });
    expect(violationsOf(outside, "gen-02")).toEqual([
      {
        policy: "gen-02",
        enforcementLevel: "advisory",
        urn: tested.urn,
        message:
          "resource 'spoke' has no location input and takes azure-native:location 'eastus' from the stack config, which is not in the allowed list [westeurope, northeurope]; set location (or stack config azure-native:location) to one of them",
      },
    ]);
    const inside = await analyze([tested], {
      stackConfig: { ...STACK_CONFIG, "azure-native:location": "westeurope" },
    });
    expect(violationsOf(inside, "gen-02")).toEqual([]);
  });

  it("with neither, the resource takes its resource group's region, which GEN-02 checks on the group", async () => {
    const rg = group({ location: "eastus" });
    const tested = vnet({ tags: { ...TAGS } });
    const violations = violationsOf(
      await analyze([rg, tested], { stackConfig: STACK_CONFIG }),
      "gen-02",
    );
    expect(violations).toEqual([expect.objectContaining({ urn: rg.urn })]);
  });
});

describe("GEN-02 with an explicit azure-native provider", () => {
  // The offline analyzer client does not send a resource's provider (the CLI does, in
  // AnalyzeRequest.provider), so this calls the policy's validation directly, with the args
  // @pulumi/policy 1.21 builds (server.js: args.provider from getProviderResource).
  it("the provider's location is the region of a resource without a location input", async () => {
    const gen02 = allPolicies.find((policy) => policy.name === "gen-02");
    if (!gen02 || !("validateResource" in gen02)) throw new Error("gen-02 is a resource policy");
    const messages: string[] = [];
    const args = {
      type: "azure-native:network:VirtualNetwork",
      name: "spoke",
      urn: "urn:pulumi:test::aks-devsecops::azure-native:network:VirtualNetwork::spoke",
      props: { tags: { ...TAGS } },
      opts: {},
      stackTags: new Map(),
      provider: {
        type: "pulumi:providers:azure-native",
        name: "eastus-provider",
        urn: "urn:pulumi:test::aks-devsecops::pulumi:providers:azure-native::eastus-provider",
        props: { location: "eastus" },
      },
      isType: () => false,
      asType: () => undefined,
      getConfig: () => ({ allowedLocations: ["westeurope"] }),
      notApplicable: () => {
        throw new Error("not applicable");
      },
    } as unknown as ResourceValidationArgs;
    const validations = [gen02.validateResource ?? []].flat();
    for (const validate of validations) await validate(args, (message) => messages.push(message));
    expect(messages).toEqual([
      "resource 'spoke' has no location input and takes 'eastus' from its provider 'eastus-provider', which is not in the allowed list [westeurope]; set location (or the provider's location) to one of them",
    ]);
  });
});

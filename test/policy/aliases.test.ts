import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { readPolicyConfigFile } from "../../tools/analyzer";
import { PROJECT_ROOT } from "../../tools/engine";
import { logAnalyticsWorkspace, REGISTRY, setPaths } from "../support/policy-fixtures";
import { PRICING } from "../support/policy-fixtures";
import {
  analyze,
  testResource,
  UNKNOWN,
  violationsOf,
  type TestResource,
  type Violation,
} from "../support/policy-harness";

/**
 * The alias table (policy-pack/facts/types.ts) through the analyzer service: versioned and v2
 * azure-native tokens are checked like their v3 token, classic @pulumi/azure types by exactly the
 * controls their entry lists, and stack policies that ask for a domain only run where the stack
 * has it. Levels are the prod stack's (policy-pack/config/prod.json).
 */

const PROD = readPolicyConfigFile(path.join(PROJECT_ROOT, "policy-pack/config/prod.json"));
const TAGS = { environment: "prod", owner: "platform-team", "managed-by": "pulumi" };

const CLASSIC_CLUSTER = "azure:containerservice/kubernetesCluster:KubernetesCluster";
const CLASSIC_REGISTRY = "azure:containerservice/registry:Registry";
const CLASSIC_VAULT = "azure:keyvault/keyVault:KeyVault";
const CLASSIC_CACHE = "azure:redis/cache:Cache";

function prod(resources: TestResource[]): Promise<Violation[]> {
  return analyze(resources, { policyConfig: PROD });
}

/** The names of the policies that flagged anything, sorted. */
function flagged(violations: Violation[]): string[] {
  return [...new Set(violations.map((violation) => violation.policy))].sort();
}

function expectOneMandatory(violations: Violation[], policy: string, urn: string, part: string) {
  expect(violationsOf(violations, policy)).toEqual([
    { policy, enforcementLevel: "mandatory", urn, message: expect.stringContaining(part) },
  ]);
}

// ---------------------------------------------------------------------------------------------
// azure-native v2 names and versioned tokens

/** A cache as a v2 program writes it: Basic, the non-TLS port on, no TLS minimum. */
function weakCache(type: string): TestResource {
  return testResource(type, "legacy-cache", {
    name: "redis-legacy",
    resourceGroupName: "rg-legacy",
    location: "westeurope",
    sku: { name: "Basic", family: "C", capacity: 0 },
    enableNonSslPort: true,
    tags: { ...TAGS },
  });
}

describe("azure-native v2 and versioned tokens", () => {
  it.each(["azure-native:cache:Redis", "azure-native:cache/v20230401:Redis"])(
    "a %s with Basic SKU and no TLS minimum fails the RED controls in prod",
    async (type) => {
      const cache = weakCache(type);
      const violations = await prod([cache]);
      expectOneMandatory(violations, "red-01", cache.urn, "enableNonSslPort=true");
      expectOneMandatory(violations, "red-02", cache.urn, "minimumTlsVersion=not set");
      expectOneMandatory(violations, "red-03", cache.urn, "cache 'legacy-cache' is not private");
      expectOneMandatory(violations, "red-04", cache.urn, 'sku.name="Basic"');
      expectOneMandatory(violations, "mon-04", cache.urn, "has no diagnostic setting");
    },
  );

  it("a versioned ManagedCluster is checked by the cluster controls", async () => {
    const cluster = testResource(
      "azure-native:containerservice/v20190601:ManagedCluster",
      "old-aks",
      { location: "westeurope", tags: { ...TAGS }, networkProfile: { networkPlugin: "kubenet" } },
    );
    // A stack that manages the Defender plans (a Free one here) must cover its cluster.
    const freePlan = testResource(PRICING, "containers", {
      pricingName: "Containers",
      pricingTier: "Free",
    });
    const violations = await prod([cluster, freePlan]);
    for (const policy of ["aks-01", "aks-02", "aks-03", "aks-07", "aks-08", "aks-10"]) {
      expect(violationsOf(violations, policy), policy).toEqual([
        expect.objectContaining({ enforcementLevel: "mandatory", urn: cluster.urn }),
      ]);
    }
    // The cluster counts for the Defender plan too (a stack policy sees the canonical type).
    expect(violationsOf(violations, "acr-04")).toEqual([
      expect.objectContaining({
        message: expect.stringContaining("cluster 'old-aks' is not covered"),
      }),
    ]);
  });

  it("a v2 insights:DiagnosticSetting is evidence for AKS-10 like a monitor one", async () => {
    const cluster = testResource("azure-native:containerservice:ManagedCluster", "aks", {
      location: "westeurope",
      tags: { ...TAGS },
    });
    const workspace = logAnalyticsWorkspace();
    const setting = (type: string) =>
      testResource(
        type,
        "aks-audit",
        { logs: [{ categoryGroup: "audit", enabled: true }] },
        { dependsOn: { resourceUri: [cluster], workspaceId: [workspace] } },
      );
    const withV2 = await prod([
      cluster,
      workspace,
      setting("azure-native:insights:DiagnosticSetting"),
    ]);
    expect(violationsOf(withV2, "aks-10")).toEqual([]);
    const withOther = await prod([cluster, workspace, setting("azure-native:insights:Component")]);
    expect(violationsOf(withOther, "aks-10")).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Classic @pulumi/azure

interface ClassicCase {
  what: string;
  type: string;
  compliant: Record<string, unknown>;
  /** Changes that break each listed control, with a part of its message. */
  broken: Record<string, unknown>;
  failures: Record<string, string>;
}

const CLASSIC_CASES: ClassicCase[] = [
  {
    what: "AKS cluster",
    type: CLASSIC_CLUSTER,
    compliant: {
      location: "westeurope",
      resourceGroupName: "rg",
      tags: { ...TAGS },
      networkProfile: {
        networkPlugin: "azure",
        networkPolicy: "cilium",
        networkDataPlane: "cilium",
      },
      azureActiveDirectoryRoleBasedAccessControl: { azureRbacEnabled: true },
      localAccountDisabled: true,
      roleBasedAccessControlEnabled: true,
    },
    broken: {
      networkProfile: { networkPlugin: "kubenet" },
      azureActiveDirectoryRoleBasedAccessControl: undefined,
      localAccountDisabled: undefined,
    },
    failures: {
      "aks-02": "networkProfile.networkPolicy is not set",
      "aks-03":
        "aadProfile.managed is not set, set aadProfile.managed: true (Entra ID sign-in); aadProfile.enableAzureRBAC is not set",
    },
  },
  {
    what: "container registry",
    type: CLASSIC_REGISTRY,
    compliant: {
      location: "westeurope",
      resourceGroupName: "rg",
      sku: "Basic",
      tags: { ...TAGS },
      adminEnabled: false,
      anonymousPullEnabled: false,
    },
    broken: { adminEnabled: true, anonymousPullEnabled: true },
    failures: {
      "acr-01": "has adminUserEnabled=true",
      "acr-02": "has anonymousPullEnabled=true",
    },
  },
  {
    what: "key vault",
    type: CLASSIC_VAULT,
    compliant: {
      location: "westeurope",
      resourceGroupName: "rg",
      skuName: "standard",
      tenantId: "00000000-0000-0000-0000-000000000000",
      tags: { ...TAGS },
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: true,
      softDeleteRetentionDays: 90,
      publicNetworkAccessEnabled: true,
    },
    broken: {
      rbacAuthorizationEnabled: false,
      accessPolicies: [{ objectId: "x", tenantId: "y" }],
      purgeProtectionEnabled: undefined,
    },
    failures: {
      "kv-01": "properties.enableRbacAuthorization is false",
      "kv-02": "properties.enablePurgeProtection is not set",
    },
  },
  {
    what: "Redis cache",
    type: CLASSIC_CACHE,
    compliant: {
      location: "westeurope",
      resourceGroupName: "rg",
      skuName: "Basic",
      family: "C",
      capacity: 0,
      tags: { ...TAGS },
      nonSslPortEnabled: false,
      minimumTlsVersion: "1.2",
      publicNetworkAccessEnabled: true,
    },
    broken: { nonSslPortEnabled: true, minimumTlsVersion: "1.0" },
    failures: {
      "red-01": "has enableNonSslPort=true",
      "red-02": 'has minimumTlsVersion="1.0"',
    },
  },
];

describe("classic @pulumi/azure types", () => {
  it.each(CLASSIC_CASES)(
    "a compliant classic $what passes, and no control outside its entry reads it",
    async ({ type, compliant }) => {
      // A Basic registry/cache with public access in prod: the native controls for SKUs and
      // private endpoints would flag it, but the entry does not list them.
      const violations = await prod([testResource(type, "classic", compliant)]);
      expect(violations).toEqual([]);
    },
  );

  it.each(CLASSIC_CASES)(
    "a classic $what fails exactly the controls its inputs break, naming the classic inputs",
    async ({ type, compliant, broken, failures }) => {
      const resource = testResource(type, "classic", setPaths({ ...compliant }, broken));
      const violations = await prod([resource]);
      expect(flagged(violations)).toEqual(Object.keys(failures).sort());
      for (const [policy, part] of Object.entries(failures)) {
        expectOneMandatory(violations, policy, resource.urn, part);
        expect(violationsOf(violations, policy)[0].message).toContain(`[classic ${type}`);
      }
    },
  );

  it("the classic input names appear in the message where they differ", async () => {
    const cluster = testResource(CLASSIC_CLUSTER, "classic", {
      tags: { ...TAGS },
      networkProfile: { networkPolicy: "cilium" },
      azureActiveDirectoryRoleBasedAccessControl: { azureRbacEnabled: true },
      localAccountDisabled: false,
    });
    const [violation] = violationsOf(await prod([cluster]), "aks-03");
    expect(violation.message).toContain(
      "disableLocalAccounts is false, set disableLocalAccounts: true",
    );
    expect(violation.message).toContain("localAccountDisabled read as disableLocalAccounts");
    expect(violation.message).toContain(
      "azureActiveDirectoryRoleBasedAccessControl.azureRbacEnabled read as aadProfile.enableAzureRBAC",
    );
  });

  it("the deprecated enableRbacAuthorization of a classic vault counts", async () => {
    const vault = testResource(CLASSIC_VAULT, "old-vault", {
      tags: { ...TAGS },
      enableRbacAuthorization: true,
      purgeProtectionEnabled: true,
      softDeleteRetentionDays: 90,
    });
    expect(await prod([vault])).toEqual([]);
  });

  it("an input unknown at preview stops only the control that reads it", async () => {
    const cache = testResource(CLASSIC_CACHE, "classic", {
      tags: { ...TAGS },
      nonSslPortEnabled: false,
      minimumTlsVersion: UNKNOWN,
    });
    const violations = await prod([cache]);
    expect(flagged(violations)).toEqual(["red-02"]);
    expect(violationsOf(violations, "red-02")).toEqual([
      expect.objectContaining({
        enforcementLevel: "advisory",
        message: expect.stringMatching(/can't run policy 'red-02'.*minimumTlsVersion/),
      }),
    ]);
  });

  it("untagged classic resources fail GEN-01 with the canonical type", async () => {
    const registry = testResource(CLASSIC_REGISTRY, "classic", { adminEnabled: false });
    expectOneMandatory(
      await prod([registry]),
      "gen-01",
      registry.urn,
      "resource 'classic' (azure-native:containerregistry:Registry) lacks the tag(s) environment, owner, managed-by",
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Stack policies that ask for a domain

describe("stack policies apply only to stacks with their domain", () => {
  const registry = () =>
    testResource(REGISTRY, "registry", {
      location: "westeurope",
      tags: { ...TAGS },
      sku: { name: "Premium" },
      adminUserEnabled: false,
    });
  const repository = () =>
    testResource("github:index/repository:Repository", "app-repo", { name: "app" });

  it("an Azure-only program in prod does not fail GH-10", async () => {
    expect(violationsOf(await prod([registry()]), "gh-10")).toEqual([]);
  });

  it("a prod stack that manages GitHub needs the Defender for DevOps connector (GH-10)", async () => {
    expect(violationsOf(await prod([registry(), repository()]), "gh-10")).toEqual([
      expect.objectContaining({
        enforcementLevel: "mandatory",
        message: expect.stringContaining("no Defender for DevOps GitHub connector"),
      }),
    ]);
  });

  it("ACR-04 and KV-04 ask for Defender plans only of stacks with registries, clusters or vaults", async () => {
    const githubOnly = await prod([repository()]);
    expect(violationsOf(githubOnly, "acr-04")).toEqual([]);
    expect(violationsOf(githubOnly, "kv-04")).toEqual([]);
    const versionedVault = testResource("azure-native:keyvault/v20230701:Vault", "vault", {
      location: "westeurope",
      tags: { ...TAGS },
    });
    // Stacks that declare no plans only read them (one stack owns the subscription's plans).
    expect(violationsOf(await prod([versionedVault]), "kv-04")).toEqual([]);
    const freePlan = testResource(PRICING, "keyvaults", {
      pricingName: "KeyVaults",
      pricingTier: "Free",
    });
    expect(violationsOf(await prod([versionedVault, freePlan]), "kv-04")).toEqual([
      expect.objectContaining({ message: expect.stringContaining("vault 'vault' is not covered") }),
    ]);
  });

  it("a classic registry does not ask for the native Defender plan (ACR-04 is not in its entry)", async () => {
    const classic = testResource(CLASSIC_REGISTRY, "classic", {
      tags: { ...TAGS },
      adminEnabled: false,
    });
    expect(violationsOf(await prod([classic]), "acr-04")).toEqual([]);
  });
});

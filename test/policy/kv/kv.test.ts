import { describe, expect, it } from "vitest";
import {
  diagnosticSetting,
  expectCantRun,
  expectFailure,
  expectMandatoryWhenConfigured,
  expectPasses,
  fixtureChanger,
  logAnalyticsWorkspace,
  present,
  PRICING,
  privateEndpoint,
  setPath,
  setPaths,
  VAULT,
  type FailureCase,
} from "../../support/policy-fixtures";
import {
  analyze,
  testResource,
  UNKNOWN,
  violationsOf,
  type TestResource,
} from "../../support/policy-harness";

const KV_POLICIES = ["kv-01", "kv-02", "kv-03", "kv-04", "kv-05"];
const WORKSPACE_ID =
  "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/log";

interface Fixture {
  workspace: TestResource;
  vault: TestResource;
  endpoint?: TestResource;
  pricing?: TestResource;
  diagnostics?: TestResource;
  others: TestResource[];
}

/** The vault as prod builds it: RBAC, purge protection, private only, Defender, audit logs. */
function compliantFixture(): Fixture {
  const workspace = logAnalyticsWorkspace();
  const vault = testResource(VAULT, "contoso-kv", {
    vaultName: "kv-contoso-prod",
    resourceGroupName: "rg-contoso-prod",
    properties: {
      tenantId: "00000000-0000-0000-0000-000000000000",
      sku: { family: "A", name: "standard" },
      enableRbacAuthorization: true,
      enableSoftDelete: true,
      softDeleteRetentionInDays: 90,
      enablePurgeProtection: true,
      publicNetworkAccess: "Disabled",
      networkAcls: { defaultAction: "Deny", bypass: "AzureServices", ipRules: [] },
    },
  });
  const endpoint = privateEndpoint("contoso-kv-pe", vault, {
    name: "vault",
    privateLinkServiceId: "/subscriptions/0000/kv",
    groupId: "vault",
  });
  const pricing = testResource(PRICING, "defender-keyvaults", {
    pricingName: "KeyVaults",
    pricingTier: "Standard",
    subPlan: "PerKeyVault",
    scopeId: "/subscriptions/00000000-0000-0000-0000-000000000000",
  });
  const diagnostics = diagnosticSetting(
    "contoso-kv-diagnostics",
    vault,
    {
      resourceUri: "/subscriptions/0000/kv",
      workspaceId: WORKSPACE_ID,
      logs: [{ category: "AuditEvent", enabled: true }],
    },
    workspace,
  );
  return { workspace, vault, endpoint, pricing, diagnostics, others: [] };
}

function resourcesOf(fixture: Fixture): TestResource[] {
  const { workspace, vault, endpoint, pricing, diagnostics, others } = fixture;
  return present(workspace, vault, endpoint, pricing, diagnostics, ...others);
}

const withFixture = fixtureChanger(compliantFixture, resourcesOf);

/** The compliant fixture with vault `properties.*` inputs changed (undefined removes). */
function withVault(changes: Record<string, unknown>): TestResource[] {
  return withFixture((fixture) =>
    setPaths(fixture.vault.inputs.properties as Record<string, unknown>, changes),
  );
}

function withDiagnostics(inputs: Record<string, unknown>, dependsOnWorkspace = true) {
  return withFixture((fixture) => {
    const { vault, workspace } = fixture;
    fixture.diagnostics = diagnosticSetting(
      "contoso-kv-diagnostics",
      vault,
      inputs,
      dependsOnWorkspace ? workspace : undefined,
    );
  });
}

const fixtureUrns = (() => {
  const fixture = compliantFixture();
  return { vault: fixture.vault.urn, pricing: fixture.pricing!.urn };
})();

describe("key vault policies: compliant stacks", () => {
  it("the prod-like vault passes every KV policy", async () => {
    await expectPasses(resourcesOf(compliantFixture()), KV_POLICIES);
  });

  it("accepts lower-case enum values, an allLogs group and a literal workspace id", async () => {
    await expectPasses(
      withFixture((fixture) => {
        setPath(fixture.vault.inputs, "properties.publicNetworkAccess", "disabled");
        setPath(fixture.vault.inputs, "properties.networkAcls.defaultAction", "deny");
        setPath(fixture.pricing!.inputs, "pricingTier", "standard");
        fixture.diagnostics = diagnosticSetting("all-logs", fixture.vault, {
          workspaceId: WORKSPACE_ID,
          logs: [{ categoryGroup: "allLogs", enabled: true }],
        });
      }),
      KV_POLICIES,
    );
  });

  it("KV-04 wants no Key Vault plan from a stack without a vault", async () => {
    const violations = await analyze([logAnalyticsWorkspace("alone", { retentionInDays: 30 })]);
    expect(violationsOf(violations, "kv-04")).toEqual([]);
  });
});

const failures: FailureCase[] = [
  {
    policy: "kv-01",
    what: "access policies instead of RBAC",
    resources: () => withVault({ enableRbacAuthorization: false }),
    level: "mandatory",
    message:
      "vault 'contoso-kv': properties.enableRbacAuthorization is false, set it to true and grant access with role assignments",
  },
  {
    policy: "kv-01",
    what: "RBAC not stated (Azure's default is access policies)",
    resources: () => withVault({ enableRbacAuthorization: undefined }),
    level: "mandatory",
    message: "properties.enableRbacAuthorization is not set, set it to true",
  },
  {
    policy: "kv-01",
    what: "left-over access policies",
    resources: () =>
      withVault({ accessPolicies: [{ objectId: "x", tenantId: "y", permissions: {} }] }),
    level: "mandatory",
    message: "properties.accessPolicies has 1 entry, remove them",
  },
  {
    policy: "kv-02",
    what: "purge protection off",
    resources: () => withVault({ enablePurgeProtection: false }),
    level: "mandatory",
    message: "vault 'contoso-kv': properties.enablePurgeProtection is false, set it to true",
  },
  {
    policy: "kv-02",
    what: "purge protection not stated",
    resources: () => withVault({ enablePurgeProtection: undefined }),
    level: "mandatory",
    message: "properties.enablePurgeProtection is not set",
  },
  {
    policy: "kv-02",
    what: "soft delete off",
    resources: () => withVault({ enableSoftDelete: false }),
    level: "mandatory",
    message: "properties.enableSoftDelete is false, set it to true",
  },
  {
    policy: "kv-02",
    what: "retention not stated",
    resources: () => withVault({ softDeleteRetentionInDays: undefined }),
    level: "mandatory",
    message: "properties.softDeleteRetentionInDays is not set, set it to 7 or more (at most 90)",
  },
  {
    policy: "kv-03",
    what: "firewall allows by default",
    resources: () => withVault({ "networkAcls.defaultAction": "Allow" }),
    level: "advisory",
    message: `vault 'contoso-kv' is not private: properties.networkAcls.defaultAction is "Allow", set networkAcls: { defaultAction: "Deny"`,
  },
  {
    policy: "kv-03",
    what: "no firewall rules at all",
    resources: () => withVault({ networkAcls: undefined }),
    level: "advisory",
    message: "properties.networkAcls.defaultAction is not set",
  },
  {
    policy: "kv-03",
    what: "public network access",
    resources: () => withVault({ publicNetworkAccess: "Enabled" }),
    level: "advisory",
    message: `properties.publicNetworkAccess is "Enabled", set it to "Disabled"`,
  },
  {
    policy: "kv-03",
    what: "public network access not stated (Azure's default is enabled)",
    resources: () => withVault({ publicNetworkAccess: undefined }),
    level: "advisory",
    message: "properties.publicNetworkAccess is not set",
  },
  {
    policy: "kv-03",
    what: "no private endpoint",
    resources: () => withFixture((fixture) => delete fixture.endpoint),
    level: "advisory",
    message: "no private endpoint targets it, add a network:PrivateEndpoint",
  },
  {
    policy: "kv-04",
    what: "Defender plans in the stack, but only one for Containers",
    resources: () =>
      withFixture((fixture) => setPath(fixture.pricing!.inputs, "pricingName", "Containers")),
    level: "mandatory",
    message: `vault 'contoso-kv' is not covered by Microsoft Defender for Key Vault: the stack has no security:Pricing for "KeyVaults"; add one with pricingName: "KeyVaults", pricingTier: "Standard"`,
  },
  {
    policy: "kv-04",
    what: "the Key Vault plan at the Free tier",
    resources: () =>
      withFixture((fixture) => setPath(fixture.pricing!.inputs, "pricingTier", "Free")),
    level: "mandatory",
    urn: fixtureUrns.pricing,
    message: `security:Pricing 'defender-keyvaults' has pricingTier="Free", so vault 'contoso-kv' is not covered by Microsoft Defender for Key Vault`,
  },
  {
    policy: "kv-05",
    what: "no diagnostic setting",
    resources: () => withFixture((fixture) => delete fixture.diagnostics),
    level: "mandatory",
    message: `vault 'contoso-kv' has no diagnostic setting; add a monitor:DiagnosticSetting with resourceUri: the vault's id, workspaceId: the Log Analytics workspace's id and logs: [{ category: "AuditEvent", enabled: true }]`,
  },
  {
    policy: "kv-05",
    what: "a diagnostic setting without a workspace",
    resources: () =>
      withDiagnostics(
        { eventHubName: "hub", logs: [{ category: "AuditEvent", enabled: true }] },
        false,
      ),
    level: "mandatory",
    message: "has diagnostic setting(s) 'contoso-kv-diagnostics' but none sends to Log Analytics",
  },
  {
    policy: "kv-05",
    what: "AuditEvent not among the categories",
    resources: () =>
      withDiagnostics({
        workspaceId: WORKSPACE_ID,
        logs: [{ category: "AzurePolicyEvaluationDetails", enabled: true }],
      }),
    level: "mandatory",
    message: `vault 'contoso-kv' does not send AuditEvent to Log Analytics; add logs: [{ category: "AuditEvent", enabled: true }] to diagnostic setting 'contoso-kv-diagnostics'`,
  },
  {
    policy: "kv-05",
    what: "AuditEvent disabled",
    resources: () =>
      withDiagnostics({
        workspaceId: WORKSPACE_ID,
        logs: [{ category: "AuditEvent", enabled: false }],
      }),
    level: "mandatory",
    message: "does not send AuditEvent to Log Analytics",
  },
];

describe("key vault policies: each failure mode", () => {
  it.each(failures)("$policy: $what", (failure) => expectFailure(failure, fixtureUrns.vault));
});

describe("key vault policies: config thresholds, levels and unknown values", () => {
  it("KV-02 takes 7 days by default and the configured minimum when set", async () => {
    const thirtyDays = () => withVault({ softDeleteRetentionInDays: 30 });
    expect(violationsOf(await analyze(thirtyDays()), "kv-02")).toEqual([]);
    const prodLike = await analyze(thirtyDays(), {
      policyConfig: { "kv-02": { minSoftDeleteRetentionDays: 90 } },
    });
    expect(violationsOf(prodLike, "kv-02")).toEqual([
      expect.objectContaining({
        enforcementLevel: "mandatory",
        message: expect.stringContaining(
          "properties.softDeleteRetentionInDays is 30, set it to 90 or more",
        ),
      }),
    ]);
    const ninetyDays = withVault({ softDeleteRetentionInDays: 90 });
    const atMinimum = await analyze(ninetyDays, {
      policyConfig: { "kv-02": { minSoftDeleteRetentionDays: 90 } },
    });
    expect(violationsOf(atMinimum, "kv-02")).toEqual([]);
  });

  it("KV-02 fails 6 days at the default minimum", async () => {
    const violations = await analyze(withVault({ softDeleteRetentionInDays: 6 }));
    expect(violationsOf(violations, "kv-02")).toEqual([
      expect.objectContaining({
        message: expect.stringContaining("softDeleteRetentionInDays is 6, set it to 7 or more"),
      }),
    ]);
  });

  it("refuses a KV-02 minimum below Azure's 7 days", async () => {
    await expect(
      analyze(resourcesOf(compliantFixture()), {
        policyConfig: { "kv-02": { minSoftDeleteRetentionDays: 3 } },
      }),
    ).rejects.toThrow(/kv-02\.minSoftDeleteRetentionDays/);
  });

  it("KV-03 (level P) is mandatory when the stack's policy config says so", () =>
    expectMandatoryWhenConfigured(withVault({ publicNetworkAccess: "Enabled" }), ["kv-03"]));

  it("an unknown enableRbacAuthorization gives an advisory 'can't run' diagnostic", () =>
    expectCantRun(
      withVault({ enableRbacAuthorization: UNKNOWN }),
      "kv-01",
      /can't run policy 'kv-01'.*\.properties\.enableRbacAuthorization/,
    ));

  it("unknown log settings stop KV-05 with the advisory diagnostic, not a pass", () =>
    expectCantRun(
      withDiagnostics({ workspaceId: WORKSPACE_ID, logs: UNKNOWN }),
      "kv-05",
      /can't run policy 'kv-05'.*\.logs/,
    ));
});

// ---------------------------------------------------------------------------------------------
// Issue 14: KV-04 on stacks that do not own the Defender plans, KV-06 secret expiry

const SECRET = "azure-native:keyvault:Secret";
const secretResource = (attributes?: Record<string, unknown>) =>
  testResource(SECRET, "redis-access-key", {
    vaultName: "kv-contoso-dev",
    secretName: "redis-access-key",
    properties: { value: "placeholder", ...(attributes ? { attributes } : {}) },
  });

describe("KV-04 on a stack that does not own the subscription's Defender plans", () => {
  it("asks nothing of a stack without any Defender plan (one stack owns them)", () =>
    expectPasses(
      withFixture((fixture) => delete fixture.pricing),
      ["kv-04"],
    ));
});

describe("KV-06: secrets the stack writes expire", () => {
  it("passes a secret with properties.attributes.expires", () =>
    expectPasses([secretResource({ expires: 1_830_297_600 })], ["kv-06"]));

  it.each([
    ["no attributes", undefined, "not set"],
    ["attributes without expires", { enabled: true }, "not set"],
    ["expires 0", { expires: 0 }, "0"],
  ])("flags a secret with %s (advisory)", async (_, attributes, shownValue) => {
    const secret = secretResource(attributes);
    expect(violationsOf(await analyze([secret]), "kv-06")).toEqual([
      {
        policy: "kv-06",
        enforcementLevel: "advisory",
        urn: secret.urn,
        message: `Key Vault secret 'redis-access-key' has properties.attributes.expires=${shownValue}; set it to the expiry in seconds since 1970-01-01 UTC (e.g. the key's next rotation), so a leaked or forgotten value stops working`,
      },
    ]);
  });
});

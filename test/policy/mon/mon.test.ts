import { describe, expect, it } from "vitest";
import {
  diagnosticSetting,
  expectCantRun,
  expectFailure,
  expectPasses,
  fixtureChanger,
  logAnalyticsWorkspace,
  REDIS,
  REGISTRY,
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

const SENTINEL = "azure-native:securityinsights:SentinelOnboardingState";
const SCHEDULED_RULE = "azure-native:securityinsights:ScheduledAlertRule";
const FUSION_RULE = "azure-native:securityinsights:FusionAlertRule";

const MON_POLICIES = ["mon-01", "mon-02", "mon-03", "mon-04"];
const RULE_KEYS = ["privileged-container", "exec-into-pod", "keyvault-secret-sweep"];

interface Fixture {
  workspace: TestResource;
  sentinel?: TestResource;
  rules: TestResource[];
  /** registry, vault and cache, each with its diagnostic setting. */
  targets: TestResource[];
  settings: TestResource[];
}

/** `target`'s diagnostic setting that sends all its logs to `workspace`. */
function allLogsTo(workspace: TestResource, target: TestResource) {
  return diagnosticSetting(
    `${target.name}-diagnostics`,
    target,
    {
      name: "to-log-analytics",
      resourceUri: `/subscriptions/x/${target.name}`,
      workspaceId: "/subscriptions/x/workspaces/log-contoso-prod",
      logs: [{ categoryGroup: "allLogs", enabled: true }],
    },
    workspace,
  );
}

/** Prod's monitoring: workspace with 90 days, Sentinel, three rules, diagnostics on every target. */
function compliantFixture(): Fixture {
  const workspace = logAnalyticsWorkspace("monitoring-workspace", {
    workspaceName: "log-contoso-prod",
    location: "westeurope",
    retentionInDays: 90,
    sku: { name: "PerGB2018" },
  });
  const onWorkspace = { dependsOn: { workspaceName: [workspace] } };
  const sentinel = testResource(
    SENTINEL,
    "monitoring-sentinel",
    { workspaceName: "log-contoso-prod", sentinelOnboardingStateName: "default" },
    onWorkspace,
  );
  const rules = RULE_KEYS.map((key) =>
    testResource(
      SCHEDULED_RULE,
      `monitoring-rule-${key}`,
      { workspaceName: "log-contoso-prod", kind: "Scheduled", enabled: true, displayName: key },
      onWorkspace,
    ),
  );
  const targets = [
    testResource(REGISTRY, "registry-acr", { registryName: "acrcontosoprod" }),
    testResource(VAULT, "keyvault-vault", { vaultName: "kv-contoso-prod" }),
    testResource(REDIS, "redis-cache", { name: "redis-contoso-prod" }),
  ];
  const settings = targets.map((target) => allLogsTo(workspace, target));
  return { workspace, sentinel, rules, targets, settings };
}

function resourcesOf(fixture: Fixture): TestResource[] {
  const { workspace, sentinel, rules, targets, settings } = fixture;
  return [workspace, ...(sentinel ? [sentinel] : []), ...rules, ...targets, ...settings];
}

const withFixture = fixtureChanger(compliantFixture, resourcesOf);

const URNS = (() => {
  const fixture = compliantFixture();
  return {
    workspace: fixture.workspace.urn,
    registry: fixture.targets[0].urn,
    vault: fixture.targets[1].urn,
    cache: fixture.targets[2].urn,
  };
})();

describe("monitoring policies: compliant stacks", () => {
  it("prod's workspace, Sentinel, rules and diagnostic settings pass every MON policy", async () => {
    await expectPasses(resourcesOf(compliantFixture()), MON_POLICIES);
  });

  it("links by literal workspace name count too, and Fusion rules are analytics rules", async () => {
    await expectPasses(
      withFixture((fixture) => {
        fixture.sentinel = testResource(SENTINEL, "sentinel-by-name", {
          workspaceName: "LOG-contoso-prod",
        });
        fixture.rules[2] = testResource(FUSION_RULE, "fusion", {
          workspaceName: "log-contoso-prod",
          enabled: true,
        });
      }),
      ["mon-02", "mon-03"],
    );
  });

  it("a diagnostic setting with a literal workspaceId (no dependency) sends to the workspace", async () => {
    const violations = await analyze(
      withFixture((fixture) => {
        fixture.settings[0] = diagnosticSetting("literal", fixture.targets[0], {
          resourceUri: "/subscriptions/x/acr",
          workspaceId: "/subscriptions/x/workspaces/w",
        });
      }),
    );
    expect(violationsOf(violations, "mon-04")).toEqual([]);
  });

  it("a stack without a workspace or monitored resources has nothing for MON policies", async () => {
    await expectPasses(
      [testResource("azure-native:network:VirtualNetwork", "vnet", { location: "westeurope" })],
      MON_POLICIES,
    );
  });
});

const failures: FailureCase[] = [
  {
    what: "retention below the default minimum",
    resources: () => withFixture(({ workspace }) => (workspace.inputs.retentionInDays = 7)),
    policy: "mon-01",
    level: "mandatory",
    urn: URNS.workspace,
    message:
      "workspace 'monitoring-workspace' has retentionInDays=7; set retentionInDays: 30 or more",
  },
  {
    what: "retention not stated",
    resources: () => withFixture(({ workspace }) => delete workspace.inputs.retentionInDays),
    policy: "mon-01",
    level: "mandatory",
    urn: URNS.workspace,
    message: "workspace 'monitoring-workspace' does not set retentionInDays",
  },
  {
    what: "no Sentinel onboarding",
    resources: () => withFixture((fixture) => delete fixture.sentinel),
    policy: "mon-02",
    level: "mandatory",
    urn: URNS.workspace,
    message:
      "workspace 'monitoring-workspace' has no Microsoft Sentinel onboarding; add a securityinsights:SentinelOnboardingState",
  },
  {
    what: "Sentinel onboarded on another workspace",
    resources: () =>
      withFixture((fixture) => {
        fixture.sentinel = testResource(SENTINEL, "elsewhere", { workspaceName: "log-other" });
      }),
    policy: "mon-02",
    level: "mandatory",
    urn: URNS.workspace,
    message: "has no Microsoft Sentinel onboarding",
  },
  {
    what: "only two analytics rules",
    resources: () => withFixture((fixture) => fixture.rules.pop()),
    policy: "mon-03",
    level: "advisory",
    urn: URNS.workspace,
    message:
      "workspace 'monitoring-workspace' has 2 enabled Sentinel analytics rule(s), fewer than 3; add securityinsights:ScheduledAlertRule",
  },
  {
    what: "a disabled analytics rule",
    resources: () => withFixture(({ rules }) => (rules[0].inputs.enabled = false)),
    policy: "mon-03",
    level: "advisory",
    urn: URNS.workspace,
    message: "has 2 enabled Sentinel analytics rule(s)",
  },
  {
    what: "a registry without diagnostic setting",
    resources: () => withFixture((fixture) => fixture.settings.splice(0, 1)),
    policy: "mon-04",
    level: "mandatory",
    urn: URNS.registry,
    message:
      "registry 'registry-acr' has no diagnostic setting; add a monitor:DiagnosticSetting with resourceUri set to the registry's id and workspaceId set to the Log Analytics workspace's id",
  },
  {
    what: "a vault without diagnostic setting",
    resources: () => withFixture((fixture) => fixture.settings.splice(1, 1)),
    policy: "mon-04",
    level: "mandatory",
    urn: URNS.vault,
    message: "vault 'keyvault-vault' has no diagnostic setting",
  },
  {
    what: "a cache whose diagnostic setting has no workspace",
    resources: () =>
      withFixture((fixture) => {
        fixture.settings[2] = diagnosticSetting("to-storage", fixture.targets[2], {
          resourceUri: "/subscriptions/x/redis",
          storageAccountId: "/subscriptions/x/st",
        });
      }),
    policy: "mon-04",
    level: "mandatory",
    urn: URNS.cache,
    message: "cache 'redis-cache' has diagnostic setting(s) 'to-storage' without a workspaceId",
  },
];

describe("monitoring policies: each failure mode", () => {
  it.each(failures)("$policy: $what", (failure) => expectFailure(failure));
});

describe("monitoring policies: thresholds and unknown values", () => {
  it("MON-01 takes its minimum from policy config (prod: 90)", async () => {
    const resources = withFixture(({ workspace }) => (workspace.inputs.retentionInDays = 60));
    const byDefault = await analyze(resources);
    expect(violationsOf(byDefault, "mon-01")).toEqual([]);
    const prod = await analyze(resources, { policyConfig: { "mon-01": { minRetentionDays: 90 } } });
    expect(violationsOf(prod, "mon-01")).toEqual([
      expect.objectContaining({
        message: expect.stringContaining("has retentionInDays=60; set retentionInDays: 90 or more"),
      }),
    ]);
  });

  it("MON-03 takes the number of rules from policy config", async () => {
    const violations = await analyze(resourcesOf(compliantFixture()), {
      policyConfig: { "mon-03": { minAnalyticsRules: 4 } },
    });
    expect(violationsOf(violations, "mon-03")).toEqual([
      expect.objectContaining({ message: expect.stringContaining("has 3 enabled") }),
    ]);
  });

  it("an unknown retentionInDays gives an advisory 'can't run' diagnostic, not a pass", () =>
    expectCantRun(
      withFixture(({ workspace }) => (workspace.inputs.retentionInDays = UNKNOWN)),
      "mon-01",
      /can't run policy 'mon-01'.*retentionInDays/,
    ));

  it("an unknown workspaceId without a workspace dependency stops MON-04 the same way", () =>
    expectCantRun(
      withFixture((fixture) => {
        fixture.settings[0] = diagnosticSetting("unknown-target", fixture.targets[0], {
          resourceUri: "/subscriptions/x/acr",
          workspaceId: UNKNOWN,
        });
      }),
      "mon-04",
      /can't run policy 'mon-04'.*workspaceId/,
    ));
});

// ---------------------------------------------------------------------------------------------
// MON-05 (issue 14): rules read tables the stack feeds in Dedicated mode

describe("MON-05: analytics rules read resource-specific tables the stack feeds", async () => {
  const { PLATFORM_ANALYTICS_RULES } = await import("../../../infra/azure/sentinel-rules");
  const { queryTables } = await import("../../../policy-pack/policies/mon/analytics-tables");
  const CLUSTER = "azure-native:containerservice:ManagedCluster";

  interface Mon05Fixture {
    workspace: TestResource;
    cluster: TestResource;
    vault: TestResource;
    clusterLogs: Record<string, unknown>;
    vaultLogs: Record<string, unknown>;
    queries: string[];
  }

  /** The platform's three rules, with the cluster's and vault's settings as infra/ writes them. */
  function platform(): Mon05Fixture {
    return {
      workspace: logAnalyticsWorkspace("monitoring-workspace", { workspaceName: "log" }),
      cluster: testResource(CLUSTER, "cluster-aks", { resourceName: "aks" }),
      vault: testResource(VAULT, "keyvault-vault", { vaultName: "kv" }),
      clusterLogs: {
        logAnalyticsDestinationType: "Dedicated",
        logs: ["kube-audit", "kube-audit-admin", "guard"].map((category) => ({
          category,
          enabled: true,
        })),
      },
      vaultLogs: {
        logAnalyticsDestinationType: "Dedicated",
        logs: [{ category: "AuditEvent", enabled: true }],
      },
      queries: PLATFORM_ANALYTICS_RULES.map((rule) => rule.query),
    };
  }

  function stackOf(fixture: Mon05Fixture): TestResource[] {
    const { workspace, cluster, vault } = fixture;
    const setting = (target: TestResource, inputs: Record<string, unknown>) =>
      diagnosticSetting(
        `${target.name}-diagnostics`,
        target,
        { workspaceId: "/subscriptions/x/workspaces/log", ...inputs },
        workspace,
      );
    const rules = fixture.queries.map((query, index) =>
      testResource(SCHEDULED_RULE, `rule-${index}`, {
        workspaceName: "log",
        kind: "Scheduled",
        query,
      }),
    );
    return [
      workspace,
      cluster,
      vault,
      setting(cluster, fixture.clusterLogs),
      setting(vault, fixture.vaultLogs),
      ...rules,
    ];
  }

  const withPlatform = (change: (fixture: Mon05Fixture) => void) => {
    const fixture = platform();
    change(fixture);
    return stackOf(fixture);
  };
  const mon05 = async (resources: TestResource[]) =>
    violationsOf(await analyze(resources), "mon-05");

  it("the platform's rules read AKSAudit and AZKVAuditLogs, fed in Dedicated mode: pass", async () => {
    expect(PLATFORM_ANALYTICS_RULES.map((rule) => queryTables(rule.query))).toEqual([
      ["AKSAudit"],
      ["AKSAudit"],
      ["AZKVAuditLogs"],
    ]);
    expect(await mon05(stackOf(platform()))).toEqual([]);
  });

  it("flags the old Key Vault rule: AzureDiagnostics columns exist only after data arrives (Azure/Azure-Sentinel#10340)", async () => {
    const old = [
      "AzureDiagnostics",
      '| where ResourceProvider == "MICROSOFT.KEYVAULT" and Category == "AuditEvent"',
      "| extend Caller = coalesce(identity_claim_oid_g, identity_claim_upn_s, CallerIPAddress)",
    ].join("\n");
    const violations = await mon05(withPlatform((fixture) => (fixture.queries = [old])));
    expect(violations).toEqual([
      {
        policy: "mon-05",
        enforcementLevel: "mandatory",
        urn: "urn:pulumi:test::aks-devsecops::azure-native:securityinsights:ScheduledAlertRule::rule-0",
        message: expect.stringContaining(
          "analytics rule 'rule-0' cannot be created or finds nothing: it reads AzureDiagnostics, whose columns (identity_claim_oid_g, id_s, ...) exist only after data has arrived",
        ),
      },
    ]);
  });

  it("flags AZKVAuditLogs when the vault's setting sends AuditEvent to AzureDiagnostics", async () => {
    const [violation] = await mon05(
      withPlatform((fixture) => delete fixture.vaultLogs.logAnalyticsDestinationType),
    );
    expect(violation.message).toMatch(
      /rule-2' .*it reads AZKVAuditLogs, but diagnostic setting\(s\) 'keyvault-vault-diagnostics' send AuditEvent to AzureDiagnostics; set logAnalyticsDestinationType: "Dedicated"/,
    );
  });

  it("flags AKSAudit when the cluster sends only kube-audit-admin (AKSAuditAdmin has no get events)", async () => {
    const violations = await mon05(
      withPlatform((fixture) => {
        fixture.clusterLogs.logs = [{ category: "kube-audit-admin", enabled: true }];
      }),
    );
    expect(violations).toHaveLength(2);
    expect(violations[0].message).toMatch(
      /it reads AKSAudit, but no diagnostic setting of a cluster in the stack sends kube-audit to Log Analytics/,
    );
  });

  it("flags a table no setting of the stack feeds, and a query without a table", async () => {
    const violations = await mon05(
      withPlatform((fixture) => (fixture.queries = ["SecurityAlert | take 1", "print 1"])),
    );
    expect(violations.map((violation) => violation.message)).toEqual([
      expect.stringMatching(
        /it reads SecurityAlert, which no diagnostic setting of the stack feeds/,
      ),
      expect.stringMatching(/its query names no table MON-05 can read/),
    ]);
  });

  it("finds tables behind let, union and join", () => {
    expect(
      queryTables(
        "let admins = AKSAuditAdmin | where Verb == 'create';\nAKSAudit | union (AKSControlPlane) | join kind=inner (AZKVAuditLogs) on $left.x == $right.y",
      ),
    ).toEqual(["AKSAuditAdmin", "AKSAudit", "AKSControlPlane", "AZKVAuditLogs"]);
  });
});

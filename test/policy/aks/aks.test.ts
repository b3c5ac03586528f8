import { describe, expect, it } from "vitest";
import { aksPolicies } from "../../../policy-pack/policies/aks";
import {
  CLUSTER,
  diagnosticSetting,
  expectCantRun,
  expectFailure,
  expectMandatoryWhenConfigured,
  expectPasses,
  fixtureChanger,
  logAnalyticsWorkspace,
  POLICY_ASSIGNMENT,
  present,
  setPath,
  setPaths,
  type FailureCase,
  type Level,
} from "../../support/policy-fixtures";
import {
  analyze,
  testResource,
  UNKNOWN,
  violationsOf,
  type TestResource,
} from "../../support/policy-harness";

const AGENT_POOL = "azure-native:containerservice:AgentPool";
const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";
const RATIFY_CONSTRAINT = "kubernetes:constraints.gatekeeper.sh/v1beta1:RatifyVerification";

const BASELINE =
  "/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d";
const RESTRICTED =
  "/providers/Microsoft.Authorization/policySetDefinitions/42b8ef37-b724-4e24-bbc8-7a7708edfe00";
const WORKSPACE_ID =
  "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/log";

/** AKS-14, AKS-15 and AKS-16 have their own suites below, with their own fixtures. */
const OWN_SUITES = ["aks-14", "aks-15", "aks-16"];
const AKS_POLICIES = aksPolicies
  .map((policy) => policy.name)
  .filter((name) => !OWN_SUITES.includes(name));

function clusterInputs(): Record<string, unknown> {
  return {
    resourceName: "aks-contoso-prod",
    enableRBAC: true,
    disableLocalAccounts: true,
    aadProfile: { managed: true, enableAzureRBAC: true, adminGroupObjectIDs: ["group"] },
    agentPoolProfiles: [
      {
        name: "system",
        mode: "System",
        osType: "Linux",
        enableEncryptionAtHost: true,
        nodeTaints: ["CriticalAddonsOnly=true:NoSchedule"],
        linuxOSConfig: {
          sysctls: {
            netIpv4TcpKeepaliveTime: 120,
            netIpv4TcpkeepaliveIntvl: 15,
            netIpv4TcpKeepaliveProbes: 5,
          },
        },
      },
      {
        name: "user",
        mode: "User",
        osType: "Linux",
        enableEncryptionAtHost: true,
        linuxOSConfig: { sysctls: { netIpv4TcpKeepaliveTime: 120 } },
      },
    ],
    networkProfile: { networkPlugin: "azure", networkPolicy: "cilium", networkDataplane: "cilium" },
    apiServerAccessProfile: { enablePrivateCluster: true },
    oidcIssuerProfile: { enabled: true },
    securityProfile: {
      workloadIdentity: { enabled: true },
      defender: {
        logAnalyticsWorkspaceResourceId: WORKSPACE_ID,
        securityMonitoring: { enabled: true },
      },
    },
    autoUpgradeProfile: { upgradeChannel: "stable", nodeOSUpgradeChannel: "NodeImage" },
    addonProfiles: {
      azurepolicy: { enabled: true, config: { version: "v2" } },
      omsagent: { enabled: true, config: { logAnalyticsWorkspaceResourceID: WORKSPACE_ID } },
      azureKeyvaultSecretsProvider: {
        enabled: true,
        config: { enableSecretRotation: "true", rotationPollInterval: "2m" },
      },
    },
  };
}

interface Fixture {
  workspace: TestResource;
  cluster: TestResource;
  diagnostics?: TestResource;
  podSecurity?: TestResource;
  ratify?: TestResource;
  enforcement?: TestResource;
  others: TestResource[];
}

/** The cluster as prod builds it, with audit logs, pod security in Deny and Ratify enforced. */
function compliantFixture(): Fixture {
  const workspace = logAnalyticsWorkspace();
  const cluster = testResource(CLUSTER, "contoso-aks", clusterInputs());
  const diagnostics = diagnosticSetting(
    "contoso-aks-diagnostics",
    cluster,
    {
      resourceUri: "/subscriptions/0000/aks",
      workspaceId: WORKSPACE_ID,
      logs: [
        { category: "kube-audit-admin", enabled: true },
        { category: "guard", enabled: true },
      ],
    },
    workspace,
  );
  const podSecurity = testResource(
    POLICY_ASSIGNMENT,
    "contoso-aks-pod-security",
    {
      scope: "/subscriptions/0000/aks",
      displayName: "Kubernetes pod security baseline standard (deny)",
      policyDefinitionId: BASELINE,
      enforcementMode: "Default",
      parameters: { effect: { value: "Deny" } },
    },
    { dependsOn: { scope: [cluster] } },
  );
  const ratify = testResource(HELM_RELEASE, "ratify", {
    chart: "ratify",
    namespace: "gatekeeper-system",
    values: {
      azurekeyvault: {
        enabled: true,
        vaultURI: "https://kv-contoso-prod.vault.azure.net/",
        certificates: [{ name: "image-signing" }],
      },
    },
  });
  const enforcement = testResource(RATIFY_CONSTRAINT, "ratify-constraint", {
    apiVersion: "constraints.gatekeeper.sh/v1beta1",
    kind: "RatifyVerification",
    metadata: { name: "ratify-constraint" },
    spec: { enforcementAction: "deny", match: { kinds: [{ apiGroups: [""], kinds: ["Pod"] }] } },
  });
  return { workspace, cluster, diagnostics, podSecurity, ratify, enforcement, others: [] };
}

function resourcesOf(fixture: Fixture): TestResource[] {
  const { workspace, cluster, diagnostics, podSecurity, ratify, enforcement, others } = fixture;
  return present(workspace, cluster, diagnostics, podSecurity, ratify, enforcement, ...others);
}

const withFixture = fixtureChanger(compliantFixture, resourcesOf);

/** The compliant fixture with the cluster's inputs changed: path -> value (undefined removes). */
function withCluster(changes: Record<string, unknown>): TestResource[] {
  return withFixture((fixture) => setPaths(fixture.cluster.inputs, changes));
}

/** A change to one of the fixture's other resources. */
function withInputs(
  which: "diagnostics" | "podSecurity" | "ratify" | "enforcement",
  changes: Record<string, unknown>,
): TestResource[] {
  return withFixture((fixture) => setPaths(fixture[which]!.inputs, changes));
}

const fixtureUrns = (() => {
  const fixture = compliantFixture();
  return {
    cluster: fixture.cluster.urn,
    podSecurity: fixture.podSecurity!.urn,
    enforcement: fixture.enforcement!.urn,
  };
})();

describe("cluster policies: compliant stacks", () => {
  it("the prod-like cluster passes every AKS policy", async () => {
    await expectPasses(resourcesOf(compliantFixture()), AKS_POLICIES);
  });

  it("accepts the variants the controls allow", async () => {
    await expectPasses(
      withFixture((fixture) => {
        const cluster = fixture.cluster.inputs;
        // Add-on keys in another case (AKS-01, AKS-05, AKS-06).
        setPath(cluster, "addonProfiles", {
          azurePolicy: { enabled: true },
          omsAgent: { enabled: true, config: { logAnalyticsWorkspaceResourceId: WORKSPACE_ID } },
          AzureKeyvaultSecretsProvider: { enabled: true, config: { enableSecretRotation: "True" } },
        });
        setPath(cluster, "enableRBAC", undefined); // AKS-03: not false is enough
        setPath(cluster, "apiServerAccessProfile", { authorizedIPRanges: ["203.0.113.0/24"] }); // AKS-08
        // AKS-13: Windows pools have no Linux sysctls.
        (cluster.agentPoolProfiles as unknown[]).push({ name: "win", osType: "Windows" });
        // AKS-10: an audit category group instead of single categories.
        setPath(fixture.diagnostics!.inputs, "logs", [{ categoryGroup: "audit", enabled: true }]);
        // AKS-11: the restricted initiative, effect in lower case.
        setPath(fixture.podSecurity!.inputs, "policyDefinitionId", RESTRICTED);
        setPath(fixture.podSecurity!.inputs, "parameters.effect.value", "deny");
        // AKS-12: Azure Policy enforcement instead of a Gatekeeper constraint.
        fixture.enforcement = testResource(POLICY_ASSIGNMENT, "ratify-policy", {
          scope: "/subscriptions/0000/aks",
          displayName: "Ratify: only signed images",
          policyDefinitionId:
            "/subscriptions/0000/providers/Microsoft.Authorization/policyDefinitions/ratify-default",
          parameters: { effect: { value: "Deny" } },
        });
        fixture.others.push(
          testResource(AGENT_POOL, "user-pool", {
            agentPoolName: "user",
            osType: "Linux",
            linuxOSConfig: { sysctls: { netIpv4TcpKeepaliveTime: 60 } },
          }),
        );
      }),
      AKS_POLICIES,
    );
  });

  it("AKS-12 takes a constraint without enforcementAction as Gatekeeper's default, deny", async () => {
    const violations = await analyze(
      withInputs("enforcement", { "spec.enforcementAction": undefined }),
    );
    expect(violationsOf(violations, "aks-12")).toEqual([]);
  });

  it("stack policies have nothing to say about a stack without a cluster", async () => {
    await expectPasses(
      [logAnalyticsWorkspace("alone", { retentionInDays: 30 })],
      ["aks-10", "aks-11", "aks-12"],
    );
  });
});

/** A cluster input change that one policy must flag, mandatory and on the cluster. */
function clusterFailure(
  policy: string,
  what: string,
  changes: Record<string, unknown>,
  message: string,
  level: Level = "mandatory",
): FailureCase {
  return { policy, what, resources: () => withCluster(changes), level, message };
}

const clusterFailures: FailureCase[] = [
  clusterFailure(
    "aks-01",
    "Azure Policy add-on disabled",
    { "addonProfiles.azurepolicy.enabled": false },
    "cluster 'contoso-aks': addonProfiles.azurepolicy.enabled is false, set addonProfiles: { azurepolicy: { enabled: true } }",
  ),
  clusterFailure(
    "aks-01",
    "Azure Policy add-on missing",
    { "addonProfiles.azurepolicy": undefined },
    "addonProfiles.azurepolicy.enabled is not set",
  ),
  clusterFailure(
    "aks-02",
    "network policy none",
    { "networkProfile.networkPolicy": "none" },
    `networkProfile.networkPolicy is "none", so NetworkPolicy objects are not enforced`,
  ),
  clusterFailure(
    "aks-02",
    "network policy not set",
    { "networkProfile.networkPolicy": undefined },
    "networkProfile.networkPolicy is not set",
  ),
  clusterFailure(
    "aks-03",
    "Entra ID integration not managed",
    { "aadProfile.managed": false },
    "aadProfile.managed is false, set aadProfile.managed: true",
  ),
  clusterFailure(
    "aks-03",
    "Azure RBAC not enabled",
    { "aadProfile.enableAzureRBAC": undefined },
    "aadProfile.enableAzureRBAC is not set, set aadProfile.enableAzureRBAC: true",
  ),
  clusterFailure(
    "aks-03",
    "local accounts enabled",
    { disableLocalAccounts: false },
    "disableLocalAccounts is false, set disableLocalAccounts: true",
  ),
  clusterFailure(
    "aks-03",
    "Kubernetes RBAC off",
    { enableRBAC: false },
    "enableRBAC is false, set enableRBAC: true",
  ),
  clusterFailure(
    "aks-04",
    "Defender sensor off",
    { "securityProfile.defender.securityMonitoring.enabled": false },
    "securityProfile.defender.securityMonitoring.enabled is false, set it to true",
  ),
  clusterFailure(
    "aks-04",
    "Defender without workspace",
    { "securityProfile.defender.logAnalyticsWorkspaceResourceId": undefined },
    "securityProfile.defender.logAnalyticsWorkspaceResourceId is not set, set it to the Log Analytics workspace's id",
  ),
  clusterFailure(
    "aks-05",
    "Container Insights off",
    { "addonProfiles.omsagent.enabled": false },
    "addonProfiles.omsagent.enabled is false, set it to true (Container Insights)",
  ),
  clusterFailure(
    "aks-05",
    "Container Insights without workspace",
    { "addonProfiles.omsagent.config": {} },
    "addonProfiles.omsagent.config.logAnalyticsWorkspaceResourceID is not set",
  ),
  clusterFailure(
    "aks-06",
    "secrets provider off",
    { "addonProfiles.azureKeyvaultSecretsProvider.enabled": false },
    "addonProfiles.azureKeyvaultSecretsProvider.enabled is false, set it to true",
  ),
  clusterFailure(
    "aks-06",
    "secret rotation off",
    { "addonProfiles.azureKeyvaultSecretsProvider.config.enableSecretRotation": "false" },
    `addonProfiles.azureKeyvaultSecretsProvider.config.enableSecretRotation is "false", set it to "true"`,
  ),
  clusterFailure(
    "aks-07",
    "OIDC issuer off",
    { "oidcIssuerProfile.enabled": false },
    "oidcIssuerProfile.enabled is false, set oidcIssuerProfile: { enabled: true }",
  ),
  clusterFailure(
    "aks-07",
    "workload identity missing",
    { "securityProfile.workloadIdentity": undefined },
    "securityProfile.workloadIdentity.enabled is not set, set it to true",
  ),
  clusterFailure(
    "aks-08",
    "public API server without authorized ranges",
    { apiServerAccessProfile: { enablePrivateCluster: false, authorizedIPRanges: [] } },
    "the API server is public and open to every address (no authorizedIPRanges), set apiServerAccessProfile.enablePrivateCluster: true",
    "advisory",
  ),
  clusterFailure(
    "aks-08",
    "authorized ranges that include 0.0.0.0/0",
    { apiServerAccessProfile: { authorizedIPRanges: ["203.0.113.0/24", "0.0.0.0/0"] } },
    `apiServerAccessProfile.authorizedIPRanges contains "0.0.0.0/0", which opens the API server to every address`,
    "advisory",
  ),
  clusterFailure(
    "aks-09",
    "upgrade channel none",
    { "autoUpgradeProfile.upgradeChannel": "none" },
    `autoUpgradeProfile.upgradeChannel is "none", set it to "patch" or "stable"`,
    "advisory",
  ),
  clusterFailure(
    "aks-09",
    "node OS channel not set",
    { "autoUpgradeProfile.nodeOSUpgradeChannel": undefined },
    "autoUpgradeProfile.nodeOSUpgradeChannel is not set",
    "advisory",
  ),
  clusterFailure(
    "aks-13",
    "a node pool keeps connections idle for the Linux default",
    { "agentPoolProfiles.0.linuxOSConfig.sysctls.netIpv4TcpKeepaliveTime": 7200 },
    "cluster 'contoso-aks': pool 'system': agentPoolProfiles[0].linuxOSConfig.sysctls.netIpv4TcpKeepaliveTime is 7200, set it to 120 or less",
    "advisory",
  ),
  clusterFailure(
    "aks-13",
    "a node pool without sysctls",
    { "agentPoolProfiles.0.linuxOSConfig": undefined },
    "agentPoolProfiles[0].linuxOSConfig.sysctls.netIpv4TcpKeepaliveTime is not set",
    "advisory",
  ),
];

const stackFailures: FailureCase[] = [
  {
    policy: "aks-10",
    what: "no diagnostic setting",
    resources: () => withFixture((fixture) => delete fixture.diagnostics),
    level: "mandatory",
    message: `cluster 'contoso-aks' has no diagnostic setting; add a monitor:DiagnosticSetting with resourceUri: the cluster's id, workspaceId: the Log Analytics workspace's id and logs: [{ category: "kube-audit-admin", enabled: true }, { category: "guard", enabled: true }]`,
  },
  {
    policy: "aks-10",
    what: "a diagnostic setting without a workspace",
    resources: () =>
      withFixture((fixture) => {
        fixture.diagnostics = diagnosticSetting("to-storage", fixture.cluster, {
          storageAccountId: "/subscriptions/0000/storage",
          logs: [{ category: "guard", enabled: true }],
        });
      }),
    level: "mandatory",
    message: "has diagnostic setting(s) 'to-storage' but none sends to Log Analytics",
  },
  {
    policy: "aks-10",
    what: "guard missing",
    resources: () =>
      withInputs("diagnostics", { logs: [{ category: "kube-audit-admin", enabled: true }] }),
    level: "mandatory",
    message: `cluster 'contoso-aks' does not send guard to Log Analytics; add logs: [{ category: "guard", enabled: true }] to diagnostic setting 'contoso-aks-diagnostics'`,
  },
  {
    policy: "aks-10",
    what: "kube-audit-admin disabled",
    resources: () => withInputs("diagnostics", { "logs.0.enabled": false }),
    level: "mandatory",
    message: "does not send kube-audit-admin to Log Analytics",
  },
  {
    policy: "aks-11",
    what: "no pod security assignment",
    resources: () => withFixture((fixture) => delete fixture.podSecurity),
    level: "advisory",
    message: `cluster 'contoso-aks' has no pod security initiative assigned; add an authorization:PolicyAssignment with scope: the cluster's id, policyDefinitionId: "${BASELINE}"`,
  },
  {
    policy: "aks-11",
    what: "a pod security assignment scoped elsewhere",
    resources: () =>
      withFixture((fixture) => {
        const { workspace } = fixture;
        fixture.podSecurity = testResource(
          POLICY_ASSIGNMENT,
          "elsewhere",
          { ...fixture.podSecurity!.inputs },
          { dependsOn: { scope: [workspace] } },
        );
      }),
    level: "advisory",
    message: "cluster 'contoso-aks' has no pod security initiative assigned",
  },
  {
    policy: "aks-11",
    what: "a different policy assigned to the cluster",
    resources: () =>
      withInputs("podSecurity", { policyDefinitionId: "/providers/x/policySetDefinitions/other" }),
    level: "advisory",
    message: "cluster 'contoso-aks' has no pod security initiative assigned",
  },
  {
    policy: "aks-11",
    what: "pod security in audit",
    resources: () => withInputs("podSecurity", { "parameters.effect.value": "audit" }),
    level: "advisory",
    urn: fixtureUrns.podSecurity,
    message: `policy assignment 'contoso-aks-pod-security' (pod security baseline on cluster 'contoso-aks') does not deny: parameters.effect.value is "audit", so violations are only audited, set parameters: { effect: { value: "Deny" } }`,
  },
  {
    policy: "aks-11",
    what: "pod security without effect",
    resources: () => withInputs("podSecurity", { parameters: undefined }),
    level: "advisory",
    urn: fixtureUrns.podSecurity,
    message: "parameters.effect.value is not set",
  },
  {
    policy: "aks-11",
    what: "pod security not enforced",
    resources: () => withInputs("podSecurity", { enforcementMode: "DoNotEnforce" }),
    level: "advisory",
    urn: fixtureUrns.podSecurity,
    message: `enforcementMode is "DoNotEnforce", set enforcementMode: "Default"`,
  },
  {
    policy: "aks-12",
    what: "no Ratify release",
    resources: () => withFixture((fixture) => delete fixture.ratify),
    level: "advisory",
    message: `cluster 'contoso-aks' does not verify image signatures: no Ratify verifier: add a kubernetes:helm.sh/v3:Release of the "ratify" chart`,
  },
  {
    policy: "aks-12",
    what: "Ratify without Key Vault",
    resources: () => withInputs("ratify", { "values.azurekeyvault.enabled": false }),
    level: "advisory",
    message: `Helm release 'ratify' does not trust a Key Vault signing certificate (values.azurekeyvault.enabled is false, set it to true)`,
  },
  {
    policy: "aks-12",
    what: "Ratify without a certificate",
    resources: () => withInputs("ratify", { "values.azurekeyvault.certificates": [] }),
    level: "advisory",
    message: "values.azurekeyvault.certificates names no certificate",
  },
  {
    policy: "aks-12",
    what: "Ratify with Notation disabled",
    resources: () => withInputs("ratify", { "values.notation.enabled": false }),
    level: "advisory",
    message: "values.notation.enabled is false",
  },
  {
    policy: "aks-12",
    what: "no enforcement",
    resources: () => withFixture((fixture) => delete fixture.enforcement),
    level: "advisory",
    message: `cluster 'contoso-aks' does not verify image signatures: no enforcement: add a Gatekeeper constraint kubernetes:constraints.gatekeeper.sh/v1beta1:RatifyVerification with spec.enforcementAction: "deny"`,
  },
  {
    policy: "aks-12",
    what: "Gatekeeper constraint in dryrun",
    resources: () => withInputs("enforcement", { "spec.enforcementAction": "dryrun" }),
    level: "advisory",
    urn: fixtureUrns.enforcement,
    message: `signature verification on cluster 'contoso-aks' only audits: 'ratify-constraint' has spec.enforcementAction "dryrun"; set deny`,
  },
  {
    policy: "aks-12",
    what: "Azure Policy enforcement in Audit",
    resources: () =>
      withFixture((fixture) => {
        fixture.enforcement = testResource(POLICY_ASSIGNMENT, "ratify-policy", {
          scope: "/subscriptions/0000/aks",
          displayName: "Ratify image verification",
          policyDefinitionId: "/providers/Microsoft.Authorization/policyDefinitions/custom",
          parameters: { effect: { value: "Audit" } },
        });
      }),
    level: "advisory",
    urn: "urn:pulumi:test::aks-devsecops::azure-native:authorization:PolicyAssignment::ratify-policy",
    message: `only audits: 'ratify-policy' has parameters.effect.value "Audit"; set deny`,
  },
  {
    policy: "aks-13",
    what: "an AgentPool resource above the limit",
    resources: () =>
      withFixture((fixture) =>
        fixture.others.push(
          testResource(AGENT_POOL, "user-pool", {
            osType: "Linux",
            linuxOSConfig: { sysctls: { netIpv4TcpKeepaliveTime: 300 } },
          }),
        ),
      ),
    level: "advisory",
    urn: "urn:pulumi:test::aks-devsecops::azure-native:containerservice:AgentPool::user-pool",
    message:
      "agent pool 'user-pool': linuxOSConfig.sysctls.netIpv4TcpKeepaliveTime is 300, set it to 120 or less",
  },
];

describe("cluster policies: each failure mode", () => {
  it.each([...clusterFailures, ...stackFailures])("$policy: $what", (failure) =>
    expectFailure(failure, fixtureUrns.cluster),
  );

  it("AKS-12 names every missing piece in one violation", async () => {
    const violations = violationsOf(
      await analyze(
        withFixture((fixture) => {
          delete fixture.ratify;
          delete fixture.enforcement;
        }),
      ),
      "aks-12",
    );
    expect(violations).toHaveLength(1);
    expect(violations[0].message).toMatch(/no Ratify verifier: .*; no enforcement: /);
  });
});

describe("cluster policies: levels and unknown values", () => {
  it("P controls become mandatory through the stack's policy config", async () => {
    const resources = withFixture((fixture) => {
      setPath(fixture.cluster.inputs, "apiServerAccessProfile", { authorizedIPRanges: [] });
      setPath(fixture.podSecurity!.inputs, "parameters.effect.value", "Audit");
      delete fixture.ratify;
    });
    await expectMandatoryWhenConfigured(resources, ["aks-08", "aks-11", "aks-12"]);
  });

  it("an unknown disableLocalAccounts gives an advisory 'can't run' diagnostic, not a pass", () =>
    expectCantRun(
      withCluster({ disableLocalAccounts: UNKNOWN }),
      "aks-03",
      /can't run policy 'aks-03'.*\.disableLocalAccounts/,
    ));

  it("an unknown pod security effect stops AKS-11 with the advisory diagnostic", () =>
    expectCantRun(
      withInputs("podSecurity", { "parameters.effect.value": UNKNOWN }),
      "aks-11",
      /can't run policy 'aks-11'.*during preview/,
    ));
});

// ---------------------------------------------------------------------------------------------
// AKS-14, AKS-15, AKS-16 (issue 14)

/** AKS-14 checked as of a fixed day, so the cases do not depend on when the tests run. */
const asOf = (today: string) => ({
  policyConfig: { "aks-14": { enforcementLevel: "mandatory" as const, today } },
});
const DAY = "2026-12-01";

describe("AKS-14: a Kubernetes version inside AKS's support window", () => {
  const aks14 = async (changes: Record<string, unknown>, today = DAY) =>
    violationsOf(await analyze(withCluster(changes), asOf(today)), "aks-14");

  it("passes a supported minor, a supported patch, and no version at all (AKS's default)", async () => {
    expect(await aks14({ kubernetesVersion: "1.36" })).toEqual([]);
    expect(await aks14({ kubernetesVersion: "1.35.4" })).toEqual([]);
    expect(await aks14({ kubernetesVersion: undefined })).toEqual([]);
  });

  it("fails 1.33 after its end of life (2026-07-31; AKS release calendar) and names the supported minors", async () => {
    expect(await aks14({ kubernetesVersion: "1.33" })).toEqual([
      {
        policy: "aks-14",
        enforcementLevel: "mandatory",
        urn: fixtureUrns.cluster,
        message: expect.stringMatching(
          /kubernetesVersion "1.33" reached AKS end of life on 2026-07-31, so new clusters cannot be created on it .*supported on 2026-12-01: 1.35, 1.36, 1.37/,
        ),
      },
    ]);
    // 1.34 ended on 2026-11-30: one day makes the difference.
    expect(await aks14({ kubernetesVersion: "1.34" }, "2026-11-30")).toEqual([]);
    expect(await aks14({ kubernetesVersion: "1.34" })).toHaveLength(1);
  });

  it("fails a minor that is not GA yet and one the table does not know", async () => {
    const [early] = await aks14({ kubernetesVersion: "1.37" }, "2026-08-15");
    expect(early.message).toMatch(/is not GA on AKS before 2026-10-01/);
    const [unknown] = await aks14({ kubernetesVersion: "1.40" });
    expect(unknown.message).toMatch(/a minor the pack's AKS support table .* does not list/);
  });

  it("long-term support keeps 1.33 supported only with supportPlan AKSLongTermSupport on Premium", async () => {
    const lts = { kubernetesVersion: "1.33", supportPlan: "AKSLongTermSupport" };
    expect(await aks14({ ...lts, "sku.tier": "Premium" })).toEqual([]);
    const [standard] = await aks14({ ...lts, "sku.tier": "Standard" });
    expect(standard.message).toMatch(
      /supportPlan is "AKSLongTermSupport" but sku.tier is "Standard"; long-term support needs .*tier: "Premium"/,
    );
    expect(standard.message).toMatch(/reached AKS end of life on 2026-07-31/);
    const [over] = await aks14({ ...lts, "sku.tier": "Premium" }, "2027-08-01");
    expect(over.message).toMatch(/its long-term support ended on 2027-07-31/);
  });

  it("a table more than 6 months old is an advisory 'table out of date', never a pass", () =>
    expectCantRun(
      withCluster({ kubernetesVersion: "1.37" }),
      "aks-14",
      /AKS support table \(as of 2026-12-01\) is more than 6 months old on 2027-06-02: table out of date/,
      asOf("2027-06-02"),
    ));

  it("the stacks' versions are supported today (the table has to follow the calendar)", async () => {
    const { TABLE_AS_OF, aksSupport } =
      await import("../../../policy-pack/policies/aks/aks-support");
    expect(
      aksSupport({ kubernetesVersion: "1.36", today: TABLE_AS_OF, longTermSupport: false }),
    ).toMatchObject({ supported: true, until: "2027-06-30" });
  });
});

const AGENT_POOL_TYPE = "azure-native:containerservice:AgentPool";

describe("AKS-15: encryption at host on every node pool", () => {
  it("passes pools with enableEncryptionAtHost: true", () =>
    expectPasses(resourcesOf(compliantFixture()), ["aks-15"]));

  it.each([
    ["unset", undefined],
    ["false", false],
  ])("flags a pool with enableEncryptionAtHost %s, advisory outside prod", async (_, value) => {
    const violations = violationsOf(
      await analyze(withCluster({ "agentPoolProfiles.1.enableEncryptionAtHost": value })),
      "aks-15",
    );
    expect(violations).toEqual([
      expect.objectContaining({
        enforcementLevel: "advisory",
        urn: fixtureUrns.cluster,
        message: expect.stringContaining(
          `cluster 'contoso-aks': pool 'user': agentPoolProfiles[1].enableEncryptionAtHost is ${value === undefined ? "not set" : "false"}, set it to true`,
        ),
      }),
    ]);
  });

  it("checks AgentPool resources too, and is mandatory with prod's config", async () => {
    const pool = testResource(AGENT_POOL_TYPE, "extra-pool", { mode: "User", osType: "Linux" });
    const violations = await analyze([...resourcesOf(compliantFixture()), pool], {
      policyConfig: { "aks-15": "mandatory" },
    });
    expect(violationsOf(violations, "aks-15")).toEqual([
      expect.objectContaining({
        enforcementLevel: "mandatory",
        urn: pool.urn,
        message: expect.stringContaining(
          "agent pool 'extra-pool': enableEncryptionAtHost is not set",
        ),
      }),
    ]);
  });
});

describe("AKS-16: a tainted system pool and a user pool for workloads", () => {
  it("passes the tainted system pool with a user pool, or a user pool declared as an AgentPool", async () => {
    await expectPasses(resourcesOf(compliantFixture()), ["aks-16"]);
    await expectPasses(
      withFixture((fixture) => {
        (fixture.cluster.inputs.agentPoolProfiles as unknown[]).splice(1, 1);
        fixture.others.push(
          testResource(
            AGENT_POOL_TYPE,
            "workloads",
            { mode: "User", resourceName: "aks-contoso-prod" },
            { dependsOn: { resourceName: [fixture.cluster] } },
          ),
        );
      }),
      ["aks-16"],
    );
  });

  it("flags an untainted system pool", async () => {
    const violations = violationsOf(
      await analyze(withCluster({ "agentPoolProfiles.0.nodeTaints": undefined })),
      "aks-16",
    );
    expect(violations).toEqual([
      expect.objectContaining({
        enforcementLevel: "advisory",
        urn: fixtureUrns.cluster,
        message: expect.stringContaining(
          `system pool 'system' has nodeTaints not set, add "CriticalAddonsOnly=true:NoSchedule"`,
        ),
      }),
    ]);
  });

  it("flags a cluster whose workloads would run on the system pool", async () => {
    const violations = violationsOf(
      await analyze(
        withFixture((fixture) => (fixture.cluster.inputs.agentPoolProfiles as unknown[]).pop()),
      ),
      "aks-16",
    );
    expect(violations).toEqual([
      expect.objectContaining({
        message: expect.stringContaining(`no node pool has mode "User"`),
      }),
    ]);
  });
});

import { describe, expect, it } from "vitest";
import { autoUpgradedFields, CRITICAL_ADDONS_TAINT } from "../../infra/azure/cluster";
import { aksSupport } from "../../policy-pack/policies/aks/aks-support";
import { byName, inputsOf, onlyInputs, STACKS } from "../support/stacks";

const CLUSTER = "azure-native:containerservice:ManagedCluster";

describe.each(STACKS)("cluster (%s)", (stack) => {
  const cluster = () => onlyInputs(stack, CLUSTER);

  it("runs the Azure Policy, Container Insights and Key Vault secrets provider add-ons", () => {
    const { addonProfiles } = cluster();
    expect(addonProfiles.azurepolicy.enabled).toBe(true);
    expect(addonProfiles.omsagent.enabled).toBe(true);
    expect(addonProfiles.omsagent.config.logAnalyticsWorkspaceResourceID).toMatch(
      /workspaces\/log-contoso-/,
    );
    expect(addonProfiles.azureKeyvaultSecretsProvider).toEqual({
      enabled: true,
      config: { enableSecretRotation: "true", rotationPollInterval: "2m" },
    });
  });

  it("uses Entra ID with Azure RBAC and no local accounts", () => {
    const { aadProfile, disableLocalAccounts, enableRBAC } = cluster();
    expect(aadProfile.managed).toBe(true);
    expect(aadProfile.enableAzureRBAC).toBe(true);
    expect(aadProfile.adminGroupObjectIDs.length).toBeGreaterThan(0);
    expect(disableLocalAccounts).toBe(true);
    expect(enableRBAC).toBe(true);
  });

  it("enforces network policy with Azure CNI overlay and Cilium", () => {
    expect(cluster().networkProfile).toMatchObject({
      networkPlugin: "azure",
      networkPluginMode: "overlay",
      networkPolicy: "cilium",
      networkDataplane: "cilium",
    });
  });

  it("has the OIDC issuer, workload identity and Defender monitoring", () => {
    const { oidcIssuerProfile, securityProfile } = cluster();
    expect(oidcIssuerProfile.enabled).toBe(true);
    expect(securityProfile.workloadIdentity.enabled).toBe(true);
    expect(securityProfile.defender.securityMonitoring.enabled).toBe(true);
    expect(securityProfile.defender.logAnalyticsWorkspaceResourceId).toMatch(/workspaces\//);
  });

  it("upgrades itself and keeps node TCP keepalive under Azure's idle limits", () => {
    const { autoUpgradeProfile, agentPoolProfiles } = cluster();
    expect(autoUpgradeProfile.upgradeChannel).not.toBe("none");
    expect(autoUpgradeProfile.nodeOSUpgradeChannel).toBe("NodeImage");
    const [pool] = agentPoolProfiles;
    expect(pool.linuxOSConfig.sysctls.netIpv4TcpKeepaliveTime).toBeLessThanOrEqual(120);
    expect(pool.linuxOSConfig.sysctls.netIpv4TcpkeepaliveIntvl).toBe(15);
    expect(pool.linuxOSConfig.sysctls.netIpv4TcpKeepaliveProbes).toBe(5);
    expect(pool.kubeletConfig.allowedUnsafeSysctls).toEqual(["net.ipv4.tcp_retries2"]);
    expect(pool.enableNodePublicIP).toBe(false);
  });

  it("sends kube-audit-admin and guard logs to the workspace", () => {
    const diagnostics = byName(stack, "cluster-diagnostics");
    const categories = inputsOf(diagnostics).logs.map((log: { category: string }) => log.category);
    expect(categories).toEqual(expect.arrayContaining(["kube-audit-admin", "guard"]));
    expect(diagnostics.propertyDependencies.resourceUri).toContain(
      byName(stack, "cluster-aks").urn,
    );
  });

  it("assigns the pod security baseline initiative on the cluster", () => {
    const assignment = byName(stack, "cluster-pod-security");
    // "Kubernetes cluster pod security baseline standards for Linux-based workloads".
    expect(inputsOf(assignment).policyDefinitionId).toBe(
      "/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d",
    );
    expect(assignment.propertyDependencies.scope).toContain(byName(stack, "cluster-aks").urn);
  });
});

describe("cluster differences", () => {
  it("prod: private API server, zone-spread autoscaling pool, pod security in deny", () => {
    const cluster = onlyInputs("prod", CLUSTER);
    expect(cluster.apiServerAccessProfile.enablePrivateCluster).toBe(true);
    expect(cluster.sku.tier).toBe("Standard");
    expect(cluster.agentPoolProfiles[0]).toMatchObject({
      minCount: 3,
      maxCount: 6,
      availabilityZones: ["1", "2", "3"],
    });
    expect(inputsOf(byName("prod", "cluster-pod-security")).parameters.effect.value).toBe("deny");
  });

  it("dev: public API server limited to authorized ranges, pod security in audit", () => {
    const cluster = onlyInputs("dev", CLUSTER);
    expect(cluster.apiServerAccessProfile.enablePrivateCluster).toBeUndefined();
    expect(cluster.apiServerAccessProfile.authorizedIPRanges).toEqual(["203.0.113.0/24"]);
    expect(inputsOf(byName("dev", "cluster-pod-security")).parameters.effect.value).toBe("audit");
  });
});

describe.each(STACKS)("cluster: what Azure enforces (%s)", (stack) => {
  const cluster = () => onlyInputs(stack, CLUSTER);

  it("runs a Kubernetes minor AKS still supports (1.33 ended on 2026-07-31, AKS release calendar)", () => {
    const { kubernetesVersion } = cluster();
    expect(kubernetesVersion).toBe("1.36");
    expect(
      aksSupport({ kubernetesVersion, today: "2026-12-01", longTermSupport: false }),
    ).toMatchObject({ supported: true });
  });

  it("encrypts every node pool at host, taints the system pool and runs workloads on a user pool", () => {
    const pools = cluster().agentPoolProfiles;
    expect(pools.map((pool: { name: string; mode: string }) => [pool.name, pool.mode])).toEqual([
      ["system", "System"],
      ["user", "User"],
    ]);
    for (const pool of pools) expect(pool.enableEncryptionAtHost).toBe(true);
    expect(pools[0].nodeTaints).toEqual([CRITICAL_ADDONS_TAINT]);
    expect(pools[1].nodeTaints).toBeUndefined();
    expect(pools[1].linuxOSConfig.sysctls.netIpv4TcpKeepaliveTime).toBe(120);
  });

  it("collects kube-audit (AKSAudit: exec over WebSocket is a get) besides kube-audit-admin, in Dedicated tables", () => {
    const diagnostics = inputsOf(byName(stack, "cluster-diagnostics"));
    expect(diagnostics.logAnalyticsDestinationType).toBe("Dedicated");
    expect(diagnostics.logs.map((log: { category: string }) => log.category)).toEqual(
      expect.arrayContaining(["kube-audit", "kube-audit-admin", "guard"]),
    );
  });
});

describe("cluster: auto-upgrade owns the version after creation", () => {
  it("ignores kubernetesVersion on channels that upgrade Kubernetes, so up never asks for a downgrade", () => {
    for (const channel of ["patch", "stable", "rapid"] as const) {
      expect(autoUpgradedFields(channel)).toEqual([
        "kubernetesVersion",
        "agentPoolProfiles[*].orchestratorVersion",
      ]);
    }
    expect(autoUpgradedFields("node-image")).toEqual([]);
  });
});

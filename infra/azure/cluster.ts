import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as containerservice from "@pulumi/azure-native/containerservice";
import * as monitor from "@pulumi/azure-native/monitor";
import * as types from "@pulumi/azure-native/types";
import {
  builtInPolicySetId,
  LOG_CATEGORIES,
  POD_SECURITY_INITIATIVES,
} from "../../policy-pack/facts/azure";
import { CRITICAL_ADDONS_TAINT } from "../../policy-pack/facts/kubernetes";
import type { ClusterConfig, NodePoolConfig } from "../config";
import { diagnosticSetting, Placement, placementOf } from "./shared";

export { CRITICAL_ADDONS_TAINT };

/** Auto-upgrade channels that change the Kubernetes version by themselves (node-image does not). */
const VERSION_UPGRADE_CHANNELS: readonly string[] = ["patch", "stable", "rapid"];

/**
 * What `pulumi up` must not send back once AKS has upgraded the cluster. After an auto-upgrade,
 * AKS reports `kubernetesVersion` as the full running version ("1.25" becomes "1.25.6",
 * https://github.com/Azure/AKS/issues/3573; the drift Azure/terraform-azurerm-aks#335 hit), and
 * on stable/rapid the minor moves too. Sending the stack's older value again asks AKS for a
 * downgrade. Like Azure's own Terraform module (main.tf: `lifecycle { ignore_changes =
 * [kubernetes_version] }` with auto-upgrade), the configured version is the version the cluster
 * is created with, and AKS owns it afterwards. A later minor upgrade on the patch channel is
 * `az aks upgrade --kubernetes-version <minor>`; then set the same minor in the stack file so
 * AKS-14 checks what runs.
 */
export function autoUpgradedFields(upgradeChannel: ClusterConfig["upgradeChannel"]): string[] {
  return VERSION_UPGRADE_CHANNELS.includes(upgradeChannel)
    ? ["kubernetesVersion", "agentPoolProfiles[*].orchestratorVersion"]
    : [];
}

/**
 * `privateCluster`: the API server is reachable only from the VNet, else `authorizedIpRanges`
 * limit it; `userPool` is the pool workloads run on; `tcpKeepalive` are the node sysctls, under
 * Azure's 4-minute load-balancer idle timeout.
 */
export interface ClusterArgs extends Placement, ClusterConfig {
  clusterName: string;
  tenantId: pulumi.Input<string>;
  nodeSubnetId: pulumi.Input<string>;
  workspaceId: pulumi.Input<string>;
  /** The Defender sensor's workspace: local auth on, which the sensor needs (monitoring.ts). */
  defenderWorkspaceId: pulumi.Input<string>;
  containerInsightsRuleId: pulumi.Input<string>;
  /** AKS application routing (managed NGINX ingress); off when the stack exposes nothing. */
  appRouting?: AppRoutingArgs;
}

/**
 * `ingressProfile.webAppRouting` (azure-native ManagedClusterIngressProfileWebAppRoutingArgs):
 * the zones the add-on writes records into and the default controller's load balancer, `Internal`
 * for a private IP only (enums.containerservice.NginxIngressControllerType).
 */
export interface AppRoutingArgs {
  dnsZoneResourceIds: pulumi.Input<string>[];
  loadBalancer: "external" | "internal";
}

/** AKS with Entra ID RBAC, workload identity, Azure Policy, network policy, Defender and monitoring. */
export class Cluster extends pulumi.ComponentResource {
  readonly clusterId: pulumi.Output<string>;
  readonly clusterName: pulumi.Output<string>;
  readonly oidcIssuerUrl: pulumi.Output<string>;
  readonly kubeletObjectId: pulumi.Output<string>;
  /** The application routing add-on's managed identity (DNS records, Key Vault certificates). */
  readonly appRoutingObjectId: pulumi.Output<string>;
  /**
   * The cluster user's kubeconfig (secret). Entra ID clusters hand out exec-based kubeconfigs
   * (kubelogin) that hold no credential; local accounts are off (AKS-06).
   */
  readonly kubeconfig: pulumi.Output<string>;

  constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:azure:Cluster", name, {}, opts);
    const cluster = new containerservice.ManagedCluster(
      `${name}-aks`,
      {
        ...placementOf(args),
        resourceName: args.clusterName,
        dnsPrefix: args.clusterName,
        kubernetesVersion: args.kubernetesVersion,
        sku: { name: "Base", tier: args.skuTier },
        supportPlan: args.supportPlan,
        identity: { type: containerservice.ResourceIdentityType.SystemAssigned },
        enableRBAC: true,
        disableLocalAccounts: true,
        aadProfile: {
          managed: true,
          enableAzureRBAC: true,
          tenantID: args.tenantId,
          adminGroupObjectIDs: args.adminGroupObjectIds,
        },
        agentPoolProfiles: [
          nodePool(args, "system", args.systemPool),
          nodePool(args, "user", args.userPool),
        ],
        networkProfile: {
          networkPlugin: args.networkPlugin,
          networkPluginMode: args.networkPluginMode,
          networkPolicy: args.networkPolicy,
          networkDataplane: args.networkDataplane,
          loadBalancerSku: "standard",
          outboundType: "loadBalancer",
        },
        apiServerAccessProfile: args.privateCluster
          ? {
              enablePrivateCluster: true,
              enablePrivateClusterPublicFQDN: false,
              disableRunCommand: true,
            }
          : { authorizedIPRanges: args.authorizedIpRanges, disableRunCommand: true },
        oidcIssuerProfile: { enabled: true },
        securityProfile: {
          workloadIdentity: { enabled: true },
          imageCleaner: { enabled: true, intervalHours: 48 },
          defender: {
            logAnalyticsWorkspaceResourceId: args.defenderWorkspaceId,
            securityMonitoring: { enabled: true },
          },
        },
        autoUpgradeProfile: {
          upgradeChannel: args.upgradeChannel,
          nodeOSUpgradeChannel: args.nodeOsUpgradeChannel,
        },
        ingressProfile: args.appRouting
          ? {
              webAppRouting: {
                enabled: true,
                dnsZoneResourceIds: args.appRouting.dnsZoneResourceIds,
                nginx: {
                  defaultIngressControllerType:
                    args.appRouting.loadBalancer === "internal"
                      ? containerservice.NginxIngressControllerType.Internal
                      : containerservice.NginxIngressControllerType.External,
                },
              },
            }
          : undefined,
        addonProfiles: {
          azurepolicy: { enabled: true, config: { version: "v2" } },
          omsagent: {
            enabled: true,
            config: { logAnalyticsWorkspaceResourceID: args.workspaceId, useAADAuth: "true" },
          },
          azureKeyvaultSecretsProvider: {
            enabled: true,
            config: { enableSecretRotation: "true", rotationPollInterval: "2m" },
          },
        },
      },
      { parent: this, ignoreChanges: autoUpgradedFields(args.upgradeChannel) },
    );

    diagnosticSetting(
      `${name}-diagnostics`,
      {
        resourceUri: cluster.id,
        workspaceId: args.workspaceId,
        // kube-audit (table AKSAudit) holds get events too: exec over WebSocket (sentinel-rules.ts).
        categories: Object.values(LOG_CATEGORIES.cluster),
        dedicatedTables: true,
      },
      { parent: this },
    );
    new monitor.DataCollectionRuleAssociation(
      `${name}-container-insights`,
      {
        resourceUri: cluster.id,
        associationName: "ContainerInsightsExtension",
        dataCollectionRuleId: args.containerInsightsRuleId,
        description: "Container Insights data for this cluster",
      },
      { parent: this },
    );
    new authorization.PolicyAssignment(
      `${name}-pod-security`,
      {
        scope: cluster.id,
        policyAssignmentName: `pod-security-${args.podSecurityStandard}`,
        displayName: `Kubernetes pod security ${args.podSecurityStandard} standard (${args.podSecurityEffect})`,
        policyDefinitionId: builtInPolicySetId(POD_SECURITY_INITIATIVES[args.podSecurityStandard]),
        enforcementMode: authorization.EnforcementMode.Default,
        parameters: { effect: { value: args.podSecurityEffect } },
        nonComplianceMessages: [
          {
            message: `Pods must meet the Kubernetes ${args.podSecurityStandard} pod security standard.`,
          },
        ],
      },
      { parent: this },
    );

    this.clusterId = cluster.id;
    this.clusterName = cluster.name;
    this.oidcIssuerUrl = cluster.oidcIssuerProfile.apply((profile) => profile?.issuerURL ?? "");
    this.kubeletObjectId = cluster.identityProfile.apply(
      (profile) => profile?.kubeletidentity?.objectId ?? "",
    );
    this.appRoutingObjectId = cluster.ingressProfile.apply(
      (profile) => profile?.webAppRouting?.identity?.objectId ?? "",
    );
    this.kubeconfig = pulumi.secret(
      containerservice
        .listManagedClusterUserCredentialsOutput(
          { resourceGroupName: args.resourceGroupName, resourceName: cluster.name, format: "exec" },
          { parent: this },
        )
        .apply((credentials) =>
          Buffer.from(credentials.kubeconfigs?.[0]?.value ?? "", "base64").toString("utf8"),
        ),
    );
    this.registerOutputs({
      clusterId: this.clusterId,
      clusterName: this.clusterName,
      oidcIssuerUrl: this.oidcIssuerUrl,
      kubeletObjectId: this.kubeletObjectId,
      appRoutingObjectId: this.appRoutingObjectId,
      kubeconfig: this.kubeconfig,
    });
  }
}

/**
 * A node pool. Encryption at host (AKS-15) can only be set when a pool is created and needs the
 * subscription feature Microsoft.Compute/EncryptionAtHost
 * (https://learn.microsoft.com/azure/aks/enable-host-encryption).
 */
function nodePool(
  args: ClusterArgs,
  mode: "system" | "user",
  pool: NodePoolConfig,
): types.input.containerservice.ManagedClusterAgentPoolProfileArgs {
  return {
    name: mode,
    mode:
      mode === "system"
        ? containerservice.AgentPoolMode.System
        : containerservice.AgentPoolMode.User,
    nodeTaints: mode === "system" ? [CRITICAL_ADDONS_TAINT] : undefined,
    enableEncryptionAtHost: true,
    osType: containerservice.OSType.Linux,
    osSKU: containerservice.OSSKU.AzureLinux,
    vmSize: pool.vmSize,
    enableAutoScaling: true,
    count: pool.minCount,
    minCount: pool.minCount,
    maxCount: pool.maxCount,
    availabilityZones: pool.availabilityZones.length ? pool.availabilityZones : undefined,
    vnetSubnetID: args.nodeSubnetId,
    enableNodePublicIP: false,
    upgradeSettings: { maxSurge: "33%" },
    kubeletConfig: { allowedUnsafeSysctls: args.allowedUnsafeSysctls },
    linuxOSConfig: {
      sysctls: {
        netIpv4TcpKeepaliveTime: args.tcpKeepalive.timeSeconds,
        netIpv4TcpkeepaliveIntvl: args.tcpKeepalive.intervalSeconds,
        netIpv4TcpKeepaliveProbes: args.tcpKeepalive.probes,
      },
    },
  };
}

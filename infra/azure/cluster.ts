import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as containerservice from "@pulumi/azure-native/containerservice";
import * as monitor from "@pulumi/azure-native/monitor";
import * as types from "@pulumi/azure-native/types";
import { diagnosticSetting, Placement, placementOf } from "./shared";

/** Built-in Azure Policy initiatives for Kubernetes pod security standards (Linux workloads). */
export const POD_SECURITY_INITIATIVES = {
  baseline:
    "/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d",
  restricted:
    "/providers/Microsoft.Authorization/policySetDefinitions/42b8ef37-b724-4e24-bbc8-7a7708edfe00",
} as const;

export interface TcpKeepalive {
  timeSeconds: number;
  intervalSeconds: number;
  probes: number;
}

export interface ClusterArgs extends Placement {
  clusterName: string;
  kubernetesVersion: string;
  skuTier: "Free" | "Standard" | "Premium";
  tenantId: pulumi.Input<string>;
  adminGroupObjectIds: string[];
  nodeSubnetId: pulumi.Input<string>;
  systemPool: { vmSize: string; minCount: number; maxCount: number; availabilityZones: string[] };
  network: {
    plugin: "azure";
    pluginMode: "overlay";
    policy: "azure" | "calico" | "cilium";
    dataplane: "azure" | "cilium";
  };
  /** API server reachable only from the VNet; otherwise authorizedIpRanges limit it. */
  privateCluster: boolean;
  authorizedIpRanges: string[];
  upgradeChannel: string;
  nodeOsUpgradeChannel: string;
  podSecurity: { standard: keyof typeof POD_SECURITY_INITIATIVES; effect: "audit" | "deny" };
  /** Node sysctls: keepalive under Azure's 4-minute load-balancer idle timeout. */
  tcpKeepalive: TcpKeepalive;
  allowedUnsafeSysctls: string[];
  workspaceId: pulumi.Input<string>;
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
        identity: { type: containerservice.ResourceIdentityType.SystemAssigned },
        enableRBAC: true,
        disableLocalAccounts: true,
        aadProfile: {
          managed: true,
          enableAzureRBAC: true,
          tenantID: args.tenantId,
          adminGroupObjectIDs: args.adminGroupObjectIds,
        },
        agentPoolProfiles: [systemPool(args)],
        networkProfile: {
          networkPlugin: args.network.plugin,
          networkPluginMode: args.network.pluginMode,
          networkPolicy: args.network.policy,
          networkDataplane: args.network.dataplane,
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
            logAnalyticsWorkspaceResourceId: args.workspaceId,
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
      { parent: this },
    );

    diagnosticSetting(
      `${name}-diagnostics`,
      {
        resourceUri: cluster.id,
        workspaceId: args.workspaceId,
        categories: ["kube-audit-admin", "guard", "kube-apiserver", "cluster-autoscaler"],
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
        policyAssignmentName: `pod-security-${args.podSecurity.standard}`,
        displayName: `Kubernetes pod security ${args.podSecurity.standard} standard (${args.podSecurity.effect})`,
        policyDefinitionId: POD_SECURITY_INITIATIVES[args.podSecurity.standard],
        enforcementMode: authorization.EnforcementMode.Default,
        parameters: { effect: { value: args.podSecurity.effect } },
        nonComplianceMessages: [
          {
            message: `Pods must meet the Kubernetes ${args.podSecurity.standard} pod security standard.`,
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
    this.registerOutputs({
      clusterId: this.clusterId,
      clusterName: this.clusterName,
      oidcIssuerUrl: this.oidcIssuerUrl,
    });
  }
}

function systemPool(
  args: ClusterArgs,
): types.input.containerservice.ManagedClusterAgentPoolProfileArgs {
  return {
    name: "system",
    mode: containerservice.AgentPoolMode.System,
    osType: containerservice.OSType.Linux,
    osSKU: containerservice.OSSKU.AzureLinux,
    vmSize: args.systemPool.vmSize,
    enableAutoScaling: true,
    count: args.systemPool.minCount,
    minCount: args.systemPool.minCount,
    maxCount: args.systemPool.maxCount,
    availabilityZones: args.systemPool.availabilityZones.length
      ? args.systemPool.availabilityZones
      : undefined,
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

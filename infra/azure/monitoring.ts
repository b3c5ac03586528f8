import * as pulumi from "@pulumi/pulumi";
import * as monitor from "@pulumi/azure-native/monitor";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import * as securityinsights from "@pulumi/azure-native/securityinsights";
import { PLATFORM_ANALYTICS_RULES } from "./sentinel-rules";
import { Placement, placementOf } from "./shared";

export interface MonitoringArgs extends Placement {
  workspaceName: string;
  retentionInDays: number;
  /** Daily ingestion cap in GB; -1 for none. */
  dailyQuotaGb: number;
}

/** Log Analytics with Microsoft Sentinel and the Container Insights data collection rule. */
export class Monitoring extends pulumi.ComponentResource {
  readonly workspaceId: pulumi.Output<string>;
  readonly workspaceName: pulumi.Output<string>;
  /** The workspace's customer id (what agents and queries call the workspace id). */
  readonly workspaceCustomerId: pulumi.Output<string>;
  readonly containerInsightsRuleId: pulumi.Output<string>;
  /** The workspace the Defender for Containers sensor reports to (see below). */
  readonly defenderWorkspaceId: pulumi.Output<string>;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:azure:Monitoring", name, {}, opts);
    const workspace = new operationalinsights.Workspace(
      `${name}-workspace`,
      {
        ...placementOf(args),
        workspaceName: args.workspaceName,
        sku: { name: "PerGB2018" },
        retentionInDays: args.retentionInDays,
        workspaceCapping: { dailyQuotaGb: args.dailyQuotaGb },
        features: { disableLocalAuth: true, enableLogAccessUsingOnlyResourcePermissions: true },
      },
      { parent: this },
    );
    const sentinel = new securityinsights.SentinelOnboardingState(
      `${name}-sentinel`,
      {
        resourceGroupName: args.resourceGroupName,
        workspaceName: workspace.name,
        sentinelOnboardingStateName: "default",
      },
      { parent: this },
    );
    for (const rule of PLATFORM_ANALYTICS_RULES) {
      new securityinsights.ScheduledAlertRule(
        `${name}-rule-${rule.key}`,
        {
          resourceGroupName: args.resourceGroupName,
          workspaceName: workspace.name,
          kind: "Scheduled",
          displayName: rule.displayName,
          description: rule.description,
          enabled: true,
          severity: rule.severity,
          query: rule.query,
          queryFrequency: rule.queryFrequency,
          queryPeriod: rule.queryPeriod,
          triggerOperator: securityinsights.TriggerOperator.GreaterThan,
          triggerThreshold: 0,
          suppressionEnabled: false,
          suppressionDuration: "PT1H",
          tactics: rule.tactics,
          techniques: rule.techniques,
          entityMappings: rule.entityMappings,
          incidentConfiguration: {
            createIncident: true,
            groupingConfiguration: {
              enabled: true,
              // Alerts about the same entities within 5 hours become one incident.
              lookbackDuration: "PT5H",
              matchingMethod: "AllEntities",
              reopenClosedIncident: false,
            },
          },
        },
        { parent: this, dependsOn: [sentinel] },
      );
    }
    // The Defender for Containers sensor still authenticates to its workspace with workspace keys,
    // so on a workspace with local auth disabled its publisher pods fail and runtime threat
    // detection stops silently (Azure/Microsoft-Defender-for-Cloud#1010, open). It gets a
    // workspace of its own with local auth on; the platform workspace, where Sentinel's rules and
    // the audit logs live, keeps local auth off. Sentinel is onboarded on it too (MON-02).
    const defenderWorkspace = new operationalinsights.Workspace(
      `${name}-defender-workspace`,
      {
        ...placementOf(args),
        workspaceName: `${args.workspaceName}-mdc`,
        sku: { name: "PerGB2018" },
        retentionInDays: args.retentionInDays,
        workspaceCapping: { dailyQuotaGb: args.dailyQuotaGb },
        features: { disableLocalAuth: false, enableLogAccessUsingOnlyResourcePermissions: true },
      },
      { parent: this },
    );
    new securityinsights.SentinelOnboardingState(
      `${name}-defender-sentinel`,
      {
        resourceGroupName: args.resourceGroupName,
        workspaceName: defenderWorkspace.name,
        sentinelOnboardingStateName: "default",
      },
      { parent: this },
    );
    const containerInsights = new monitor.DataCollectionRule(
      `${name}-container-insights`,
      {
        ...placementOf(args),
        kind: "Linux",
        description: "Container Insights: container logs (v2), inventory and performance from AKS",
        dataSources: {
          extensions: [
            {
              name: "ContainerInsightsExtension",
              extensionName: "ContainerInsights",
              streams: ["Microsoft-ContainerInsights-Group-Default"],
              extensionSettings: {
                dataCollectionSettings: {
                  interval: "1m",
                  namespaceFilteringMode: "Off",
                  enableContainerLogV2: true,
                },
              },
            },
          ],
        },
        destinations: { logAnalytics: [{ name: "workspace", workspaceResourceId: workspace.id }] },
        dataFlows: [
          { streams: ["Microsoft-ContainerInsights-Group-Default"], destinations: ["workspace"] },
        ],
      },
      { parent: this },
    );
    this.workspaceId = workspace.id;
    this.workspaceName = workspace.name;
    this.workspaceCustomerId = workspace.customerId;
    this.containerInsightsRuleId = containerInsights.id;
    this.defenderWorkspaceId = defenderWorkspace.id;
    this.registerOutputs({
      workspaceId: this.workspaceId,
      workspaceCustomerId: this.workspaceCustomerId,
      containerInsightsRuleId: this.containerInsightsRuleId,
      defenderWorkspaceId: this.defenderWorkspaceId,
    });
  }
}

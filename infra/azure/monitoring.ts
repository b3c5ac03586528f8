import * as pulumi from "@pulumi/pulumi";
import * as monitor from "@pulumi/azure-native/monitor";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import * as securityinsights from "@pulumi/azure-native/securityinsights";
import type { MonitoringConfig } from "../config";
import { PLATFORM_ANALYTICS_RULES } from "./sentinel-rules";
import { armResourceId, knownAfter, Placement, placementOf } from "./shared";

/** `dailyQuotaGb`: the daily ingestion cap in GB, -1 for none. */
export interface MonitoringArgs extends Placement, MonitoringConfig {
  subscriptionId: pulumi.Input<string>;
  workspaceName: string;
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
    // Names and ids known at preview (shared.ts): MON-02 and MON-03 match the onboarding and the
    // rules to their workspace, AKS-04 and AKS-05 read the cluster's workspace ids.
    const workspaceName = knownAfter(workspace, args.workspaceName);
    const workspacePath = "Microsoft.OperationalInsights/workspaces";
    const idOf = (resource: pulumi.Resource, workspace: string) =>
      armResourceId(
        resource,
        args.subscriptionId,
        args.resourceGroupName,
        `${workspacePath}/${workspace}`,
      );
    this.workspaceId = idOf(workspace, args.workspaceName);
    const sentinel = new securityinsights.SentinelOnboardingState(
      `${name}-sentinel`,
      {
        resourceGroupName: args.resourceGroupName,
        workspaceName,
        sentinelOnboardingStateName: "default",
      },
      { parent: this },
    );
    for (const rule of PLATFORM_ANALYTICS_RULES) {
      new securityinsights.ScheduledAlertRule(
        `${name}-rule-${rule.key}`,
        {
          resourceGroupName: args.resourceGroupName,
          workspaceName,
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
    const defenderWorkspaceName = knownAfter(defenderWorkspace, `${args.workspaceName}-mdc`);
    new securityinsights.SentinelOnboardingState(
      `${name}-defender-sentinel`,
      {
        resourceGroupName: args.resourceGroupName,
        workspaceName: defenderWorkspaceName,
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
        destinations: {
          logAnalytics: [{ name: "workspace", workspaceResourceId: this.workspaceId }],
        },
        dataFlows: [
          { streams: ["Microsoft-ContainerInsights-Group-Default"], destinations: ["workspace"] },
        ],
      },
      { parent: this },
    );
    this.workspaceName = workspaceName;
    this.workspaceCustomerId = workspace.customerId;
    this.containerInsightsRuleId = containerInsights.id;
    this.defenderWorkspaceId = idOf(defenderWorkspace, `${args.workspaceName}-mdc`);
    this.registerOutputs({
      workspaceId: this.workspaceId,
      workspaceName: this.workspaceName,
      workspaceCustomerId: this.workspaceCustomerId,
      containerInsightsRuleId: this.containerInsightsRuleId,
      defenderWorkspaceId: this.defenderWorkspaceId,
    });
  }
}

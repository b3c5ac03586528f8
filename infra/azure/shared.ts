import * as pulumi from "@pulumi/pulumi";
import * as monitor from "@pulumi/azure-native/monitor";

/** Where a component's resources live, and the tags they carry. */
export interface Placement {
  resourceGroupName: pulumi.Input<string>;
  location: pulumi.Input<string>;
  tags: Record<string, string>;
}

/**
 * `value`, once `resource` is registered, and known in `pulumi preview` of a new stack. A provider
 * computes `id` and `name` outputs, so that preview sees them unknown, and with them every input
 * built from them, whole objects included: azure-native passes `securityProfile` and a vault's
 * `properties` through `apply` to fill defaults (containerservice/managedCluster.js,
 * keyvault/vault.js), and the policies then cannot read the settings beside the id. A URN is
 * known at preview and resolves once the engine has answered the resource's registration, so the
 * consumer still waits for the resource and records it as a dependency.
 */
export function knownAfter<T>(resource: pulumi.Resource, value: pulumi.Input<T>): pulumi.Output<T> {
  return pulumi.all([resource.urn, value]).apply(([, known]) => known as T);
}

/**
 * The ARM id of a resource the program names, in Azure's form
 * (`/subscriptions/{id}/resourceGroups/{group}/providers/{namespace}/{type}/{name}[/{type}/{name}]`,
 * https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-resource#resourceid).
 */
export function armResourceId(
  resource: pulumi.Resource,
  subscriptionId: pulumi.Input<string>,
  resourceGroupName: pulumi.Input<string>,
  providerPath: pulumi.Input<string>,
): pulumi.Output<string> {
  return knownAfter(
    resource,
    pulumi.interpolate`/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}/providers/${providerPath}`,
  );
}

/** Just the placement of a component's args, to spread into each resource it declares. */
export function placementOf({ resourceGroupName, location, tags }: Placement): Placement {
  return { resourceGroupName, location, tags };
}

export interface DiagnosticsArgs {
  resourceUri: pulumi.Input<string>;
  workspaceId: pulumi.Input<string>;
  /** Log categories to send; the control catalog names the ones that matter per service. */
  categories: string[];
  /** Resource-specific tables (e.g. AKSAuditAdmin) instead of AzureDiagnostics. */
  dedicatedTables?: boolean;
}

/** Sends a resource's logs and metrics to the Log Analytics workspace. */
export function diagnosticSetting(
  name: string,
  args: DiagnosticsArgs,
  opts: pulumi.CustomResourceOptions,
): monitor.DiagnosticSetting {
  return new monitor.DiagnosticSetting(
    name,
    {
      name: "to-log-analytics",
      resourceUri: args.resourceUri,
      workspaceId: args.workspaceId,
      logAnalyticsDestinationType: args.dedicatedTables ? "Dedicated" : undefined,
      logs: args.categories.map((category) => ({ category, enabled: true })),
      metrics: [{ category: "AllMetrics", enabled: true }],
    },
    opts,
  );
}

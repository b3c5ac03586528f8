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

/** Built-in Azure role definitions the platform assigns (least privilege for each job). */
export const BUILT_IN_ROLES = {
  acrPull: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
  acrPush: "8311e382-0749-4cb8-b61a-304f252e45ec",
  keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
  /** Read certificates (Ratify's trust store, Notation's signing certificate). */
  keyVaultCertificateUser: "db79e9a7-68ee-4b58-9aeb-b90e7c24fcba",
  /** Sign with keys (Notation's azure-kv plugin signs with the certificate's key). */
  keyVaultCryptoUser: "12338af0-0e69-4776-bea7-57ae8d297424",
  /** List a cluster user kubeconfig (Entra ID; what the user may do is Kubernetes RBAC). */
  aksClusterUser: "4abbcc35-e782-43d8-92c5-2d3f1bd2253f",
  /** Read/write most objects in a namespace, no roles or role bindings. */
  aksRbacWriter: "a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb",
  /** Application routing keeps its records in the app's zone (public / private). */
  dnsZoneContributor: "befefa01-2a29-4197-83a8-272ff33ce314",
  privateDnsZoneContributor: "b12aa53e-6015-4669-85d0-8515ebb3ae7f",
  // https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
  /** Read every resource (control plane), no secrets, no data. Pull-request previews. */
  reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
  /** Read most Kubernetes objects, no secrets (Azure Kubernetes Service RBAC Reader). */
  aksRbacReader: "7f6c6a51-bcf8-42ba-9220-52d62157d7db",
  /**
   * Container Registry Data Importer and Data Reader: `registries/importImage/action`,
   * `registries/pull/read`, `registries/read`. `az acr import` is a control-plane action AcrPush
   * lacks (https://learn.microsoft.com/azure/container-registry/container-registry-import-images).
   */
  acrImporter: "577a9874-89fd-4f24-9dbd-b5034d0ad23a",
} as const;

export function roleDefinitionId(
  subscriptionId: pulumi.Input<string>,
  role: keyof typeof BUILT_IN_ROLES,
) {
  return pulumi.interpolate`/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES[role]}`;
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

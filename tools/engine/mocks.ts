import { createHash } from "node:crypto";
import { stableGuid } from "../../infra/naming";
import {
  GITHUB_TYPES,
  LOG_ANALYTICS_WORKSPACE,
  MANAGED_CLUSTER,
  REDIS,
  REDIS_ENTERPRISE,
  REGISTRY,
  VAULT,
} from "../../policy-pack/facts/tokens";

/**
 * Mock provider answers for the offline engine. Resources echo their inputs plus an id and the few
 * computed outputs programs commonly read (login servers, URIs, principal ids), so that values
 * flowing between resources look like Azure's. Every value is derived from the resource's name:
 * the same program gives the same record on every run.
 */

export const MOCK_SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000";
export const MOCK_TENANT_ID = "11111111-1111-1111-1111-111111111111";
export const MOCK_CLIENT_OBJECT_ID = "22222222-2222-2222-2222-222222222222";

type Inputs = Record<string, unknown>;

export interface MockResourceArgs {
  type: string;
  name: string;
  inputs: Inputs;
  id?: string;
}

export interface MockCallArgs {
  token: string;
  inputs: Inputs;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function parseAzureNativeType(type: string): { module: string; kind: string } | undefined {
  const match = /^azure-native:([^:]+):(.+)$/.exec(type);
  return match ? { module: match[1], kind: match[2] } : undefined;
}

/** The Azure name of a resource: azure-native takes it from `<kind>Name`, `resourceName` or `name`. */
function azureName(kind: string, logicalName: string, inputs: Inputs): string {
  for (const key of [`${lowerFirst(kind)}Name`, "resourceName", "name"]) {
    if (typeof inputs[key] === "string") return inputs[key] as string;
  }
  return logicalName;
}

function armId(module: string, kind: string, name: string, inputs: Inputs): string {
  const scope = typeof inputs.scope === "string" ? inputs.scope : undefined;
  const group = typeof inputs.resourceGroupName === "string" ? inputs.resourceGroupName : undefined;
  if (kind === "ResourceGroup")
    return `/subscriptions/${MOCK_SUBSCRIPTION_ID}/resourceGroups/${name}`;
  const prefix =
    scope ?? `/subscriptions/${MOCK_SUBSCRIPTION_ID}` + (group ? `/resourceGroups/${group}` : "");
  return `${prefix}/providers/Microsoft.${upperFirst(module)}/${lowerFirst(kind)}s/${name}`;
}

const computedOutputs: Record<string, (name: string, inputs: Inputs) => Inputs> = {
  [REGISTRY]: (name) => ({ loginServer: `${name}.azurecr.io` }),
  [VAULT]: (name, inputs) => ({
    properties: { ...(inputs.properties as Inputs), vaultUri: `https://${name}.vault.azure.net/` },
  }),
  [MANAGED_CLUSTER]: (name, inputs) => ({
    fqdn: `${name}-dns.hcp.westeurope.azmk8s.io`,
    ...ingressProfileOutputs(name, inputs),
    oidcIssuerProfile: {
      ...(inputs.oidcIssuerProfile as Inputs),
      issuerURL: `https://westeurope.oic.prod-aks.azure.com/${MOCK_TENANT_ID}/${stableGuid(name)}/`,
    },
    identityProfile: {
      kubeletidentity: {
        clientId: stableGuid(`${name}/kubelet/client`),
        objectId: stableGuid(`${name}/kubelet/object`),
        resourceId: `/subscriptions/${MOCK_SUBSCRIPTION_ID}/resourceGroups/MC_${name}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}-agentpool`,
      },
    },
  }),
  // Azure Managed Redis: `<name>.<region>.redis.azure.net`, TLS on 10000
  // (https://learn.microsoft.com/azure/redis/architecture).
  [REDIS_ENTERPRISE]: (name, inputs) => ({
    hostName: `${name}.${String(inputs.location ?? "westeurope")}.redis.azure.net`,
  }),
  [REDIS]: (name) => ({
    hostName: `${name}.redis.cache.windows.net`,
    sslPort: 6380,
    port: 6379,
  }),
  [LOG_ANALYTICS_WORKSPACE]: (name) => ({
    customerId: stableGuid(`${name}/workspace`),
  }),
  "azure-native:managedidentity:UserAssignedIdentity": (name) => ({
    clientId: stableGuid(`${name}/client`),
    principalId: stableGuid(`${name}/principal`),
    tenantId: MOCK_TENANT_ID,
  }),
};

/** The application routing add-on's managed identity, when the cluster enables it. */
function ingressProfileOutputs(name: string, inputs: Inputs): Inputs {
  const profile = inputs.ingressProfile as { webAppRouting?: Inputs } | undefined;
  if (!profile?.webAppRouting) return {};
  return {
    ingressProfile: {
      ...profile,
      webAppRouting: {
        ...profile.webAppRouting,
        identity: {
          clientId: stableGuid(`${name}/webapprouting/client`),
          objectId: stableGuid(`${name}/webapprouting/object`),
        },
      },
    },
  };
}

/** Entra ID objects whose generated ids other resources consume (an application's client id). */
const azureadResources: Record<string, (name: string) => Inputs> = {
  "azuread:index/application:Application": (name) => ({
    clientId: stableGuid(`${name}/application/client`),
    objectId: stableGuid(`${name}/application/object`),
  }),
  "azuread:index/servicePrincipal:ServicePrincipal": (name) => ({
    objectId: stableGuid(`${name}/service-principal/object`),
  }),
};

/** A stable positive integer (GitHub's numeric ids) derived from a seed. */
export function stableNumber(seed: string): number {
  return parseInt(createHash("sha256").update(seed).digest("hex").slice(0, 8), 16) % 100_000_000;
}

/** GitHub's slug of a team name: lower case, runs of other characters become '-'. */
function slugOf(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/** GitHub resources whose ids or outputs other resources consume (team ids, slugs, repo ids). */
const githubResources: Record<
  string,
  (name: string, inputs: Inputs) => { id: string; state: Inputs }
> = {
  [GITHUB_TYPES.team]: (name, inputs) => {
    const teamName = String(inputs.name ?? name);
    const id = String(stableNumber(`team/${teamName}`));
    return { id, state: { ...inputs, slug: slugOf(teamName), nodeId: `T_${id}` } };
  },
  [GITHUB_TYPES.repository]: (name, inputs) => {
    const repoName = String(inputs.name ?? name);
    const repoId = stableNumber(`repository/${repoName}`);
    return { id: repoName, state: { ...inputs, repoId, nodeId: `R_${repoId}` } };
  },
};

/**
 * How the engine answers for providers. `preview`: as `pulumi preview` of a stack that does not
 * exist yet; a create's outputs are its inputs and everything the provider computes (ids, login
 * servers, principal ids) is unknown (azure-native's Create with preview=true returns
 * `PreviewOutputs(inputs, response)`, "marking all other response properties as computed",
 * pulumi-azure-native provider/pkg/provider/provider.go). `resolved`: every output takes a mock
 * value, like the values `pulumi up` will send.
 */
export type EngineMode = "preview" | "resolved";
export const ENGINE_MODES: readonly EngineMode[] = ["preview", "resolved"];

type NewResource = (args: MockResourceArgs) => { id: string; state: Inputs };

export function mockNewResource(mode: EngineMode): NewResource {
  // An empty id is unknown in preview (runtime/resource.js: `resp.getId() || undefined`).
  return mode === "preview" ? (args) => ({ id: "", state: { ...args.inputs } }) : resolvedResource;
}

function resolvedResource(args: MockResourceArgs): { id: string; state: Inputs } {
  const github = githubResources[args.type];
  if (github) {
    const mocked = github(args.name, args.inputs);
    return { id: args.id || mocked.id, state: mocked.state };
  }
  const azuread = azureadResources[args.type];
  if (azuread) {
    return {
      id: args.id || stableGuid(`${args.name}/id`),
      state: { ...args.inputs, ...azuread(args.name) },
    };
  }
  const azure = parseAzureNativeType(args.type);
  if (!azure) {
    return { id: args.id || `${args.name}-id`, state: { ...args.inputs } };
  }
  const name = azureName(azure.kind, args.name, args.inputs);
  const computed = computedOutputs[args.type]?.(name, args.inputs) ?? {};
  return {
    id: args.id || armId(azure.module, azure.kind, name, args.inputs),
    state: { name, ...args.inputs, ...computed },
  };
}

function mockKubeconfig(clusterName: string): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    `clusters: [{name: ${clusterName}, cluster: {server: "https://${clusterName}-dns.hcp.westeurope.azmk8s.io:443"}}]`,
    `contexts: [{name: ${clusterName}, context: {cluster: ${clusterName}, user: clusterUser}}]`,
    `current-context: ${clusterName}`,
    "users: [{name: clusterUser, user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: kubelogin, args: [get-token, --login, azurecli, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630]}}}]",
  ].join("\n");
}

const invokeResults: Record<string, (inputs: Inputs) => Inputs> = {
  "azure-native:authorization:getClientConfig": () => ({
    clientId: stableGuid("client"),
    objectId: MOCK_CLIENT_OBJECT_ID,
    subscriptionId: MOCK_SUBSCRIPTION_ID,
    tenantId: MOCK_TENANT_ID,
  }),
  "azure-native:redis:listRedisKeys": (inputs) => ({
    primaryKey: `mock-primary-key-${String(inputs.name)}`,
    secondaryKey: `mock-secondary-key-${String(inputs.name)}`,
  }),
  "azure-native:containerservice:listManagedClusterUserCredentials": (inputs) => ({
    kubeconfigs: [
      {
        name: "clusterUser",
        value: Buffer.from(mockKubeconfig(String(inputs.resourceName ?? "cluster"))).toString(
          "base64",
        ),
      },
    ],
  }),
};

/** Whether the engine models an invoke; the others are unknown in preview and empty when resolved. */
export function isModelledInvoke(token: string): boolean {
  return Object.hasOwn(invokeResults, token);
}

/**
 * Modelled invokes get realistic answers. Any other invoke answers an empty result: never its own
 * arguments, which programs would read as if they were the provider's answer. In preview the
 * engine marks that answer unknown (see record.ts).
 */
export function mockCall(args: MockCallArgs): Inputs {
  return invokeResults[args.token]?.(args.inputs) ?? {};
}

/**
 * The one alias table of the pack: which resource type tokens are the azure-native v3 types the
 * controls are written for. Self-contained (no SDK import), so the offline check's report can use
 * it as well as the pack.
 *
 * - Versioned azure-native tokens (`azure-native:containerservice/v20190601:ManagedCluster`, the
 *   explicit API versions of v1/v2 and of local SDKs generated with `pulumi package add`) are the
 *   unversioned token of the same module, by rule, for every module.
 * - Tokens renamed between azure-native v2 and v3 (RENAMED_IN_V3): v3 split `cache`, `insights` and
 *   `network`, "Existing resources will not be recreated, however, due to the use of aliases"
 *   (https://www.pulumi.com/registry/packages/azure-native/from-v2-to-v3/, "New module structure
 *   and naming aligned closer to Azure SDKs"). Each entry is one of the aliases the v3 SDK itself
 *   declares on the resource (node_modules/@pulumi/azure-native/<module>/<resource>.js,
 *   `aliases: [{ type: ... }]`); test/policy/aliases.test.ts checks every entry against them.
 * - Classic `@pulumi/azure` (v6, bridged from terraform-provider-azurerm v4) types (CLASSIC): each
 *   entry names exactly the controls its inputs can answer and how its inputs read as the
 *   azure-native inputs those controls check. Input names are from @pulumi/azure 6.40.0's
 *   declarations (`npm pack @pulumi/azure`: containerservice/registry.d.ts RegistryArgs,
 *   containerservice/kubernetesCluster.d.ts KubernetesClusterArgs, keyvault/keyVault.d.ts
 *   KeyVaultArgs, redis/cache.d.ts CacheArgs, types/input.d.ts for the nested blocks). Only what the
 *   program set is translated: no provider default is assumed, as for azure-native resources.
 */

import {
  DIAGNOSTIC_SETTING,
  MANAGED_CLUSTER,
  REDIS,
  REDIS_ENTERPRISE,
  REDIS_ENTERPRISE_DATABASE,
  REGISTRY,
  VAULT,
} from "./tokens";

/** v2 token -> v3 token, for the resource types the catalog's controls read. */
export const RENAMED_IN_V3 = {
  // `Cache` is split into `Redis` and `RedisEnterprise` (RED-01..05, MON-04, RED-03's endpoints).
  "azure-native:cache:Redis": REDIS,
  "azure-native:cache:RedisEnterprise": REDIS_ENTERPRISE,
  "azure-native:cache:Database": REDIS_ENTERPRISE_DATABASE,
  "azure-native:cache:PrivateEndpointConnection": "azure-native:redis:PrivateEndpointConnection",
  "azure-native:cache:EnterprisePrivateEndpointConnection":
    "azure-native:redisenterprise:PrivateEndpointConnection",
  "azure-native:cache:AccessPolicyAssignment": "azure-native:redis:AccessPolicyAssignment",
  // `Insights` is split into `ApplicationInsights` and `Monitor` (AKS-10, KV-05, MON-04 read
  // diagnostic settings).
  "azure-native:insights:DiagnosticSetting": DIAGNOSTIC_SETTING,
  "azure-native:insights:SubscriptionDiagnosticSetting":
    "azure-native:monitor:SubscriptionDiagnosticSetting",
  "azure-native:insights:Component": "azure-native:applicationinsights:Component",
  // `Network` is split into `Dns`, `PrivateDns`, ...: private DNS for the private endpoints of
  // ACR-03, KV-03 and RED-03 (GEN-01/GEN-02 check their tags and "global" location).
  "azure-native:network:PrivateZone": "azure-native:privatedns:PrivateZone",
  "azure-native:network:VirtualNetworkLink": "azure-native:privatedns:VirtualNetworkLink",
  "azure-native:network:PrivateRecordSet": "azure-native:privatedns:PrivateRecordSet",
  "azure-native:network:Zone": "azure-native:dns:Zone",
} as const;

/**
 * How a classic input reads as an azure-native one: the classic path(s), the first one the program
 * set wins (a deprecated name second), or a function of the classic inputs.
 */
type ClassicInput = readonly string[] | ((props: Record<string, unknown>) => unknown);

interface ClassicEntry {
  readonly canonical: string;
  readonly controls: readonly string[];
  /** azure-native input path -> where it comes from in the classic inputs. */
  readonly inputs: Readonly<Record<string, ClassicInput>>;
}

export const CLASSIC = {
  "azure:containerservice/registry:Registry": {
    canonical: REGISTRY,
    controls: ["ACR-01", "ACR-02", "GEN-01"],
    inputs: {
      // RegistryArgs.adminEnabled: "Specifies whether the admin user is enabled."
      adminUserEnabled: ["adminEnabled"],
      // RegistryArgs.anonymousPullEnabled: "allow anonymous (unauthenticated) pull access"
      anonymousPullEnabled: ["anonymousPullEnabled"],
      tags: ["tags"],
    },
  },
  "azure:containerservice/kubernetesCluster:KubernetesCluster": {
    canonical: MANAGED_CLUSTER,
    controls: ["AKS-02", "AKS-03", "GEN-01"],
    inputs: {
      // KubernetesClusterNetworkProfile.networkPolicy: azure, calico or cilium, as in azure-native.
      "networkProfile.networkPolicy": ["networkProfile.networkPolicy"],
      // KubernetesClusterAzureActiveDirectoryRoleBasedAccessControl has only adminGroupObjectIds,
      // azureRbacEnabled and tenantId: the block is AKS-managed Entra ID integration, the one
      // mode the classic v6 provider has (no legacy client/server application fields).
      "aadProfile.managed": (props) =>
        "azureActiveDirectoryRoleBasedAccessControl" in props &&
        isObject(props.azureActiveDirectoryRoleBasedAccessControl)
          ? true
          : undefined,
      "aadProfile.enableAzureRBAC": ["azureActiveDirectoryRoleBasedAccessControl.azureRbacEnabled"],
      // KubernetesClusterArgs.localAccountDisabled: "If true local accounts will be disabled."
      disableLocalAccounts: ["localAccountDisabled"],
      // KubernetesClusterArgs.roleBasedAccessControlEnabled: Kubernetes RBAC.
      enableRBAC: ["roleBasedAccessControlEnabled"],
      tags: ["tags"],
    },
  },
  "azure:keyvault/keyVault:KeyVault": {
    canonical: VAULT,
    controls: ["KV-01", "KV-02", "GEN-01"],
    inputs: {
      // KeyVaultArgs.rbacAuthorizationEnabled; enableRbacAuthorization is its deprecated name.
      "properties.enableRbacAuthorization": ["rbacAuthorizationEnabled", "enableRbacAuthorization"],
      "properties.accessPolicies": ["accessPolicies"],
      "properties.enablePurgeProtection": ["purgeProtectionEnabled"],
      "properties.softDeleteRetentionInDays": ["softDeleteRetentionDays"],
      tags: ["tags"],
    },
  },
  "azure:redis/cache:Cache": {
    canonical: REDIS,
    controls: ["RED-01", "RED-02", "GEN-01"],
    inputs: {
      // CacheArgs.nonSslPortEnabled: "Enable the non-SSL port (6379)".
      enableNonSslPort: ["nonSslPortEnabled"],
      // CacheArgs.minimumTlsVersion: "1.0", "1.1" or "1.2" (the classic default is 1.0).
      minimumTlsVersion: ["minimumTlsVersion"],
      tags: ["tags"],
    },
  },
} as const satisfies Record<string, ClassicEntry>;

export type Props = Record<string, unknown>;

export interface TypeResolution {
  /** The azure-native v3 token the controls are written for. */
  canonical: string;
  /** Classic types only: the control IDs that can read this type; no other control may. */
  controls?: readonly string[];
  /** Classic types only: the inputs in the azure-native shape (read lazily, key by key). */
  translate?: (props: Props) => Props;
  /** Classic types only: azure-native input path -> classic input path, for messages. */
  inputNames?: Readonly<Record<string, string>>;
}

function isObject(value: unknown): value is Props {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const VERSIONED = /^azure-native:([^/:]+)\/v[^:]*:([^:]+)$/;

function hasOwn<T extends object>(object: T, key: PropertyKey): key is keyof T {
  return Object.prototype.hasOwnProperty.call(object, key);
}

/** The value at a dotted path, or `absent` when the program did not set it. */
const absent = Symbol("absent");
function valueAt(props: Props, dottedPath: string): unknown {
  let node: unknown = props;
  for (const key of dottedPath.split(".")) {
    if (!isObject(node) || !(key in node)) return absent;
    node = node[key];
  }
  return node;
}

/**
 * The classic inputs as azure-native inputs. Keys exist only for what the program set; values are
 * read when a policy reads them, so an input unknown at preview stops only the policies that need
 * it (the pack's unknown-checking proxy throws on the read, as it does on native inputs).
 */
function classicTranslator(
  inputs: Readonly<Record<string, ClassicInput>>,
): (props: Props) => Props {
  return (props) => {
    const out: Props = {};
    for (const [nativePath, from] of Object.entries(inputs)) {
      const isSet =
        typeof from === "function"
          ? () => from(props) !== undefined
          : () => from.some((path) => path.split(".")[0] in props);
      // Presence of the first segment decides the key; the value is read lazily.
      if (!isSet()) continue;
      const read = () => {
        if (typeof from === "function") return from(props);
        for (const path of from) {
          const value = valueAt(props, path);
          if (value !== absent) return value;
        }
        return undefined;
      };
      const keys = nativePath.split(".");
      let node = out;
      for (const key of keys.slice(0, -1)) {
        if (!isObject(node[key])) node[key] = {};
        node = node[key] as Props;
      }
      Object.defineProperty(node, keys[keys.length - 1], {
        get: read,
        enumerable: true,
        configurable: true,
      });
    }
    return out;
  };
}

function resolveUncached(token: string): TypeResolution | undefined {
  if (hasOwn(CLASSIC, token)) {
    const entry: ClassicEntry = CLASSIC[token];
    return {
      canonical: entry.canonical,
      controls: entry.controls,
      translate: classicTranslator(entry.inputs),
      inputNames: Object.fromEntries(
        Object.entries(entry.inputs)
          .filter((pair): pair is [string, readonly string[]] => Array.isArray(pair[1]))
          .map(([nativePath, from]) => [nativePath, from[0]]),
      ),
    };
  }
  if (!token.startsWith("azure-native:")) return undefined;
  const versioned = VERSIONED.exec(token);
  const unversioned = versioned ? `azure-native:${versioned[1]}:${versioned[2]}` : token;
  const canonical = hasOwn(RENAMED_IN_V3, unversioned) ? RENAMED_IN_V3[unversioned] : unversioned;
  return { canonical };
}

const resolved = new Map<string, TypeResolution | undefined>();

/**
 * What a resource type token is for the controls: every `azure-native:` token resolves (versioned
 * and v2 tokens to their v3 token, a v3 token to itself); a classic `azure:` token resolves when
 * the table has an entry, with the controls it may be checked by and its translated inputs;
 * anything else (other providers, classic types without an entry) is `undefined`.
 */
export function resolveType(token: string): TypeResolution | undefined {
  if (!resolved.has(token)) resolved.set(token, resolveUncached(token));
  return resolved.get(token);
}

/** The token the controls know a type by: its canonical token, or the token itself. */
export function canonicalType(token: string): string {
  return resolveType(token)?.canonical ?? token;
}

/** What controlsFor needs of a policy: its control ID and the canonical types it covers. */
export interface CoveringPolicy {
  readonly control: { readonly id: string };
  readonly covers: (canonicalType: string) => boolean;
}

/**
 * The control IDs that check resources of a (raw) type: the policies covering its canonical type,
 * restricted for a classic type to the controls its entry lists. In the order of `policies`.
 */
export function controlsFor(type: string, policies: readonly CoveringPolicy[]): string[] {
  const resolution = resolveType(type);
  const canonical = resolution?.canonical ?? type;
  return policies
    .filter((policy) => policy.covers(canonical))
    .map((policy) => policy.control.id)
    .filter((id) => !resolution?.controls || resolution.controls.includes(id));
}

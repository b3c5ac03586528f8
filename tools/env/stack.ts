import {
  parsePlatformConfig,
  PROJECT,
  registryAllowsExport,
  type PlatformConfig,
} from "../../infra/config";
import { resourceNames } from "../../infra/naming";
import { configText, type StackDocument } from "../engine";
import { UsageError } from "../errors";
import { EPHEMERAL_TAGS } from "./tags";
import { PROVIDER_LOCATION_KEY } from "../../policy-pack/facts/config-keys";

/** The cheapest settings that still pass every mandatory control (see the README). */
export const CHEAP = {
  vmSize: "Standard_B2s",
  retentionInDays: 30,
  dailyQuotaGb: 1,
  softDeleteRetentionInDays: 7,
} as const;

export interface EphemeralRequest {
  stack: string;
  baseStack: string;
  /** The base stack's config as the program sees it (`namespace:key` -> text). */
  baseConfig: Record<string, string>;
  baseSecretKeys: string[];
  owner: string;
  ttlMs: number;
  now: Date;
}

export interface EphemeralStack {
  stack: string;
  document: StackDocument;
  tags: Record<string, string>;
  config: PlatformConfig;
  expiresAt: Date;
}

const key = (name: string) => `${PROJECT}:${name}`;

/** Keys of the base that an ephemeral stack must not inherit. */
function inheritedForeignKeys(baseConfig: Record<string, string>): Record<string, unknown> {
  const inherited: Record<string, unknown> = {};
  for (const [name, text] of Object.entries(baseConfig)) {
    // GitHub belongs to the long-lived stacks (an ephemeral one would take over their environment).
    if (name.startsWith(`${PROJECT}:`) || name.startsWith("github:") || name === "pulumi:tags") {
      continue;
    }
    inherited[name] = /^\s*[[{]/.test(text) ? JSON.parse(text) : text;
  }
  return inherited;
}

/**
 * The base's validated config, made cheap and isolated: its own environment (so its own resource
 * group and resource names), the owner and expiry in tags, the smallest SKUs the mandatory
 * controls allow, no GitHub resources, the app image copied from the base's registry.
 */
export function deriveEphemeralStack(request: EphemeralRequest): EphemeralStack {
  if (request.baseSecretKeys.length > 0) {
    throw new UsageError(
      `stack '${request.baseStack}' has secret config (${request.baseSecretKeys.join(", ")}); secrets are ` +
        `encrypted per stack and cannot be copied: derive from a stack without secrets`,
    );
  }
  const base = parsePlatformConfig(request.baseConfig);
  if (!registryAllowsExport(base.registry)) {
    throw new UsageError(
      `stack '${request.baseStack}' cannot be a base: its registry (Premium, public access off) disables export, ` +
        `which blocks the 'az acr import' that copies the app image into the new stack ` +
        `(https://learn.microsoft.com/azure/container-registry/data-loss-prevention); derive from a stack whose registry allows export, such as dev`,
    );
  }
  const expiresAt = new Date(request.now.getTime() + request.ttlMs);
  const tags = {
    [EPHEMERAL_TAGS.base]: request.baseStack,
    [EPHEMERAL_TAGS.owner]: request.owner,
    [EPHEMERAL_TAGS.createdAt]: request.now.toISOString(),
    [EPHEMERAL_TAGS.expiresAt]: expiresAt.toISOString(),
  };
  const baseRegistry = resourceNames(base.namePrefix, base.environment).registry;
  const projectConfig: Partial<Record<keyof PlatformConfig, unknown>> = {
    environment: request.stack,
    owner: request.owner,
    namePrefix: base.namePrefix,
    allowedLocations: base.allowedLocations,
    tags: { ...base.tags, "expires-at": expiresAt.toISOString() },
    network: base.network,
    monitoring: { retentionInDays: CHEAP.retentionInDays, dailyQuotaGb: CHEAP.dailyQuotaGb },
    // Private endpoints only reach Premium registries; otherwise Basic.
    registry: { ...base.registry, sku: base.registry.publicNetworkAccess ? "Basic" : "Premium" },
    keyVault: { ...base.keyVault, softDeleteRetentionInDays: CHEAP.softDeleteRetentionInDays },
    cluster: {
      ...base.cluster,
      skuTier: "Free",
      systemPool: { vmSize: CHEAP.vmSize, minCount: 1, maxCount: 2, availabilityZones: [] },
    },
    redis: { ...base.redis, sku: "Basic", family: "C", capacity: 0 },
    app: { ...base.app, replicas: 1, importFrom: baseRegistry },
  };
  const config: Record<string, unknown> = {
    ...inheritedForeignKeys(request.baseConfig),
    [PROVIDER_LOCATION_KEY]: base.location,
    "pulumi:tags": tags,
  };
  for (const [name, value] of Object.entries(projectConfig)) config[key(name)] = value;
  return {
    stack: request.stack,
    document: { config },
    tags,
    config: parsePlatformConfig(asConfigText(config)),
    expiresAt,
  };
}

/** Config values as Pulumi hands them to a program: strings, objects as JSON. */
export function asConfigText(config: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config).map(([name, value]) => [name, configText(value)]),
  );
}

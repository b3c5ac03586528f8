import { createHash } from "node:crypto";
import { MANAGED_BY_PULUMI, REQUIRED_TAGS } from "../policy-pack/facts/tags";

/**
 * Azure names for the platform's resources. Each kind of resource has its own length and
 * character rules; names of globally unique services (registry, vault, cache) carry the prefix
 * and environment so that stacks never collide.
 */

export interface ResourceNames {
  resourceGroup: string;
  virtualNetwork: string;
  workspace: string;
  registry: string;
  keyVault: string;
  cluster: string;
  redis: string;
  appIdentity: string;
  /** Ratify's workload identity (image integrity), a user-assigned identity like the app's. */
  ratifyIdentity: string;
}

interface NameRule {
  pattern: RegExp;
  min: number;
  max: number;
  allowed: string;
}

/** User-assigned managed identities (Microsoft.ManagedIdentity/userAssignedIdentities). */
const MANAGED_IDENTITY_RULE: NameRule = {
  pattern: /^[a-zA-Z0-9][-\w]*$/,
  min: 3,
  max: 128,
  allowed: "letters, digits, '-', '_'",
};

export const NAME_RULES: Record<keyof ResourceNames, NameRule> = {
  resourceGroup: {
    pattern: /^[-\w.()]+$/,
    min: 1,
    max: 90,
    allowed: "letters, digits, '-', '_', '.', '(', ')'",
  },
  virtualNetwork: {
    pattern: /^[a-zA-Z0-9][-\w.]*$/,
    min: 2,
    max: 64,
    allowed: "letters, digits, '-', '_', '.'",
  },
  workspace: {
    pattern: /^[a-zA-Z0-9][-a-zA-Z0-9]*[a-zA-Z0-9]$/,
    min: 4,
    max: 63,
    allowed: "letters, digits, '-'",
  },
  registry: { pattern: /^[a-zA-Z0-9]+$/, min: 5, max: 50, allowed: "letters and digits only" },
  keyVault: {
    pattern: /^[a-zA-Z][-a-zA-Z0-9]*[a-zA-Z0-9]$/,
    min: 3,
    max: 24,
    allowed: "letters, digits, '-', starting with a letter",
  },
  cluster: {
    pattern: /^[a-zA-Z0-9][-\w]*[a-zA-Z0-9]$/,
    min: 1,
    max: 63,
    allowed: "letters, digits, '-', '_'",
  },
  redis: {
    pattern: /^[a-zA-Z0-9][-a-zA-Z0-9]*[a-zA-Z0-9]$/,
    min: 1,
    max: 63,
    allowed: "letters, digits, '-'",
  },
  appIdentity: MANAGED_IDENTITY_RULE,
  ratifyIdentity: MANAGED_IDENTITY_RULE,
};

/** Problems with a name, empty when it follows the rule of its kind. */
export function nameProblems(kind: keyof ResourceNames, name: string): string[] {
  const rule = NAME_RULES[kind];
  const problems: string[] = [];
  if (name.length < rule.min || name.length > rule.max) {
    problems.push(
      `${kind} name '${name}' has ${name.length} characters; allowed ${rule.min}-${rule.max}`,
    );
  }
  if (!rule.pattern.test(name)) problems.push(`${kind} name '${name}' may contain ${rule.allowed}`);
  if (kind === "keyVault" && name.includes("--"))
    problems.push(`${kind} name '${name}' may not contain '--'`);
  return problems;
}

function deriveNames(prefix: string, environment: string): ResourceNames {
  const compactEnvironment = environment.replace(/-/g, "");
  return {
    resourceGroup: `rg-${prefix}-${environment}`,
    virtualNetwork: `vnet-${prefix}-${environment}`,
    workspace: `log-${prefix}-${environment}`,
    registry: `acr${prefix}${compactEnvironment}`,
    keyVault: `kv-${prefix}-${environment}`,
    cluster: `aks-${prefix}-${environment}`,
    redis: `redis-${prefix}-${environment}`,
    appIdentity: `id-${prefix}-${environment}-app`,
    ratifyIdentity: `id-${prefix}-${environment}-ratify`,
  };
}

/** Why a prefix and environment cannot name every resource; empty when they can. */
export function namingProblems(prefix: string, environment: string): string[] {
  const names = deriveNames(prefix, environment);
  return (Object.keys(names) as (keyof ResourceNames)[]).flatMap((kind) =>
    nameProblems(kind, names[kind]),
  );
}

export function resourceNames(prefix: string, environment: string): ResourceNames {
  const problems = namingProblems(prefix, environment);
  if (problems.length > 0) {
    throw new Error(
      `namePrefix '${prefix}' with environment '${environment}' gives invalid names: ${problems.join("; ")}`,
    );
  }
  return deriveNames(prefix, environment);
}

/** The tags every taggable resource carries (control GEN-01). */
export function standardTags(
  environment: string,
  owner: string,
  extra: Record<string, string>,
): Record<string, string> {
  return {
    ...extra,
    [REQUIRED_TAGS.environment]: environment,
    [REQUIRED_TAGS.owner]: owner,
    [REQUIRED_TAGS.managedBy]: MANAGED_BY_PULUMI,
  };
}

/** A stable GUID-shaped value derived from a seed. */
export function stableGuid(seed: string): string {
  const hex = createHash("sha256").update(seed).digest("hex");
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20, 32),
  ].join("-");
}

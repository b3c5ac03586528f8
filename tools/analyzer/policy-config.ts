import * as fs from "node:fs";
import type Ajv from "ajv";
import { UsageError } from "../errors";
import type { EnforcementLevel, PolicyInfo, PolicySettings } from "./client";

/**
 * Policy pack config in the format of `pulumi preview --policy-pack-config <file>`:
 *   { "all": "advisory", "acr-03": "mandatory", "kv-02": { "enforcementLevel": "mandatory", "minSoftDeleteRetentionDays": 90 } }
 * Checked the way the CLI checks it (known policies, valid levels, properties against each
 * policy's config schema with its defaults filled in) before it goes to the pack.
 */

export type PolicyPackConfig = Record<string, unknown>;

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "disabled", "remediate"];

export function readPolicyConfigFile(file: string): PolicyPackConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read policy config ${file}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`policy config ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(
      `policy config ${file}: expected an object of policy name -> level or settings`,
    );
  }
  return parsed as PolicyPackConfig;
}

interface Entry {
  enforcementLevel?: EnforcementLevel;
  properties: Record<string, unknown>;
}

function parseEntry(key: string, value: unknown, problems: string[]): Entry {
  const level = (candidate: unknown): EnforcementLevel | undefined => {
    if (candidate === undefined) return undefined;
    if (LEVELS.includes(candidate as EnforcementLevel)) return candidate as EnforcementLevel;
    problems.push(
      `${key}: enforcement level ${JSON.stringify(candidate)} is not one of ${LEVELS.join(", ")}`,
    );
    return undefined;
  };
  if (typeof value === "string") return { enforcementLevel: level(value), properties: {} };
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const { enforcementLevel, ...properties } = value as Record<string, unknown>;
    return { enforcementLevel: level(enforcementLevel), properties };
  }
  problems.push(`${key}: expected a level string or an object, got ${JSON.stringify(value)}`);
  return { properties: {} };
}

let ajv: Ajv | undefined;

/** Ajv loads on first use: the check reads a policy config before it forks the program. */
function schemaValidator(): Ajv {
  if (!ajv) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { default: AjvClass } = require("ajv") as typeof import("ajv");
    ajv = new AjvClass({ useDefaults: true, allErrors: true, strict: false });
  }
  return ajv;
}

function checkedProperties(
  policy: PolicyInfo,
  properties: Record<string, unknown>,
  problems: string[],
): Record<string, unknown> {
  const filled = structuredClone(properties);
  if (!policy.configSchema) {
    if (Object.keys(filled).length > 0) {
      problems.push(
        `${policy.name}: takes no settings besides enforcementLevel (got ${Object.keys(filled).join(", ")})`,
      );
    }
    return filled;
  }
  const validate = schemaValidator().compile({
    type: "object",
    properties: policy.configSchema.properties,
    required: policy.configSchema.required,
    additionalProperties: false,
  });
  if (!validate(filled)) {
    for (const error of validate.errors ?? []) {
      const where = error.instancePath ? error.instancePath.slice(1).replace(/\//g, ".") : "";
      const extra =
        error.keyword === "additionalProperties"
          ? ` '${String(error.params.additionalProperty)}' (allowed: ${Object.keys(policy.configSchema.properties).join(", ")})`
          : "";
      problems.push(`${policy.name}${where ? "." + where : ""}: ${error.message}${extra}`);
    }
  }
  return filled;
}

/**
 * Every policy's effective level and settings: the config entry, else "all", else the policy's own
 * level; settings with schema defaults applied. Throws a UsageError listing every problem.
 */
export function resolvePolicySettings(
  policies: PolicyInfo[],
  config: PolicyPackConfig,
  source = "policy config",
): Record<string, PolicySettings> {
  const problems: string[] = [];
  const known = new Map(policies.map((policy) => [policy.name, policy]));
  const entries = new Map<string, Entry>();
  for (const [key, value] of Object.entries(config)) {
    if (key !== "all" && !known.has(key)) {
      problems.push(
        `${key}: no such policy in the pack (policies: ${[...known.keys()].join(", ")})`,
      );
      continue;
    }
    entries.set(key, parseEntry(key, value, problems));
  }
  const all = entries.get("all");
  if (all && Object.keys(all.properties).length > 0) {
    problems.push(`all: takes only an enforcement level`);
  }
  const settings: Record<string, PolicySettings> = {};
  for (const policy of policies) {
    const entry = entries.get(policy.name);
    settings[policy.name] = {
      enforcementLevel: entry?.enforcementLevel ?? all?.enforcementLevel ?? policy.enforcementLevel,
      properties: checkedProperties(policy, entry?.properties ?? {}, problems),
    };
  }
  if (problems.length > 0) {
    throw new UsageError(
      `${source} has ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n` +
        problems.map((problem) => `  - ${problem}`).join("\n"),
    );
  }
  return settings;
}

import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT } from "../../infra/config";
import { DEFAULT_PACK_DIR } from "../analyzer";
import { listStacks, loadProjectStack } from "../engine";
import { EPHEMERAL_TAGS, ephemeralTagsOf } from "./tags";

/** An ephemeral stack as its tags describe it. */
export interface EphemeralEntry {
  stack: string;
  owner: string;
  base: string;
  createdAt?: Date;
  /** Undefined when the tag is missing or not a date: such a stack counts as expired. */
  expiresAt?: Date;
}

function dateOf(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** The entry for a stack's tags, or undefined when the stack is not ephemeral. */
export function entryFromTags(
  stack: string,
  tags: Record<string, string>,
): EphemeralEntry | undefined {
  const base = tags[EPHEMERAL_TAGS.base];
  if (base === undefined) return undefined;
  return {
    stack,
    base,
    owner: tags[EPHEMERAL_TAGS.owner] ?? "(unknown)",
    createdAt: dateOf(tags[EPHEMERAL_TAGS.createdAt]),
    expiresAt: dateOf(tags[EPHEMERAL_TAGS.expiresAt]),
  };
}

export function entriesFromTags(tagged: Map<string, Record<string, string>>): EphemeralEntry[] {
  return [...tagged]
    .map(([stack, tags]) => entryFromTags(stack, tags))
    .filter((entry): entry is EphemeralEntry => entry !== undefined)
    .sort((a, b) => (a.expiresAt?.getTime() ?? 0) - (b.expiresAt?.getTime() ?? 0));
}

/** The stacks `reap` destroys: past their expiry, or with no readable expiry at all. */
export function selectExpired(entries: EphemeralEntry[], now: Date): EphemeralEntry[] {
  return entries.filter((entry) => !entry.expiresAt || entry.expiresAt.getTime() <= now.getTime());
}

/** Each stack file here, with its config as the program would see it. */
function stackConfigs(root: string) {
  return listStacks(root).map((stack) => ({ stack, config: loadProjectStack(root, stack).config }));
}

/** Ephemeral stacks that have a stack file here (the view without a backend). */
export function localEntries(root: string): EphemeralEntry[] {
  return entriesFromTags(
    new Map(stackConfigs(root).map(({ stack, config }) => [stack, ephemeralTagsOf(config) ?? {}])),
  );
}

/**
 * Names an ephemeral stack must not take: the long-lived stacks here, their environments (and so
 * their resource names) and every policy config name (`check` would pick it up for the stack).
 */
export function reservedNames(root: string): string[] {
  const longLived = stackConfigs(root).filter(({ config }) => !ephemeralTagsOf(config));
  const environments = longLived
    .map(({ config }) => config[`${PROJECT}:environment`])
    .filter((environment): environment is string => environment !== undefined);
  const policyConfigs = fs
    .readdirSync(path.join(DEFAULT_PACK_DIR, "config"))
    .filter((file) => file.endsWith(".json"))
    .map((file) => file.slice(0, -".json".length));
  return [
    ...new Set([...longLived.map(({ stack }) => stack), ...environments, ...policyConfigs]),
  ].sort();
}

import type { PolicyResource } from "@pulumi/policy";
import { ofType, shown } from "../shared/readers";
import { referencesResource } from "../shared/relations";

// ---------------------------------------------------------------------------------------------
// Small readers: props come from the wire, so nothing about their shape is guaranteed.

export type Props = Record<string, unknown>;

export function objectAt(value: unknown): Props | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Props)
    : undefined;
}

export function arrayAt(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** `path is "value"` or `path is not set`, for messages. */
export function current(path: string, value: unknown): string {
  return `${path} is ${shown(value)}`;
}

/**
 * Whether `from` takes `to` in its input `key` (a ruleset's `repository`, a mapping's `teamSlug`):
 * through an output of `to` (the engine's property dependencies) or as a plain string equal to
 * `nameOf(to)` (the target's name as the program set it). The name is read only when needed: an
 * unknown name must not stop a policy that can decide from the dependencies.
 */
export function takesInput(
  from: PolicyResource,
  key: string,
  to: PolicyResource,
  nameOf: (target: PolicyResource) => unknown,
): boolean {
  const linked = from.propertyDependencies[key] ?? [];
  if (linked.length > 0) return linked.some((dependency) => dependency.urn === to.urn);
  const value = from.props[key];
  if (typeof value === "string") return value === nameOf(to);
  // Neither a recorded output nor a plain name (an engine without property dependencies).
  return referencesResource(from, to);
}

/** The resources of `type` whose input `key` names `target` (its output or its `name` input). */
export function linkedTo(
  resources: PolicyResource[],
  type: string,
  key: string,
  target: PolicyResource,
): PolicyResource[] {
  return ofType(resources, type).filter((candidate) =>
    takesInput(candidate, key, target, (named) => named.props.name),
  );
}

/** fnmatch as GitHub applies it to branch patterns: `*` stays within a path segment, `**` not. */
export function globMatches(pattern: string, text: string): boolean {
  const wildcards: Record<string, string> = { "**": ".*", "*": "[^/]*", "?": "[^/]" };
  const source = pattern.replace(
    /\*\*|\*|\?|[.+^${}()|[\]\\]/g,
    (token) => wildcards[token] ?? `\\${token}`,
  );
  return new RegExp(`^${source}$`).test(text);
}

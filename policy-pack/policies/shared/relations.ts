import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import { PRIVATE_ENDPOINT } from "../../facts/tokens";
import { ofType, reportProblems } from "./readers";

/** Relations between resources: inputs taken from another resource, private endpoints. */

/**
 * Whether `from` takes an input from `to` (a private endpoint naming a registry's id, a diagnostic
 * setting naming a vault). Resource ids are outputs, so the engine's dependency records are the
 * one link that holds at preview time as well as offline.
 */
export function referencesResource(from: PolicyResource, to: PolicyResource): boolean {
  if (from.dependencies.some((dependency) => dependency.urn === to.urn)) return true;
  return Object.values(from.propertyDependencies).some((dependencies) =>
    dependencies.some((dependency) => dependency.urn === to.urn),
  );
}

/**
 * Whether `from` takes one of the inputs `keys` from `to` (a private endpoint's
 * privateLinkServiceConnections, a diagnostic setting's resourceUri). A mere `dependsOn` does not
 * count. Resources recorded without per-property dependencies fall back to any dependency.
 */
export function referencesThrough(
  from: PolicyResource,
  to: PolicyResource,
  keys: string[],
): boolean {
  return referencedThrough(from, keys).includes(to.urn);
}

/** The URNs `from` takes the inputs `keys` from (referencesThrough, for every `to` at once). */
export function referencedThrough(from: PolicyResource, keys: string[]): string[] {
  if (Object.keys(from.propertyDependencies).length === 0) {
    return from.dependencies.map((dependency) => dependency.urn);
  }
  return keys.flatMap((key) =>
    (from.propertyDependencies[key] ?? []).map((dependency) => dependency.urn),
  );
}

/**
 * Who references whom in one resource list, built once per list (a stack policy's
 * `args.resources`), so that "the settings on each target" is linear in the stack, not quadratic.
 * Per target URN: the resources that depend on it, those whose input `key` takes it, and those
 * recorded without per-property dependencies that depend on it (referencesThrough's fallback).
 */
interface ReferenceIndex {
  position: Map<PolicyResource, number>;
  dependents: Map<string, PolicyResource[]>;
  throughKey: Map<string, Map<string, PolicyResource[]>>;
  withoutPropertyDependencies: Map<string, PolicyResource[]>;
}

const referenceIndexes = new WeakMap<PolicyResource[], ReferenceIndex>();

function push<K>(map: Map<K, PolicyResource[]>, key: K, resource: PolicyResource): void {
  const list = map.get(key);
  if (!list) map.set(key, [resource]);
  else if (list[list.length - 1] !== resource) list.push(resource);
}

function referenceIndex(resources: PolicyResource[]): ReferenceIndex {
  let index = referenceIndexes.get(resources);
  if (index) return index;
  index = {
    position: new Map(),
    dependents: new Map(),
    throughKey: new Map(),
    withoutPropertyDependencies: new Map(),
  };
  resources.forEach((from, position) => {
    index.position.set(from, position);
    const keys = Object.keys(from.propertyDependencies);
    for (const dependency of from.dependencies) {
      push(index.dependents, dependency.urn, from);
      if (keys.length === 0) push(index.withoutPropertyDependencies, dependency.urn, from);
    }
    for (const key of keys) {
      for (const dependency of from.propertyDependencies[key]) {
        push(index.dependents, dependency.urn, from);
        let byKey = index.throughKey.get(dependency.urn);
        if (!byKey) index.throughKey.set(dependency.urn, (byKey = new Map()));
        push(byKey, key, from);
      }
    }
  });
  referenceIndexes.set(resources, index);
  return index;
}

/** Resources of `type` in list order, from several buckets of the index, each once. */
function inListOrder(
  index: ReferenceIndex,
  buckets: (PolicyResource[] | undefined)[],
  type: string,
): PolicyResource[] {
  const found = new Set<PolicyResource>();
  for (const bucket of buckets) {
    for (const resource of bucket ?? []) if (resource.type === type) found.add(resource);
  }
  return [...found].sort((a, b) => index.position.get(a)! - index.position.get(b)!);
}

/**
 * The resources of `type` in `resources` that take one of the inputs `keys` from `target`
 * (referencesThrough), or, without `keys`, that reference it at all (referencesResource).
 */
export function referrers(
  resources: PolicyResource[],
  target: PolicyResource,
  type: string,
  keys?: string[],
): PolicyResource[] {
  const index = referenceIndex(resources);
  if (!keys) {
    // Dependencies and property dependencies are both in `dependents`; the lists are deduplicated.
    return inListOrder(index, [index.dependents.get(target.urn)], type);
  }
  const byKey = index.throughKey.get(target.urn);
  return inListOrder(
    index,
    [index.withoutPropertyDependencies.get(target.urn), ...keys.map((key) => byKey?.get(key))],
    type,
  );
}

/** The private endpoints of the stack whose private link service connection targets `target`. */
export function privateEndpointsFor(
  resources: PolicyResource[],
  target: PolicyResource,
): PolicyResource[] {
  return referrers(resources, target, PRIVATE_ENDPOINT, [
    "privateLinkServiceConnections",
    "manualPrivateLinkServiceConnections",
  ]);
}

/**
 * Reports each resource of `target.type` that is not private (ACR-03, KV-03, RED-03), in one
 * violation on the resource: the problems `accessProblems` finds on its own inputs, then a missing
 * private endpoint.
 */
export function reportNotPrivate(
  resources: PolicyResource[],
  target: { type: string; kind: string; groupId: string },
  accessProblems: (resource: PolicyResource) => string[],
  reportViolation: ReportViolation,
): void {
  const { type, kind, groupId } = target;
  for (const resource of ofType(resources, type)) {
    const problems = accessProblems(resource);
    if (privateEndpointsFor(resources, resource).length === 0) {
      problems.push(
        `no private endpoint targets it, add a network:PrivateEndpoint whose privateLinkServiceConnections[].privateLinkServiceId is the ${kind}'s id (groupIds: ["${groupId}"])`,
      );
    }
    reportProblems(
      reportViolation,
      `${kind} '${resource.name}' is not private`,
      problems,
      resource.urn,
    );
  }
}

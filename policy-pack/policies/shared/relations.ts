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
  if (Object.keys(from.propertyDependencies).length === 0) return referencesResource(from, to);
  return keys.some((key) =>
    (from.propertyDependencies[key] ?? []).some((dependency) => dependency.urn === to.urn),
  );
}

/** The private endpoints of the stack whose private link service connection targets `target`. */
export function privateEndpointsFor(
  resources: PolicyResource[],
  target: PolicyResource,
): PolicyResource[] {
  return ofType(resources, PRIVATE_ENDPOINT).filter((endpoint) =>
    referencesThrough(endpoint, target, [
      "privateLinkServiceConnections",
      "manualPrivateLinkServiceConnections",
    ]),
  );
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

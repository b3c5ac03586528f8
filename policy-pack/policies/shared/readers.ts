import type { PolicyResource, ReportViolation } from "@pulumi/policy";

/**
 * Readers shared by the control families: inputs, the stack's resources by type, and one way to
 * word a violation.
 */

/** A property of an object, matching the key case-insensitively (Azure add-on keys vary in case). */
export function propertyIgnoringCase(
  object: Record<string, unknown> | undefined,
  key: string,
): unknown {
  if (!object) return undefined;
  if (key in object) return object[key];
  const wanted = key.toLowerCase();
  const found = Object.keys(object).find((candidate) => candidate.toLowerCase() === wanted);
  return found === undefined ? undefined : object[found];
}

/** The stack's resources by type, built once per resource list (a stack policy's `args.resources`). */
const resourcesByType = new WeakMap<PolicyResource[], Map<string, PolicyResource[]>>();

/** Resources of the stack of one type. */
export function ofType(resources: PolicyResource[], type: string): PolicyResource[] {
  let index = resourcesByType.get(resources);
  if (!index) {
    index = new Map();
    for (const resource of resources) {
      const sameType = index.get(resource.type);
      if (sameType) sameType.push(resource);
      else index.set(resource.type, [resource]);
    }
    resourcesByType.set(resources, index);
  }
  return index.get(type) ?? [];
}

const urnsByType = new WeakMap<PolicyResource[], Map<string, Set<string>>>();

/** The URNs of the stack's resources of one type, built once per list and type. */
export function urnsOfType(resources: PolicyResource[], type: string): Set<string> {
  let byType = urnsByType.get(resources);
  if (!byType) urnsByType.set(resources, (byType = new Map()));
  let urns = byType.get(type);
  if (!urns) byType.set(type, (urns = new Set(ofType(resources, type).map((r) => r.urn))));
  return urns;
}

/** Whether a value is a string equal to `expected` apart from case (Azure enums are case-blind). */
export function equalsIgnoringCase(value: unknown, expected: string): boolean {
  return typeof value === "string" && value.toLowerCase() === expected.toLowerCase();
}

/** A property value as a message shows it: `"Basic"`, `true`, or `not set`. */
export function shown(value: unknown): string {
  return value === undefined || value === null ? "not set" : JSON.stringify(value);
}

/**
 * Reports the problems found on one resource as one violation: `<subject>: <problem>; <problem>`.
 * Each problem says what is wrong and what to change.
 */
export function reportProblems(
  reportViolation: ReportViolation,
  subject: string,
  problems: string[],
  urn?: string,
): void {
  if (problems.length === 0) return;
  reportViolation(`${subject}: ${problems.join("; ")}`, urn);
}

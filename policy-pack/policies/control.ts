import type {
  EnforcementLevel,
  PolicyConfigSchema,
  PolicyResource,
  ResourceValidation,
  ResourceValidationPolicy,
  StackValidation,
  StackValidationPolicy,
} from "@pulumi/policy";

/**
 * Control metadata and the two ways to turn a control into a policy. Every policy of the pack is
 * built here, so names, descriptions and default levels follow the control catalog in one way.
 */

/** M: mandatory everywhere; A: advisory everywhere; P: mandatory in prod, advisory elsewhere. */
export type ControlLevel = "M" | "A" | "P";

export interface Control {
  /** Catalog ID, e.g. "ACR-01"; the policy is named by it in lower case. */
  id: string;
  /** Seed steps of the workshop flow, e.g. "6,15"; "—" when the control has none. */
  seed: string;
  level: ControlLevel;
  /** The rule in one line, as the catalog states it. */
  rule: string;
  /** "resource" policies look at one resource, "stack" policies at all of them. */
  scope?: "resource" | "stack";
}

export type ControlPolicy = (ResourceValidationPolicy | StackValidationPolicy) & {
  readonly control: Required<Control>;
};

/** The level a policy has when no policy config says otherwise: the non-prod level. */
export function defaultEnforcement(level: ControlLevel): EnforcementLevel {
  return level === "M" ? "mandatory" : "advisory";
}

/** The level a control has on a stack: P controls are mandatory on prod-like stacks. */
export function enforcementFor(level: ControlLevel, prodLike: boolean): EnforcementLevel {
  if (level === "M") return "mandatory";
  if (level === "P") return prodLike ? "mandatory" : "advisory";
  return "advisory";
}

function describe(control: Control): string {
  const seed = control.seed === "—" ? "no seed step" : `seed step ${control.seed}`;
  return `${control.id} (${seed}): ${control.rule}`;
}

export function resourcePolicy(
  control: Control,
  spec: {
    validateResource: ResourceValidation | ResourceValidation[];
    configSchema?: PolicyConfigSchema;
  },
): ControlPolicy {
  return {
    name: control.id.toLowerCase(),
    description: describe(control),
    enforcementLevel: defaultEnforcement(control.level),
    control: { ...control, scope: "resource" },
    ...spec,
  };
}

export function stackPolicy(
  control: Control,
  spec: { validateStack: StackValidation; configSchema?: PolicyConfigSchema },
): ControlPolicy {
  return {
    name: control.id.toLowerCase(),
    description: describe(control),
    enforcementLevel: defaultEnforcement(control.level),
    control: { ...control, scope: "stack" },
    ...spec,
  };
}

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

/** Resources of the stack of one type. */
export function ofType(resources: PolicyResource[], type: string): PolicyResource[] {
  return resources.filter((resource) => resource.type === type);
}

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

import type {
  EnforcementLevel,
  PolicyConfigSchema,
  PolicyResource,
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidation,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { type Props, resolveType } from "../../facts/types";

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
  /**
   * Whether the control reads resources of a canonical type (facts/types.ts): the resources it
   * reports on and those it takes as evidence (a diagnostic setting, a private endpoint). The
   * check's coverage report reads it through controlsFor.
   */
  readonly covers: (canonicalType: string) => boolean;
};

/**
 * The canonical types a policy reads, declared in its spec: a list, or a predicate for an open
 * family (Kubernetes workloads of any API version, Gatekeeper constraints).
 */
export type ResourceTypes = readonly string[] | ((canonicalType: string) => boolean);

/** The coverage of a policy that declared none; test/policy/coverage.test.ts names such policies. */
export const UNDECLARED_COVERAGE = (): boolean => false;

function coverageOf(resourceType?: string, resourceTypes?: ResourceTypes) {
  if (resourceType !== undefined) return (type: string) => type === resourceType;
  if (typeof resourceTypes === "function") return resourceTypes;
  if (resourceTypes !== undefined) {
    const types = new Set(resourceTypes);
    return (type: string) => types.has(type);
  }
  return UNDECLARED_COVERAGE;
}

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
    /** The one resource type the policy looks at; the pack then skips every other type unread. */
    resourceType?: string;
    /** Without resourceType: the canonical types the validation reads (its coverage). */
    resourceTypes?: ResourceTypes;
    validateResource: ResourceValidation | ResourceValidation[];
    configSchema?: PolicyConfigSchema;
  },
): ControlPolicy {
  const { resourceType, resourceTypes, validateResource, configSchema } = spec;
  return {
    name: control.id.toLowerCase(),
    description: describe(control),
    enforcementLevel: defaultEnforcement(control.level),
    control: { ...control, scope: "resource" },
    covers: coverageOf(resourceType, resourceTypes),
    validateResource: onCanonicalType(control.id, resourceType, validateResource),
    ...(configSchema ? { configSchema } : {}),
  };
}

const translatedProps = new WeakMap<object, Props>();

/** A classic resource's inputs in the azure-native shape, translated once per props object. */
function translated(props: Props, translate: (props: Props) => Props): Props {
  let result = translatedProps.get(props);
  if (!result) {
    result = translate(props);
    translatedProps.set(props, result);
  }
  return result;
}

/** `[classic <type>: adminEnabled read as adminUserEnabled, ...]`, appended to its violations. */
function classicNote(type: string, inputNames: Readonly<Record<string, string>> = {}): string {
  const renamed = Object.entries(inputNames)
    .filter(([native, classic]) => native !== classic)
    .map(([native, classic]) => `${classic} read as ${native}`);
  return ` [classic ${type}${renamed.length > 0 ? `: ${renamed.join(", ")}` : ""}]`;
}

/**
 * The resource as control `controlId` sees it (facts/types.ts): a versioned or v2 azure-native
 * type under its v3 token; a classic type under its azure-native token with its inputs translated,
 * only for the controls its entry lists (undefined for the others: the control does not read it).
 */
function canonicalArgs(
  args: ResourceValidationArgs,
  controlId: string,
  reportViolation: ReportViolation,
): [ResourceValidationArgs, ReportViolation] | undefined {
  const resolution = resolveType(args.type);
  if (!resolution || (resolution.canonical === args.type && !resolution.translate)) {
    return [args, reportViolation];
  }
  if (resolution.controls && !resolution.controls.includes(controlId)) return undefined;
  if (!resolution.translate) return [{ ...args, type: resolution.canonical }, reportViolation];
  const note = classicNote(args.type, resolution.inputNames);
  return [
    { ...args, type: resolution.canonical, props: translated(args.props, resolution.translate) },
    (message, urn) => reportViolation(`${message}${note}`, urn),
  ];
}

/**
 * A validation that sees canonical types (and, with `resourceType`, runs only on that type).
 * Deliberately not tagged with @pulumi/policy's `__pulumiType`: the pack would then answer every
 * other resource with a "not applicable" entry per policy, and building and parsing those costs
 * more than the skipped call (measured with bench:policy); properties are deserialized once per
 * request anyway (fast-path.ts).
 */
function onCanonicalType(
  controlId: string,
  resourceType: string | undefined,
  validate: ResourceValidation | ResourceValidation[],
): ResourceValidation {
  const validations = Array.isArray(validate) ? validate : [validate];
  return (args, reportViolation) => {
    const seen = canonicalArgs(args, controlId, reportViolation);
    if (!seen) return;
    const [canonical, report] = seen;
    if (resourceType !== undefined && canonical.type !== resourceType) return;
    return runInTurn(validations, canonical, report);
  };
}

/**
 * The validations one after the other; synchronous while they are (most are, and most resources
 * are of a type the policy skips), so no promise is made per policy and resource for nothing.
 */
function runInTurn(
  validations: ResourceValidation[],
  args: ResourceValidationArgs,
  reportViolation: ReportViolation,
): void | Promise<void> {
  for (let index = 0; index < validations.length; index++) {
    const result = validations[index](args, reportViolation);
    if (result instanceof Promise) {
      return result.then(() => runInTurn(validations.slice(index + 1), args, reportViolation));
    }
  }
}

/**
 * The stack's resources as control `controlId` sees them: versioned and v2 azure-native types
 * under their v3 token, classic types translated only when their entry lists the control (any
 * other classic resource keeps its classic token, which no azure-native lookup matches). The list
 * itself when nothing changes, as for a stack written in azure-native v3.
 */
function canonicalResources(resources: PolicyResource[], controlId: string): PolicyResource[] {
  let view: PolicyResource[] | undefined;
  resources.forEach((resource, index) => {
    const resolution = resolveType(resource.type);
    if (!resolution || (resolution.canonical === resource.type && !resolution.translate)) return;
    if (resolution.controls && !resolution.controls.includes(controlId)) return;
    view ??= resources.slice();
    view[index] = {
      ...resource,
      type: resolution.canonical,
      props: resolution.translate
        ? translated(resource.props, resolution.translate)
        : resource.props,
    };
  });
  return view ?? resources;
}

export function stackPolicy(
  control: Control,
  spec: {
    validateStack: StackValidation;
    configSchema?: PolicyConfigSchema;
    /** The canonical types the policy reads (its coverage). */
    resourceTypes?: ResourceTypes;
    /**
     * The domain the policy asks about: it runs only when the stack has a resource of a canonical
     * type this accepts (GH-10 asks for a Defender connector only of stacks that manage GitHub).
     */
    appliesToStacksWith?: (canonicalType: string) => boolean;
  },
): ControlPolicy {
  const { validateStack, configSchema, resourceTypes, appliesToStacksWith } = spec;
  return {
    name: control.id.toLowerCase(),
    description: describe(control),
    enforcementLevel: defaultEnforcement(control.level),
    control: { ...control, scope: "stack" },
    covers: coverageOf(undefined, resourceTypes),
    validateStack: (args: StackValidationArgs, reportViolation) => {
      const resources = canonicalResources(args.resources, control.id);
      if (appliesToStacksWith && !resources.some((r) => appliesToStacksWith(r.type))) return;
      const seen = resources === args.resources ? args : { ...args, resources };
      return validateStack(seen, reportViolation);
    },
    ...(configSchema ? { configSchema } : {}),
  };
}

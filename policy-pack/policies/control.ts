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
import { resolveType, type Props } from "../facts/types";
import {
  DEFENDER_PRICING,
  DIAGNOSTIC_SETTING,
  LOG_ANALYTICS_WORKSPACE,
  PRIVATE_ENDPOINT,
} from "../facts/tokens";

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
  return async (args, reportViolation) => {
    const seen = canonicalArgs(args, controlId, reportViolation);
    if (!seen) return;
    const [canonical, report] = seen;
    if (resourceType !== undefined && canonical.type !== resourceType) return;
    for (const validation of validations) await validation(canonical, report);
  };
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

// ---------------------------------------------------------------------------------------------
// Helpers shared by the domain files: relations between resources, log routing, Defender plans,
// and one way to word a violation.
// ---------------------------------------------------------------------------------------------

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

/** The diagnostic settings of the stack on `target` (their resourceUri is the target's id). */
export function diagnosticSettingsFor(
  resources: PolicyResource[],
  target: PolicyResource,
): PolicyResource[] {
  return ofType(resources, DIAGNOSTIC_SETTING).filter((setting) =>
    referencesThrough(setting, target, ["resourceUri"]),
  );
}

interface DiagnosticLogProps {
  category?: string;
  categoryGroup?: string;
  enabled?: boolean;
}

interface DiagnosticSettingProps {
  workspaceId?: string;
  logs?: DiagnosticLogProps[];
}

/**
 * Whether a diagnostic setting sends to a Log Analytics workspace: its workspaceId comes from a
 * workspace of the stack (the id is an output, unknown at preview), or is a literal id.
 */
export function sendsToLogAnalytics(setting: PolicyResource, resources: PolicyResource[]): boolean {
  const workspaces = ofType(resources, LOG_ANALYTICS_WORKSPACE);
  if (workspaces.some((workspace) => referencesThrough(setting, workspace, ["workspaceId"]))) {
    return true;
  }
  const workspaceId = (setting.props as DiagnosticSettingProps).workspaceId;
  return typeof workspaceId === "string" && workspaceId.trim() !== "";
}

/**
 * Category groups that contain every audit log category of the services the catalog names
 * (Key Vault AuditEvent; AKS kube-audit, kube-audit-admin and guard).
 */
export const AUDIT_CATEGORY_GROUPS = ["allLogs", "audit"];

/**
 * The categories of `wanted` that none of `settings` sends (enabled, by category or by one of
 * `coveringGroups`). Categories and groups compare case-insensitively, as Azure does.
 */
export function missingLogCategories(
  settings: PolicyResource[],
  wanted: string[],
  coveringGroups: string[] = [],
): string[] {
  const sent = new Set<string>();
  for (const setting of settings) {
    for (const log of (setting.props as DiagnosticSettingProps).logs ?? []) {
      if (log.enabled !== true) continue;
      if (typeof log.category === "string") sent.add(log.category.toLowerCase());
      if (typeof log.categoryGroup === "string")
        sent.add(`group:${log.categoryGroup.toLowerCase()}`);
    }
  }
  if (coveringGroups.some((group) => sent.has(`group:${group.toLowerCase()}`))) return [];
  return wanted.filter((category) => !sent.has(category.toLowerCase()));
}

/**
 * Reports, on `target`, the log categories that no diagnostic setting sends from it to Log
 * Analytics (AKS-10, KV-05): no setting at all, settings without a workspace, or missing categories.
 */
export function reportMissingLogs(
  target: PolicyResource,
  resources: PolicyResource[],
  logs: { kind: string; categories: string[]; coveringGroups?: string[] },
  reportViolation: ReportViolation,
): void {
  const settings = diagnosticSettingsFor(resources, target);
  const toWorkspace = settings.filter((setting) => sendsToLogAnalytics(setting, resources));
  const missing = missingLogCategories(toWorkspace, logs.categories, logs.coveringGroups);
  if (missing.length === 0) return;
  const entries = missing.map((category) => `{ category: "${category}", enabled: true }`);
  const fix = `logs: [${entries.join(", ")}]`;
  const names = (found: PolicyResource[]) => found.map((setting) => `'${setting.name}'`).join(", ");
  let problem: string;
  if (settings.length === 0) {
    problem = `has no diagnostic setting; add a monitor:DiagnosticSetting with resourceUri: the ${logs.kind}'s id, workspaceId: the Log Analytics workspace's id and ${fix}`;
  } else if (toWorkspace.length === 0) {
    problem = `has diagnostic setting(s) ${names(settings)} but none sends to Log Analytics; set workspaceId to the workspace's id, with ${fix}`;
  } else {
    problem = `does not send ${missing.join(", ")} to Log Analytics; add ${fix} to diagnostic setting ${names(toWorkspace)}`;
  }
  reportViolation(`${logs.kind} '${target.name}' ${problem}`, target.urn);
}

interface PricingProps {
  pricingName?: string;
  pricingTier?: string;
}

/** A Defender for Cloud plan of the stack: the Pricing resources of that plan, split by tier. */
export interface DefenderPlan {
  standard: PolicyResource[];
  otherTiers: PolicyResource[];
}

/** The stack's `security:Pricing` resources for a plan (`Containers`, `KeyVaults`, ...). */
export function defenderPlan(resources: PolicyResource[], planName: string): DefenderPlan {
  const plan = ofType(resources, DEFENDER_PRICING).filter((pricing) =>
    equalsIgnoringCase((pricing.props as PricingProps).pricingName, planName),
  );
  const isStandard = (pricing: PolicyResource) =>
    equalsIgnoringCase((pricing.props as PricingProps).pricingTier, "Standard");
  return {
    standard: plan.filter(isStandard),
    otherTiers: plan.filter((pricing) => !isStandard(pricing)),
  };
}

/**
 * A subscription-wide Defender plan that resources of the stack need (ACR-04, KV-04): when the
 * stack has any resource of `protectedTypes` (type -> the word messages use), it must also have a
 * `security:Pricing` of `planName` at tier Standard.
 */
export function requireDefenderPlan(
  resources: PolicyResource[],
  plan: { planName: string; product: string; protectedTypes: Record<string, string> },
  reportViolation: ReportViolation,
): void {
  const protectedResources = resources.filter((resource) =>
    Object.hasOwn(plan.protectedTypes, resource.type),
  );
  if (protectedResources.length === 0) return;
  // Plans are subscription-wide and one stack owns them (infra/azure/defender.ts); the catalog:
  // "A stack policy that asks for a resource of a domain (GitHub, Defender plans) applies only to
  // stacks that contain that domain". The stacks that only read the plans contain no Pricing.
  if (ofType(resources, DEFENDER_PRICING).length === 0) return;
  const { standard, otherTiers } = defenderPlan(resources, plan.planName);
  if (standard.length > 0) return;
  const covered =
    protectedResources
      .map((resource) => `${plan.protectedTypes[resource.type]} '${resource.name}'`)
      .join(", ") + (protectedResources.length === 1 ? " is" : " are");
  const fix = `pricingName: "${plan.planName}", pricingTier: "Standard" (scopeId: the subscription)`;
  if (otherTiers.length === 0) {
    reportViolation(
      `${covered} not covered by ${plan.product}: the stack has no security:Pricing for "${plan.planName}"; add one with ${fix}`,
      protectedResources[0].urn,
    );
    return;
  }
  for (const pricing of otherTiers) {
    const tier = (pricing.props as PricingProps).pricingTier;
    reportViolation(
      `security:Pricing '${pricing.name}' has pricingTier=${shown(tier)}, so ${covered} not covered by ${plan.product}; set ${fix}`,
      pricing.urn,
    );
  }
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

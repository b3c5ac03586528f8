import { expect } from "vitest";
import {
  analyze,
  testResource,
  violationsOf,
  type AnalyzeOptions,
  type TestResource,
} from "./policy-harness";

/**
 * What the policy tests share: resource types, changing fixture inputs by dotted path, the
 * resources several domains build alike (workspace, diagnostic setting, private endpoint), and
 * the expectations every domain states the same way (one violation, P levels, can't run).
 * Types are spelled out here rather than taken from the pack, so a typo there still fails a test.
 */

export const REGISTRY = "azure-native:containerregistry:Registry";
export const VAULT = "azure-native:keyvault:Vault";
export const REDIS = "azure-native:redis:Redis";
export const CLUSTER = "azure-native:containerservice:ManagedCluster";
export const WORKSPACE = "azure-native:operationalinsights:Workspace";
export const DIAGNOSTIC_SETTING = "azure-native:monitor:DiagnosticSetting";
export const PRIVATE_ENDPOINT = "azure-native:network:PrivateEndpoint";
export const SUBNET = "azure-native:network:Subnet";
export const PRICING = "azure-native:security:Pricing";
export const POLICY_ASSIGNMENT = "azure-native:authorization:PolicyAssignment";
export const NAMESPACE = "kubernetes:core/v1:Namespace";

export type Level = "mandatory" | "advisory";

// ---------------------------------------------------------------------------------------------
// Changing inputs

/** Sets the property at a dotted path (creating objects on the way); `undefined` removes it. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  const last = keys.pop()!;
  let node = target;
  for (const key of keys) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  if (value === undefined) delete node[last];
  else node[last] = value;
}

/** Applies `changes` (dotted path -> value; undefined removes) to `target` and returns it. */
export function setPaths<T extends Record<string, unknown>>(
  target: T,
  changes: Record<string, unknown>,
): T {
  for (const [path, value] of Object.entries(changes)) setPath(target, path, value);
  return target;
}

/** The resources of a fixture that has not dropped them (a test deletes one to fail a policy). */
export function present(...resources: (TestResource | undefined)[]): TestResource[] {
  return resources.filter((resource): resource is TestResource => resource !== undefined);
}

/** `withFixture(change)`: a fresh compliant fixture, changed, as the resources of a stack. */
export function fixtureChanger<Fixture>(
  compliantFixture: () => Fixture,
  resourcesOf: (fixture: Fixture) => TestResource[],
): (change: (fixture: Fixture) => void) => TestResource[] {
  return (change) => {
    const fixture = compliantFixture();
    change(fixture);
    return resourcesOf(fixture);
  };
}

// ---------------------------------------------------------------------------------------------
// Resources several domains build alike

export function logAnalyticsWorkspace(
  name = "monitoring-workspace",
  inputs: Record<string, unknown> = { retentionInDays: 90 },
): TestResource {
  return testResource(WORKSPACE, name, inputs);
}

/**
 * A diagnostic setting whose resourceUri is `target`'s id and, when `workspace` is given, whose
 * workspaceId is that workspace's id (without it, any workspaceId in `inputs` is a literal).
 */
export function diagnosticSetting(
  name: string,
  target: TestResource,
  inputs: Record<string, unknown>,
  workspace?: TestResource,
): TestResource {
  return testResource(DIAGNOSTIC_SETTING, name, inputs, {
    dependsOn: workspace
      ? { resourceUri: [target], workspaceId: [workspace] }
      : { resourceUri: [target] },
  });
}

const ENDPOINT_SUBNET_ID = "/subscriptions/x/subnet";

/** The subnet private endpoints are placed in. */
export function endpointSubnet(): TestResource {
  return testResource(SUBNET, "endpoints", { addressPrefix: "10.30.8.0/24" });
}

/** A private endpoint whose private link service connection targets `target`. */
export function privateEndpoint(
  name: string,
  target: TestResource,
  connection: { name: string; privateLinkServiceId: string; groupId: string },
  subnet?: TestResource,
): TestResource {
  const privateLinkServiceConnections = [
    {
      name: connection.name,
      privateLinkServiceId: connection.privateLinkServiceId,
      groupIds: [connection.groupId],
    },
  ];
  if (!subnet) {
    return testResource(
      PRIVATE_ENDPOINT,
      name,
      { privateLinkServiceConnections },
      { dependsOn: { privateLinkServiceConnections: [target] } },
    );
  }
  return testResource(
    PRIVATE_ENDPOINT,
    name,
    { privateLinkServiceConnections, subnet: { id: ENDPOINT_SUBNET_ID } },
    { dependsOn: { privateLinkServiceConnections: [target], subnet: [subnet] } },
  );
}

/** A private endpoint that depends on `target` (a `dependsOn`) without any connection to it. */
export function endpointOnlyDependingOn(target: TestResource, subnet: TestResource): TestResource {
  const endpoint = testResource(
    PRIVATE_ENDPOINT,
    "other-pe",
    { subnet: { id: ENDPOINT_SUBNET_ID } },
    { dependsOn: { subnet: [subnet] } },
  );
  endpoint.dependencies.push(target.urn);
  return endpoint;
}

// ---------------------------------------------------------------------------------------------
// Expectations every domain states the same way

/** A stack that one policy must flag exactly once, at `level`, on `urn`. */
export interface FailureCase {
  what: string;
  resources: () => TestResource[];
  policy: string;
  level: Level;
  /** The flagged resource; the domain's usual one when left out. */
  urn?: string;
  /** A part of the message. */
  message: string;
}

/** The one violation of `failure.policy`, on `failure.urn` or else on `defaultUrn`. */
export async function expectFailure(failure: FailureCase, defaultUrn?: string): Promise<void> {
  const { resources, policy, level, message } = failure;
  const urn = failure.urn ?? defaultUrn;
  if (urn === undefined) throw new Error(`failure case '${failure.what}' names no urn`);
  const violations = violationsOf(await analyze(resources()), policy);
  expect(violations).toEqual([
    { policy, enforcementLevel: level, urn, message: expect.stringContaining(message) },
  ]);
}

/** Each of `policies` (level P) flags `resources` once, mandatory, when policy config says so. */
export async function expectMandatoryWhenConfigured(
  resources: TestResource[],
  policies: string[],
): Promise<void> {
  const policyConfig = Object.fromEntries(policies.map((policy) => [policy, "mandatory"]));
  const violations = await analyze(resources, { policyConfig });
  for (const policy of policies) {
    expect(violationsOf(violations, policy)).toEqual([
      expect.objectContaining({ enforcementLevel: "mandatory" }),
    ]);
  }
}

/** An unknown value stops `policy` with one advisory "can't run" diagnostic, not a pass. */
export async function expectCantRun(
  resources: TestResource[],
  policy: string,
  message: RegExp,
  options?: AnalyzeOptions,
): Promise<void> {
  const violations = violationsOf(await analyze(resources, options), policy);
  expect(violations).toEqual([
    expect.objectContaining({
      enforcementLevel: "advisory",
      message: expect.stringMatching(message),
    }),
  ]);
}

/** None of `policies` flags `resources`. */
export async function expectPasses(
  resources: TestResource[],
  policies: string[],
  options?: AnalyzeOptions,
): Promise<void> {
  const violations = await analyze(resources, options);
  for (const policy of policies) expect(violationsOf(violations, policy)).toEqual([]);
}

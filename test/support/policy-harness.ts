import { afterAll } from "vitest";
import { PolicySession, type Diagnostic, type PolicyPackConfig } from "../../tools/analyzer";
import { SECRET_SIG, SECRET_SIG_KEY } from "../../tools/secrets";

/**
 * Policy tests go through the pack's real analyzer gRPC service: one pack process per test file,
 * started on first use, every check sent as Analyze per resource plus one AnalyzeStack.
 */

export const TEST_STACK = "test";
export const TEST_PROJECT = "aks-devsecops";

export interface TestResource {
  type: string;
  name: string;
  urn: string;
  inputs: Record<string, unknown>;
  parent?: string;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
}

export interface Links {
  /** Property key -> the resources whose outputs that input takes (e.g. resourceUri -> vault). */
  dependsOn?: Record<string, TestResource[]>;
  parent?: TestResource;
}

export function testResource(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  links: Links = {},
): TestResource {
  const propertyDependencies = Object.fromEntries(
    Object.entries(links.dependsOn ?? {}).map(([key, targets]) => [
      key,
      targets.map((target) => target.urn),
    ]),
  );
  return {
    type,
    name,
    urn: `urn:pulumi:${TEST_STACK}::${TEST_PROJECT}::${type}::${name}`,
    // Wire format has no `undefined`: an unset input is an absent key, as the engine records it.
    inputs: JSON.parse(JSON.stringify(inputs)) as Record<string, unknown>,
    parent: links.parent?.urn,
    dependencies: [...new Set(Object.values(propertyDependencies).flat())],
    propertyDependencies,
  };
}

/** An output that is not known yet (preview), as the engine puts it on the wire. */
export const UNKNOWN: unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function secret(value: unknown): unknown {
  return { [SECRET_SIG_KEY]: SECRET_SIG, value };
}

export type Violation = Omit<Diagnostic, "description">;

export interface AnalyzeOptions {
  policyConfig?: PolicyPackConfig;
  stackConfig?: Record<string, string>;
}

let session: { stackConfig: string; running: Promise<PolicySession> } | undefined;

async function sessionFor(stackConfig: Record<string, string>): Promise<PolicySession> {
  const key = JSON.stringify(stackConfig);
  if (session?.stackConfig !== key) {
    if (session) await (await session.running).close();
    session = {
      stackConfig: key,
      running: PolicySession.start({ stack: TEST_STACK, project: TEST_PROJECT, stackConfig }),
    };
  }
  return session.running;
}

afterAll(async () => {
  if (session) await (await session.running).close();
  session = undefined;
});

export async function analyze(
  resources: TestResource[],
  options: AnalyzeOptions = {},
): Promise<Violation[]> {
  const pack = await sessionFor(options.stackConfig ?? {});
  // Always configure: settings from an earlier test must not leak into this one.
  await pack.configure(options.policyConfig ?? {});
  const diagnostics = await pack.analyze(resources);
  return diagnostics.map(({ policy, enforcementLevel, urn, message }) => ({
    policy,
    enforcementLevel,
    urn,
    message,
  }));
}

export function violationsOf(violations: Violation[], policy: string): Violation[] {
  return violations.filter((violation) => violation.policy === policy);
}

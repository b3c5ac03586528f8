import { inject } from "vitest";
import type { RecordedStack, ResourceRecord } from "../../tools/engine";
import { revealSecrets } from "../../tools/secrets";

export const STACKS = ["dev", "prod"] as const;
export type StackName = (typeof STACKS)[number];

export function recordedStack(name: StackName): RecordedStack {
  return inject("stacks")[name];
}

export function resourcesOfType(stack: StackName | RecordedStack, type: string): ResourceRecord[] {
  const recorded = typeof stack === "string" ? recordedStack(stack) : stack;
  return recorded.resources.filter((resource) => resource.type === type);
}

/** Plain inputs (secrets unwrapped) of the one resource of a type; fails when there is not exactly one. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function onlyInputs(stack: StackName | RecordedStack, type: string): any {
  const found = resourcesOfType(stack, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return revealSecrets(found[0].inputs);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function inputsOf(resource: ResourceRecord): any {
  return revealSecrets(resource.inputs);
}

export function byName(stack: StackName, name: string): ResourceRecord {
  const found = recordedStack(stack).resources.find((resource) => resource.name === name);
  if (!found) throw new Error(`no resource named ${name} in ${stack}`);
  return found;
}

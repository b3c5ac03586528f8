import type { RecordedStack, ResourceRecord } from "../engine";
import { maskSecrets, SECRET_MASK } from "../secrets";

export interface ResourceView {
  urn: string;
  type: string;
  name: string;
  parent: string;
  inputs: unknown;
  dependencies: string[];
}

/** Resources as users see them: secrets masked. */
export function resourceViews(resources: ResourceRecord[]): ResourceView[] {
  return resources.map((resource) => ({
    urn: resource.urn,
    type: resource.type,
    name: resource.name,
    parent: resource.parent,
    inputs: maskSecrets(resource.inputs),
    dependencies: resource.dependencies,
  }));
}

export function outputViews(recorded: RecordedStack): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(recorded.outputs).map(([key, output]) => [
      key,
      output.secret ? SECRET_MASK : maskSecrets(output.value),
    ]),
  );
}

export function countByType(resources: ResourceRecord[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const resource of resources) counts.set(resource.type, (counts.get(resource.type) ?? 0) + 1);
  return [...counts.entries()].sort(([a], [b]) => a.localeCompare(b));
}

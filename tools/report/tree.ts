import type { RecordedStack, ResourceRecord } from "../engine";
import { countByType, outputViews } from "./resources";

function childrenByParent(resources: ResourceRecord[]): Map<string, ResourceRecord[]> {
  const children = new Map<string, ResourceRecord[]>();
  for (const resource of resources) {
    const siblings = children.get(resource.parent) ?? [];
    siblings.push(resource);
    children.set(resource.parent, siblings);
  }
  return children;
}

function treeLines(
  children: Map<string, ResourceRecord[]>,
  parent: string,
  indent: string,
): string[] {
  const siblings = children.get(parent) ?? [];
  return siblings.flatMap((resource, index) => {
    const last = index === siblings.length - 1;
    const line = `${indent}${last ? "└─ " : "├─ "}${resource.type}  ${resource.name}`;
    return [line, ...treeLines(children, resource.urn, indent + (last ? "   " : "│  "))];
  });
}

/** A readable tree of the stack's resources, then counts per type and the stack outputs. */
export function renderTree(recorded: RecordedStack): string {
  const { resources } = recorded;
  const counts = countByType(resources);
  const width = Math.max(...counts.map(([type]) => type.length), 4);
  const outputs = Object.entries(outputViews(recorded));
  return [
    `Stack ${recorded.project}/${recorded.stack}`,
    ...treeLines(childrenByParent(resources), "", ""),
    "",
    "Resources by type:",
    ...counts.map(([type, count]) => `  ${type.padEnd(width)}  ${String(count).padStart(3)}`),
    "",
    "Outputs:",
    ...outputs.map(
      ([key, value]) => `  ${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`,
    ),
    "",
    `${resources.length} resources (${resources.filter((r) => r.custom).length} cloud resources, ${resources.filter((r) => !r.custom).length} components) in ${counts.length} types`,
    "",
  ].join("\n");
}

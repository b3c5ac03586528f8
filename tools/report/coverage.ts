import type { ResourceRecord } from "../engine";
import { HELM_RELEASE } from "../../policy-pack/facts/tokens";

/**
 * What the pack checked, per resource type: a gate must say what it did not look at. Components
 * hold no cloud settings of their own (their children are checked); provider resources configure
 * credentials; Helm charts render resources that the offline engine never sees.
 */
export type TypeKind = "cloud" | "component" | "provider" | "helm";

export interface TypeCoverage {
  type: string;
  kind: TypeKind;
  resources: number;
  /** Control IDs that check resources of this type (resource or stack policies). */
  controls: string[];
}

export interface Coverage {
  types: TypeCoverage[];
  /** Cloud resources whose type no control checks. */
  unchecked: { resources: number; types: string[] };
  notes: string[];
}

/**
 * Helm charts: a v3 `Chart` renders its templates through the provider's `helm:template` invoke
 * and registers the result client-side, a v4 `Chart` is a component the provider expands, and a
 * `Release` is installed by the provider: offline, none of their rendered resources exist.
 */
const HELM_TYPES: Record<string, string> = {
  "kubernetes:helm.sh/v3:Chart": "a v3 Chart renders through the provider (helm template)",
  "kubernetes:helm.sh/v4:Chart": "a v4 Chart is a provider-side component",
  [HELM_RELEASE]: "a Release is installed by the provider",
};

function kindOf(resource: ResourceRecord): TypeKind {
  if (resource.type in HELM_TYPES) return "helm";
  if (resource.type.startsWith("pulumi:providers:")) return "provider";
  return resource.custom ? "cloud" : "component";
}

export function computeCoverage(
  resources: ResourceRecord[],
  controlsFor: (type: string) => string[],
): Coverage {
  const byType = new Map<string, TypeCoverage>();
  for (const resource of resources) {
    const entry = byType.get(resource.type);
    if (entry) {
      entry.resources++;
      continue;
    }
    const kind = kindOf(resource);
    const controls = kind === "component" || kind === "provider" ? [] : controlsFor(resource.type);
    byType.set(resource.type, { type: resource.type, kind, resources: 1, controls });
  }
  const types = [...byType.values()].sort((a, b) => a.type.localeCompare(b.type));
  const unchecked = types.filter(
    (entry) => (entry.kind === "cloud" || entry.kind === "helm") && entry.controls.length === 0,
  );
  const helm = types.filter((entry) => entry.kind === "helm");
  return {
    types,
    unchecked: {
      resources: unchecked.reduce((sum, entry) => sum + entry.resources, 0),
      types: unchecked.map((entry) => entry.type),
    },
    notes: helm.map(
      (entry) =>
        `${entry.resources} ${entry.type}: ${HELM_TYPES[entry.type]}; the resources it renders are not checked offline (check the rendered manifests, or the cluster's admission policies)`,
    ),
  };
}

/** The coverage section of the table report. */
export function renderCoverage(coverage: Coverage): string[] {
  const cloud = coverage.types.filter((entry) => entry.kind === "cloud" || entry.kind === "helm");
  const width = Math.max(4, ...cloud.map((entry) => entry.type.length));
  const lines = ["COVERAGE (cloud resources by type, and the controls that checked them)"];
  for (const entry of cloud) {
    const controls = entry.controls.length > 0 ? entry.controls.join(", ") : "NOT CHECKED";
    lines.push(
      `  ${entry.type.padEnd(width)}  ${String(entry.resources).padStart(4)}  ${controls}`,
    );
  }
  const others = coverage.types.filter(
    (entry) => entry.kind === "component" || entry.kind === "provider",
  );
  if (others.length > 0) {
    const count = others.reduce((sum, entry) => sum + entry.resources, 0);
    lines.push(`  (${count} components and providers hold no cloud settings of their own)`);
  }
  const { resources, types } = coverage.unchecked;
  lines.push(
    resources === 0
      ? "  every cloud resource was checked by at least one control"
      : `  ${resources} resource${resources === 1 ? "" : "s"} of ${types.length} type${types.length === 1 ? "" : "s"} ${resources === 1 ? "was" : "were"} not checked: ${types.join(", ")}`,
  );
  for (const note of coverage.notes) lines.push(`  note: ${note}`);
  return lines;
}

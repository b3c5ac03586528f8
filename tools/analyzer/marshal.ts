import { SECRET_SIG_KEY } from "../secrets";

/** The wire signature of a resource reference (`@pulumi/pulumi/runtime/rpc.js` specialResourceSig). */
export const RESOURCE_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";

interface ResourceReference {
  urn: string;
  id?: unknown;
}

function isResourceReference(value: unknown): value is ResourceReference {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[SECRET_SIG_KEY] === RESOURCE_REFERENCE_SIG
  );
}

/**
 * A resource's inputs as the Pulumi CLI hands them to an analyzer: `MarshalProperties(props,
 * MarshalOptions{KeepUnknowns: true, KeepSecrets: true})` (pulumi/pulumi
 * pkg/resource/plugin/analyzer_plugin.go). Without KeepResources a resource reference becomes its
 * id, or its URN when it has none (a component) (sdk/go/common/resource/plugin/rpc.go
 * MarshalPropertyValue: "marshalling resource value as raw URN or ID as opts.KeepResources is
 * false"). `@pulumi/policy` cannot read the reference object itself.
 */
export function analyzerProperties(value: unknown): unknown {
  if (isResourceReference(value)) return value.id !== undefined ? value.id : value.urn;
  if (Array.isArray(value)) return value.map(analyzerProperties);
  if (typeof value === "object" && value !== null) {
    const result: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) result[key] = analyzerProperties(inner);
    return result;
  }
  return value;
}

import { controlsFor } from "../../policy-pack/facts/types";
import { allPolicies } from "../../policy-pack/policies";

/**
 * The control IDs of this project's pack that check resources of a (raw) type: aliases resolved
 * (versioned tokens, v2 names, classic `@pulumi/azure` with only the controls its inputs can show).
 */
export function controlsForType(type: string): string[] {
  return controlsFor(type, allPolicies);
}

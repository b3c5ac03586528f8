import { allPolicies } from "../../policy-pack/policies";

/** The control IDs of this project's pack that check resources of `type`. */
export function controlsForType(type: string): string[] {
  return allPolicies
    .filter((policy) => (policy as { covers?: (type: string) => boolean }).covers?.(type))
    .map((policy) => policy.control.id);
}

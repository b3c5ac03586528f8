import { acrPolicies } from "./acr";
import { aksPolicies } from "./aks";
import { genPolicies } from "./gen";
import { ghPolicies } from "./gh";
import { k8sPolicies } from "./k8s";
import { kvPolicies } from "./kv";
import { monPolicies } from "./mon";
import { redPolicies } from "./red";
import type { ControlPolicy } from "./shared/control";

export type { Control, ControlLevel, ControlPolicy } from "./shared/control";
export { enforcementFor } from "./shared/control";

/** Every policy of the pack, in catalog order. */
export const allPolicies: ControlPolicy[] = [
  ...ghPolicies,
  ...acrPolicies,
  ...aksPolicies,
  ...kvPolicies,
  ...monPolicies,
  ...redPolicies,
  ...k8sPolicies,
  ...genPolicies,
];

import type { ControlPolicy } from "./control";
import { clusterPolicies } from "./cluster";
import { generalPolicies } from "./general";
import { githubPolicies } from "./github";
import { keyvaultPolicies } from "./keyvault";
import { kubernetesPolicies } from "./kubernetes";
import { monitoringPolicies } from "./monitoring";
import { redisPolicies } from "./redis";
import { registryPolicies } from "./registry";

export type { Control, ControlLevel, ControlPolicy } from "./control";
export { enforcementFor } from "./control";

/** Every policy of the pack, in catalog order. */
export const allPolicies: ControlPolicy[] = [
  ...githubPolicies,
  ...registryPolicies,
  ...clusterPolicies,
  ...keyvaultPolicies,
  ...monitoringPolicies,
  ...redisPolicies,
  ...kubernetesPolicies,
  ...generalPolicies,
];

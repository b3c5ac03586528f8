import type { ControlPolicy } from "./control";

export const clusterPolicies: ControlPolicy[] = [];

import type { ControlPolicy } from "./control";

export const monitoringPolicies: ControlPolicy[] = [];

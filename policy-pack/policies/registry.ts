import type { ControlPolicy } from "./control";

export const registryPolicies: ControlPolicy[] = [];

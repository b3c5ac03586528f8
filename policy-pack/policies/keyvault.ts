import type { ControlPolicy } from "./control";

export const keyvaultPolicies: ControlPolicy[] = [];

import type { ControlPolicy } from "./control";

export const generalPolicies: ControlPolicy[] = [];

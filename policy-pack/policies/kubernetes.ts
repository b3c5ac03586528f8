import type { ControlPolicy } from "./control";

export const kubernetesPolicies: ControlPolicy[] = [];

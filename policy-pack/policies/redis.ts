import type { ControlPolicy } from "./control";

export const redisPolicies: ControlPolicy[] = [];

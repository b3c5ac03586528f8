import type { ControlPolicy } from "./control";

export const githubPolicies: ControlPolicy[] = [];

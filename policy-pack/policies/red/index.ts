import type { ControlPolicy } from "../shared/control";
import { red05 } from "./authentication";
import { red01, red02 } from "./encryption";
import { red03 } from "./network";
import { red04, red06 } from "./resilience";
import { red07 } from "./retirement";

/**
 * RED-01..RED-07: Azure Managed Redis and Azure Cache for Redis.
 */
export const redPolicies: ControlPolicy[] = [red01, red02, red03, red04, red05, red06, red07];

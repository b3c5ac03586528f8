import type { ControlPolicy } from "../shared/control";
import { mon05 } from "./analytics-tables";
import { mon04 } from "./diagnostics";
import { mon02, mon03 } from "./sentinel";
import { mon01 } from "./workspace";

/**
 * MON-01..MON-05: Log Analytics and Sentinel.
 */
export const monPolicies: ControlPolicy[] = [mon01, mon02, mon03, mon04, mon05];

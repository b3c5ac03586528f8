import type { ControlPolicy } from "../shared/control";
import { gen02 } from "./locations";
import { gen01 } from "./tags";

/**
 * GEN-01, GEN-02: every resource (tags, location).
 */
export const genPolicies: ControlPolicy[] = [gen01, gen02];

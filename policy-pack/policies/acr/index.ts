import type { ControlPolicy } from "../shared/control";
import { acr04 } from "./defender";
import { acr03 } from "./network";
import { acr01, acr02, acr06 } from "./registry";
import { acr05 } from "./retention";

/**
 * ACR-01..ACR-06: the container registry.
 */
export const acrPolicies: ControlPolicy[] = [acr01, acr02, acr03, acr04, acr05, acr06];

import type { ControlPolicy } from "../shared/control";
import { kv05 } from "./audit-logs";
import { kv04 } from "./defender";
import { kv03 } from "./network";
import { kv06 } from "./secrets";
import { kv01, kv02 } from "./vault";

/**
 * KV-01..KV-06: Key Vault.
 */
export const kvPolicies: ControlPolicy[] = [kv01, kv02, kv03, kv04, kv05, kv06];

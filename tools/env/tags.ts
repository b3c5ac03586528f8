import * as path from "node:path";
import { PROJECT } from "../../infra/project";
import { DEFAULT_PACK_DIR } from "../analyzer";

/**
 * What makes a stack ephemeral, and the config an ephemeral stack gets. The marker and the
 * expiry live in stack tags (`pulumi:tags` in the stack file, which the CLI applies on every
 * update, and set directly by `create`), so `list` and `reap` find them in any backend.
 */

export const EPHEMERAL_TAGS = {
  /** Marks the stack as ephemeral; the value is the stack it was derived from. */
  base: `${PROJECT}:ephemeral-from`,
  owner: `${PROJECT}:owner`,
  createdAt: `${PROJECT}:created-at`,
  expiresAt: `${PROJECT}:expires-at`,
} as const;

/** Ephemeral stacks are never production: the pack's non-prod levels, plus the `expires-at` tag. */
export const EPHEMERAL_POLICY_CONFIG = path.join(DEFAULT_PACK_DIR, "config", "ephemeral.json");

/** The `pulumi:tags` of a stack's config, when the stack is ephemeral. */
export function ephemeralTagsOf(
  config: Record<string, string>,
): Record<string, string> | undefined {
  const text = config["pulumi:tags"];
  if (text === undefined) return undefined;
  try {
    const tags = JSON.parse(text) as Record<string, string>;
    return typeof tags === "object" && tags !== null && EPHEMERAL_TAGS.base in tags
      ? tags
      : undefined;
  } catch {
    return undefined;
  }
}

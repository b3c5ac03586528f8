import { createHash } from "node:crypto";
import { namingProblems } from "../../infra/naming";
import { UsageError } from "../errors";

/** The config schema's rule for `environment`; an ephemeral stack's name is its environment. */
const ENVIRONMENT_PATTERN = /^[a-z][a-z0-9-]{1,11}$/;
const SCHEMA_MAX_LENGTH = 12;
/** A shortened name keeps this many characters for a hash of the full name, plus a '-'. */
const HASH_LENGTH = 4;

/**
 * The longest environment name for which every resource name fits its rule with this prefix
 * (Key Vault's 24 characters are usually the limit).
 */
export function maxEnvironmentLength(namePrefix: string): number {
  for (let length = SCHEMA_MAX_LENGTH; length >= 2; length--) {
    if (namingProblems(namePrefix, "a".repeat(length)).length === 0) return length;
  }
  return 0;
}

function slugOf(requested: string): string {
  return requested
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, HASH_LENGTH);
}

/**
 * Turns a requested name (`pr-42`, `Feature/Login_Page`) into the ephemeral stack's name, which is
 * also its `environment` and so part of every Azure resource name. Too long: shortened, with a
 * hash of the full name so that two long names stay apart. Names of long-lived stacks are refused.
 */
export function ephemeralStackName(
  requested: string,
  namePrefix: string,
  reserved: readonly string[],
): string {
  const slug = slugOf(requested);
  if (slug === "") {
    throw new UsageError(
      `name '${requested}' has no letters or digits; use letters, digits and '-', such as pr-42`,
    );
  }
  const startsWithLetter = /^[a-z]/.test(slug) ? slug : `e-${slug}`;
  const budget = maxEnvironmentLength(namePrefix);
  if (budget < HASH_LENGTH + 2) {
    throw new UsageError(
      `namePrefix '${namePrefix}' of the base stack leaves ${budget} characters for an environment name ` +
        `(Key Vault names have 3-24 characters); ephemeral stacks need ${HASH_LENGTH + 2}: use a base with a shorter namePrefix`,
    );
  }
  const name =
    startsWithLetter.length <= budget
      ? startsWithLetter
      : `${startsWithLetter.slice(0, budget - HASH_LENGTH - 1).replace(/-+$/, "")}-${shortHash(slug)}`;
  if (reserved.includes(name)) {
    throw new UsageError(
      `name '${requested}' gives '${name}', which a long-lived stack or policy config uses ` +
        `(reserved: ${reserved.join(", ")}); choose another name`,
    );
  }
  const problems = namingProblems(namePrefix, name);
  if (!ENVIRONMENT_PATTERN.test(name) || problems.length > 0) {
    throw new UsageError(
      `name '${requested}' gives '${name}', which is not usable: ${problems.join("; ")}`,
    );
  }
  return name;
}

/** GitHub facts the stack and the GH policies share. */

/** The discriminator policies look for on the code security configuration's dynamic resource (GH-02). */
export const CODE_SECURITY_CONFIGURATION_KIND = "github:code-security-configuration";

/** A ruleset's name for the repository's default branch, whatever it is called. */
export const DEFAULT_BRANCH_REF = "~DEFAULT_BRANCH";

/** The GitHub environment that deploys to production (GH-06 asks reviewers for it). */
export const PRODUCTION_ENVIRONMENT = "production";

import * as pulumi from "@pulumi/pulumi";
import * as github from "@pulumi/github";

export const MISSING_TOKEN_MESSAGE =
  "no GitHub token: set GITHUB_TOKEN or `pulumi config set --secret github:token <token>` " +
  "(a fine-grained token or GitHub App token with organization administration rights)";

/** Thrown by `pulumi up` without a token, before anything is sent to GitHub. */
export class MissingGitHubTokenError extends pulumi.RunError {
  constructor() {
    super(MISSING_TOKEN_MESSAGE);
    this.name = "MissingGitHubTokenError";
  }
}

export interface TokenSources {
  /** `github:token`, a secret config value. */
  config: pulumi.Output<string> | undefined;
  /** The GITHUB_TOKEN environment variable. */
  environment: string | undefined;
  /** True for `pulumi preview`: reading plans needs no token. */
  dryRun: boolean;
}

/**
 * The token the GitHub provider uses, always secret. Secret config wins over the environment.
 * A preview without one runs anonymously (it only plans); a deployment without one fails here.
 */
export function resolveGitHubToken(sources: TokenSources): pulumi.Output<string> | undefined {
  if (sources.config) return pulumi.secret(sources.config);
  if (sources.environment) return pulumi.secret(sources.environment);
  if (!sources.dryRun) throw new MissingGitHubTokenError();
  return undefined;
}

/** The token of this run (secret config, else GITHUB_TOKEN); undefined only in a preview. */
export function githubToken(): pulumi.Output<string> | undefined {
  return resolveGitHubToken({
    config: new pulumi.Config("github").getSecret("token"),
    environment: process.env.GITHUB_TOKEN,
    dryRun: pulumi.runtime.isDryRun(),
  });
}

/** An explicit provider for one organisation: no resource falls back to ambient credentials. */
export function githubProvider(
  name: string,
  organization: string,
  opts?: pulumi.CustomResourceOptions,
  token: pulumi.Output<string> | undefined = githubToken(),
): github.Provider {
  if (!token) pulumi.log.warn(`${MISSING_TOKEN_MESSAGE}; previewing anonymously`);
  return new github.Provider(name, { owner: organization, token }, opts);
}

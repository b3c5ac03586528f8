/**
 * Names that tie GitHub and Azure together: the subject GitHub puts in a workflow's OIDC token and
 * the Azure identity that trusts it. Pure functions, shared by the config checks and components.
 */

/** GitHub's OIDC token issuer (the `iss` claim of every Actions token). */
export const GITHUB_OIDC_ISSUER = "https://token.actions.githubusercontent.com";

/** The audience Entra ID expects in a federated token (the azure/login action's default). */
export const AZURE_TOKEN_AUDIENCE = "api://AzureADTokenExchange";

/** The `sub` claim of a job that runs in a GitHub environment (GitHub's default subject format). */
export function environmentSubject(organization: string, repository: string, environment: string) {
  return `repo:${organization}/${repository}:environment:${environment}`;
}

/** Azure identity names allow letters, digits, '-' and '_': a repository's '.' becomes '-'. */
export function deployIdentityName(prefix: string, environment: string, repository: string) {
  return `id-${prefix}-${environment}-gh-${repository.replace(/\./g, "-")}`;
}

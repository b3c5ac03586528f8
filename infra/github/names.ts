/**
 * Names that tie GitHub and Azure together: the subject GitHub puts in a workflow's OIDC token and
 * the Azure identity that trusts it. Pure functions, shared by the config checks and components.
 */

/** The `sub` claim of a job that runs in a GitHub environment (GitHub's default subject format). */
export function environmentSubject(organization: string, repository: string, environment: string) {
  return `repo:${organization}/${repository}:environment:${environment}`;
}

/**
 * A repository's key in URNs and Azure identity names: GitHub repository names are
 * case-insensitive and may hold '.' and '_', so `My.Repo` and `my-repo` share a key, and config
 * validation refuses two repositories with the same key.
 */
export function repositoryKey(repository: string): string {
  return repository.toLowerCase().replace(/[^a-z0-9-]/g, "-");
}

export function deployIdentityName(prefix: string, environment: string, repository: string) {
  return `id-${prefix}-${environment}-gh-${repositoryKey(repository)}`;
}

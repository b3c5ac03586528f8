/** Federation facts: who issues the tokens Azure trusts, and for which audience. */

/** GitHub's OIDC token issuer (the `iss` claim of every Actions token). */
export const GITHUB_OIDC_ISSUER = "https://token.actions.githubusercontent.com";

/**
 * The audience Entra ID expects in a federated token: the azure/login action's default and the
 * one the AKS workload identity webhook projects into pods
 * (https://learn.microsoft.com/entra/workload-id/workload-identity-federation-create-trust).
 */
export const TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

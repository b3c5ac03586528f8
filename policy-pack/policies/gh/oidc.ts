import { GITHUB_OIDC_ISSUER, TOKEN_EXCHANGE_AUDIENCE } from "../../facts/identity";
import { GITHUB_TYPES } from "../../facts/tokens";
import { resourcePolicy } from "../shared/control";
import { PRODUCTION_ENVIRONMENT } from "./environments";
import { arrayAt, current, type Props } from "./readers";

const GITHUB_ISSUER = GITHUB_OIDC_ISSUER;

const GITHUB_ISSUER_HOST = new URL(GITHUB_OIDC_ISSUER).hostname;

// ---------------------------------------------------------------------------------------------
// GH-09: the federated credential GitHub Actions signs in with

/** `repo:<org>/<repo>:environment:<env>` or `repo:<org>/<repo>:ref:refs/heads|tags/<name>`. */
const ONE_REPOSITORY_SUBJECT =
  /^repo:[A-Za-z0-9-]+\/[A-Za-z0-9._-]+:(environment:[^:]+|ref:refs\/(heads|tags)\/.+)$/;

function isGithubIssuer(issuer: unknown): boolean {
  if (typeof issuer !== "string") return false;
  try {
    return new URL(issuer).hostname === GITHUB_ISSUER_HOST;
  } catch {
    return false;
  }
}

/** GitHub's credentials: GitHub's issuer, or a GitHub subject under some other issuer by mistake. */
function isGithubCredential(props: Props): boolean {
  // Read the issuer first: an issuer unknown at preview must stop the policy, not pass it.
  if (isGithubIssuer(props.issuer)) return true;
  return typeof props.subject === "string" && props.subject.startsWith("repo:");
}

function audiencesProblem(audiences: unknown): string | undefined {
  const list = arrayAt(audiences);
  if (list.length === 1 && list[0] === TOKEN_EXCHANGE_AUDIENCE) return undefined;
  return `${current("audiences", audiences)}; set audiences: ["${TOKEN_EXCHANGE_AUDIENCE}"]`;
}

function subjectProblem(subject: unknown): string | undefined {
  const example = `repo:<org>/<repo>:environment:${PRODUCTION_ENVIRONMENT} or repo:<org>/<repo>:ref:refs/heads/main`;
  if (typeof subject === "string" && subject.includes("*")) {
    return `subject ${JSON.stringify(subject)} has a wildcard; name one repository and one environment or ref: ${example}`;
  }
  if (typeof subject === "string" && ONE_REPOSITORY_SUBJECT.test(subject)) return undefined;
  return `${current("subject", subject)}, which does not name one repository and one environment or ref; use ${example}`;
}

export const gh09 = resourcePolicy(
  {
    id: "GH-09",
    seed: "6",
    level: "M",
    rule:
      "FederatedIdentityCredential for GitHub: issuer https://token.actions.githubusercontent.com, " +
      "audience api://AzureADTokenExchange, subject names one repository and one environment or ref, no wildcard",
  },
  {
    resourceType: GITHUB_TYPES.federatedIdentityCredential,
    validateResource: (args, reportViolation) => {
      const props = args.props as Props;
      if (!isGithubCredential(props)) return;
      const problems = [
        props.issuer === GITHUB_ISSUER
          ? undefined
          : `${current("issuer", props.issuer)}; set issuer: "${GITHUB_ISSUER}" exactly`,
        audiencesProblem(props.audiences),
        subjectProblem(props.subject),
      ];
      for (const problem of problems) {
        if (problem) reportViolation(`GitHub federated credential '${args.name}': ${problem}`);
      }
    },
  },
);

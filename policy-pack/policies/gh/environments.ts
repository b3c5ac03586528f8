import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import { GITHUB_TYPES } from "../../facts/tokens";
import { stackPolicy } from "../shared/control";
import { equalsIgnoringCase, ofType } from "../shared/readers";
import { arrayAt, current, linkedTo, objectAt } from "./readers";
import { PRODUCTION_ENVIRONMENT } from "../../facts/github";

export { PRODUCTION_ENVIRONMENT };

// ---------------------------------------------------------------------------------------------
// GH-06: production deployments need an approval

function reviewerCount(environment: PolicyResource): number {
  return arrayAt(environment.props.reviewers).reduce<number>((count, reviewer) => {
    const entry = objectAt(reviewer);
    return count + arrayAt(entry?.teams).length + arrayAt(entry?.users).length;
  }, 0);
}

function checkProductionEnvironment(
  environment: PolicyResource,
  repository: PolicyResource,
  reportViolation: ReportViolation,
): void {
  const report = (message: string) =>
    reportViolation(
      `environment '${environment.name}' (${PRODUCTION_ENVIRONMENT} of repository '${repository.name}') ${message}`,
      environment.urn,
    );
  if (reviewerCount(environment) === 0) {
    report(
      `has no reviewers; set reviewers: [{ teams: [<team id>] }] (or users) so a person approves ` +
        `every production deployment`,
    );
  }
  if (environment.props.preventSelfReview !== true) {
    report(
      `${current("preventSelfReview", environment.props.preventSelfReview)}; set ` +
        `preventSelfReview: true so whoever triggers a deployment cannot approve it`,
    );
  }
  const branchPolicy = objectAt(environment.props.deploymentBranchPolicy);
  if (branchPolicy?.protectedBranches !== true) {
    report(
      `${current("deploymentBranchPolicy.protectedBranches", branchPolicy?.protectedBranches)}; set ` +
        `deploymentBranchPolicy: { protectedBranches: true, customBranchPolicies: false } so only ` +
        `protected branches deploy`,
    );
  }
}

/** GitHub compares environment names without case. */
function isProduction(environment: PolicyResource): boolean {
  return equalsIgnoringCase(environment.props.environment, PRODUCTION_ENVIRONMENT);
}

export const gh06 = stackPolicy(
  {
    id: "GH-06",
    seed: "9",
    level: "M",
    rule:
      "Stack: each repository has a RepositoryEnvironment named production with ≥1 reviewer, " +
      "preventSelfReview true and deployments limited to protected branches",
  },
  {
    resourceTypes: [GITHUB_TYPES.repository, GITHUB_TYPES.repositoryEnvironment],
    validateStack: (args, reportViolation) => {
      for (const repository of ofType(args.resources, GITHUB_TYPES.repository)) {
        const production = linkedTo(
          args.resources,
          GITHUB_TYPES.repositoryEnvironment,
          "repository",
          repository,
        ).filter(isProduction);
        if (production.length === 0) {
          reportViolation(
            `repository '${repository.name}' has no RepositoryEnvironment "${PRODUCTION_ENVIRONMENT}"; ` +
              `add a github.RepositoryEnvironment with environment: "${PRODUCTION_ENVIRONMENT}", ` +
              `reviewers, preventSelfReview: true and deploymentBranchPolicy: { protectedBranches: true, ` +
              `customBranchPolicies: false }`,
            repository.urn,
          );
        }
        for (const environment of production) {
          checkProductionEnvironment(environment, repository, reportViolation);
        }
      }
    },
  },
);

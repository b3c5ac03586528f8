import type { PolicyResource, ReportViolation, StackValidationArgs } from "@pulumi/policy";
import { GITHUB_TYPES } from "../../facts/tokens";
import { stackPolicy } from "../shared/control";
import { ofType } from "../shared/readers";
import { arrayAt, current, globMatches, linkedTo, objectAt } from "./readers";
import { DEFAULT_BRANCH_REF } from "../../facts/github";

/** GitHub's default branch when no BranchDefault (or deprecated `defaultBranch`) names another. */
const ASSUMED_DEFAULT_BRANCH = "main";

// ---------------------------------------------------------------------------------------------
// GH-05: the default branch is protected

interface BranchRules {
  requiresPullRequest: boolean;
  approvals: number;
  dismissesStaleReviews: boolean;
  requiresStatusChecks: boolean;
  blocksForcePushes: boolean;
  blocksDeletion: boolean;
}

const NO_RULES: BranchRules = {
  requiresPullRequest: false,
  approvals: 0,
  dismissesStaleReviews: false,
  requiresStatusChecks: false,
  blocksForcePushes: false,
  blocksDeletion: false,
};

/** GitHub applies every rule that matches a branch: the strongest setting of each one wins. */
function strongest(rules: BranchRules[]): BranchRules {
  return rules.reduce(
    (sum, next) => ({
      requiresPullRequest: sum.requiresPullRequest || next.requiresPullRequest,
      approvals: Math.max(sum.approvals, next.approvals),
      dismissesStaleReviews: sum.dismissesStaleReviews || next.dismissesStaleReviews,
      requiresStatusChecks: sum.requiresStatusChecks || next.requiresStatusChecks,
      blocksForcePushes: sum.blocksForcePushes || next.blocksForcePushes,
      blocksDeletion: sum.blocksDeletion || next.blocksDeletion,
    }),
    NO_RULES,
  );
}

function numberAt(value: unknown): number {
  return typeof value === "number" ? value : 0;
}

function rulesOfRuleset(ruleset: PolicyResource): BranchRules {
  const rules = objectAt(ruleset.props.rules);
  const pullRequest = objectAt(rules?.pullRequest);
  const statusChecks = objectAt(rules?.requiredStatusChecks);
  return {
    requiresPullRequest: pullRequest !== undefined,
    approvals: numberAt(pullRequest?.requiredApprovingReviewCount),
    dismissesStaleReviews: pullRequest?.dismissStaleReviewsOnPush === true,
    requiresStatusChecks: arrayAt(statusChecks?.requiredChecks).length > 0,
    blocksForcePushes: rules?.nonFastForward === true,
    blocksDeletion: rules?.deletion === true,
  };
}

function rulesOfBranchProtection(protection: PolicyResource): BranchRules {
  const reviews = objectAt(arrayAt(protection.props.requiredPullRequestReviews)[0]);
  const statusChecks = objectAt(arrayAt(protection.props.requiredStatusChecks)[0]);
  return {
    requiresPullRequest: reviews !== undefined,
    approvals: numberAt(reviews?.requiredApprovingReviewCount),
    dismissesStaleReviews: reviews?.dismissStaleReviews === true,
    requiresStatusChecks: arrayAt(statusChecks?.contexts).length > 0,
    blocksForcePushes: protection.props.allowsForcePushes === false,
    blocksDeletion: protection.props.allowsDeletions === false,
  };
}

function defaultBranchOf(repository: PolicyResource, resources: PolicyResource[]): string {
  const branchDefault = linkedTo(
    resources,
    GITHUB_TYPES.branchDefault,
    "repository",
    repository,
  )[0];
  const named = branchDefault?.props.branch ?? repository.props.defaultBranch;
  return typeof named === "string" && named !== "" ? named : ASSUMED_DEFAULT_BRANCH;
}

function refMatches(ref: unknown, branch: string): boolean {
  if (ref === "~ALL" || ref === DEFAULT_BRANCH_REF) return true;
  return typeof ref === "string" && globMatches(ref, `refs/heads/${branch}`);
}

function rulesetCovers(ruleset: PolicyResource, branch: string): boolean {
  if (ruleset.props.target !== "branch") return false;
  const refName = objectAt(objectAt(ruleset.props.conditions)?.refName);
  const included = arrayAt(refName?.includes).some((ref) => refMatches(ref, branch));
  const excluded = arrayAt(refName?.excludes).some(
    (ref) => ref !== "~ALL" && refMatches(ref, branch),
  );
  return included && !excluded;
}

function branchProtectionCovers(protection: PolicyResource, branch: string): boolean {
  const pattern = protection.props.pattern;
  return typeof pattern === "string" && globMatches(pattern, branch);
}

/** Each part of GH-05, how to tell it is missing and what to set (ruleset and branch protection). */
function missingBranchRules(rules: BranchRules, minApprovals: number): string[] {
  const missing: string[] = [];
  if (!rules.requiresPullRequest) {
    missing.push(
      `does not require a pull request; set rules.pullRequest: { requiredApprovingReviewCount: ` +
        `${minApprovals}, dismissStaleReviewsOnPush: true } (BranchProtection: ` +
        `requiredPullRequestReviews: [{ requiredApprovingReviewCount: ${minApprovals}, dismissStaleReviews: true }])`,
    );
  } else if (rules.approvals < minApprovals) {
    missing.push(
      `requires ${rules.approvals} approving reviews, at least ${minApprovals} needed; set ` +
        `rules.pullRequest.requiredApprovingReviewCount: ${minApprovals} (BranchProtection: ` +
        `requiredPullRequestReviews[0].requiredApprovingReviewCount)`,
    );
  }
  if (rules.requiresPullRequest && !rules.dismissesStaleReviews) {
    missing.push(
      `does not dismiss stale reviews; set rules.pullRequest.dismissStaleReviewsOnPush: true ` +
        `(BranchProtection: requiredPullRequestReviews[0].dismissStaleReviews: true)`,
    );
  }
  if (!rules.requiresStatusChecks) {
    missing.push(
      `requires no status checks; set rules.requiredStatusChecks.requiredChecks to the CI jobs, ` +
        `e.g. [{ context: "build" }] (BranchProtection: requiredStatusChecks[0].contexts)`,
    );
  }
  if (!rules.blocksForcePushes) {
    missing.push(
      `does not block force pushes; set rules.nonFastForward: true ` +
        `(BranchProtection: allowsForcePushes: false)`,
    );
  }
  if (!rules.blocksDeletion) {
    missing.push(
      `does not block deletion; set rules.deletion: true (BranchProtection: allowsDeletions: false)`,
    );
  }
  return missing;
}

function checkDefaultBranch(
  repository: PolicyResource,
  resources: PolicyResource[],
  minApprovals: number,
  reportViolation: ReportViolation,
): void {
  const branch = defaultBranchOf(repository, resources);
  const where = `repository '${repository.name}' default branch '${branch}'`;
  const rulesets = linkedTo(
    resources,
    GITHUB_TYPES.repositoryRuleset,
    "repository",
    repository,
  ).filter((ruleset) => rulesetCovers(ruleset, branch));
  for (const ruleset of rulesets.filter((candidate) => candidate.props.enforcement !== "active")) {
    reportViolation(
      `ruleset '${ruleset.name}' covers ${where} but ${current("enforcement", ruleset.props.enforcement)}; ` +
        `set enforcement: "active"`,
      ruleset.urn,
    );
  }
  const protections = linkedTo(resources, GITHUB_TYPES.branchProtection, "repositoryId", repository)
    .filter((protection) => branchProtectionCovers(protection, branch))
    .map(rulesOfBranchProtection);
  const active = rulesets.filter((ruleset) => ruleset.props.enforcement === "active");
  if (active.length === 0 && protections.length === 0) {
    reportViolation(
      `${where} is not protected: add a github.RepositoryRuleset with target: "branch", ` +
        `enforcement: "active" and conditions.refName.includes: ["~DEFAULT_BRANCH"] ` +
        `(or a github.BranchProtection with pattern: "${branch}")`,
      repository.urn,
    );
    return;
  }
  const rules = strongest([...active.map(rulesOfRuleset), ...protections]);
  for (const missing of missingBranchRules(rules, minApprovals)) {
    reportViolation(`${where} ${missing}`, repository.urn);
  }
}

export const gh05 = stackPolicy(
  {
    id: "GH-05",
    seed: "5",
    level: "M",
    rule:
      "Stack: each repository's default branch is covered by an active RepositoryRuleset (or " +
      "BranchProtection) requiring a pull request with ≥ minApprovals approving reviews, " +
      "dismissing stale reviews, required status checks, and blocking force pushes and deletion",
  },
  {
    resourceTypes: [
      GITHUB_TYPES.repository,
      GITHUB_TYPES.branchDefault,
      GITHUB_TYPES.repositoryRuleset,
      GITHUB_TYPES.branchProtection,
    ],
    configSchema: {
      properties: {
        minApprovals: { type: "integer", minimum: 1, default: 1 },
      },
    },
    validateStack: (args: StackValidationArgs, reportViolation) => {
      const minApprovals = args.getConfig<{ minApprovals?: number }>().minApprovals ?? 1;
      for (const repository of ofType(args.resources, GITHUB_TYPES.repository)) {
        checkDefaultBranch(repository, args.resources, minApprovals, reportViolation);
      }
    },
  },
);

import type {
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  StackValidationArgs,
} from "@pulumi/policy";
import {
  equalsIgnoringCase,
  ofType,
  referencesResource,
  resourcePolicy,
  shown,
  stackPolicy,
  type ControlPolicy,
} from "./control";
import { DYNAMIC_RESOURCE, GITHUB_TYPES } from "../facts/tokens";

/**
 * GH-01..GH-10: the GitHub organization, its repositories and how GitHub Actions reaches Azure.
 * Inputs are `@pulumi/github` v6 and `@pulumi/azure-native` v3 names. A setting the control needs
 * must be set in the program: offline the provider's own defaults are not applied, so an omitted
 * input is a violation even where GitHub's default happens to be the safe value.
 */

/** GitHub's default branch when no BranchDefault (or deprecated `defaultBranch`) names another. */
const ASSUMED_DEFAULT_BRANCH = "main";
const PRODUCTION_ENVIRONMENT = "production";
const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";
const GITHUB_ISSUER_HOST = "token.actions.githubusercontent.com";
const TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

// ---------------------------------------------------------------------------------------------
// Small readers: props come from the wire, so nothing about their shape is guaranteed.

type Props = Record<string, unknown>;

function objectAt(value: unknown): Props | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Props)
    : undefined;
}

function arrayAt(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** `path is "value"` or `path is not set`, for messages. */
function current(path: string, value: unknown): string {
  return `${path} is ${shown(value)}`;
}

/**
 * Whether `from` takes `to` in its input `key` (a ruleset's `repository`, a mapping's `teamSlug`):
 * through an output of `to` (the engine's property dependencies) or as a plain string equal to
 * `nameOf(to)` (the target's name as the program set it). The name is read only when needed: an
 * unknown name must not stop a policy that can decide from the dependencies.
 */
function takesInput(
  from: PolicyResource,
  key: string,
  to: PolicyResource,
  nameOf: (target: PolicyResource) => unknown,
): boolean {
  const linked = from.propertyDependencies[key] ?? [];
  if (linked.length > 0) return linked.some((dependency) => dependency.urn === to.urn);
  const value = from.props[key];
  if (typeof value === "string") return value === nameOf(to);
  // Neither a recorded output nor a plain name (an engine without property dependencies).
  return referencesResource(from, to);
}

/** The resources of `type` whose input `key` names `target` (its output or its `name` input). */
function linkedTo(
  resources: PolicyResource[],
  type: string,
  key: string,
  target: PolicyResource,
): PolicyResource[] {
  return ofType(resources, type).filter((candidate) =>
    takesInput(candidate, key, target, (named) => named.props.name),
  );
}

/** fnmatch as GitHub applies it to branch patterns: `*` stays within a path segment, `**` not. */
function globMatches(pattern: string, text: string): boolean {
  const wildcards: Record<string, string> = { "**": ".*", "*": "[^/]*", "?": "[^/]" };
  const source = pattern.replace(
    /\*\*|\*|\?|[.+^${}()|[\]\\]/g,
    (token) => wildcards[token] ?? `\\${token}`,
  );
  return new RegExp(`^${source}$`).test(text);
}

// ---------------------------------------------------------------------------------------------
// GH-01, GH-02: organization settings

interface OrganizationSettingsProps {
  defaultRepositoryPermission?: string;
  membersCanCreatePublicRepositories?: boolean;
}

const ALLOWED_BASE_PERMISSIONS = ["none", "read"];

const gh01 = resourcePolicy(
  {
    id: "GH-01",
    seed: "1,3",
    level: "M",
    rule: "OrganizationSettings: defaultRepositoryPermission is none or read; membersCanCreatePublicRepositories is false",
  },
  {
    resourceType: GITHUB_TYPES.organizationSettings,
    validateResource: (args, reportViolation) => {
      const props = args.props as OrganizationSettingsProps;
      const permission = props.defaultRepositoryPermission;
      if (permission === undefined || !ALLOWED_BASE_PERMISSIONS.includes(permission)) {
        reportViolation(
          `organization settings '${args.name}': ${current("defaultRepositoryPermission", permission)}; ` +
            `set defaultRepositoryPermission: "read" (or "none") and grant more through teams`,
        );
      }
      if (props.membersCanCreatePublicRepositories !== false) {
        reportViolation(
          `organization settings '${args.name}': ` +
            `${current("membersCanCreatePublicRepositories", props.membersCanCreatePublicRepositories)}; ` +
            `set membersCanCreatePublicRepositories: false (GitHub's default lets members publish repositories)`,
        );
      }
    },
  },
);

/**
 * GitHub removed the organisation API's `*_for_new_repositories` security fields on 2026-04-21
 * (github.blog changelog, 2026-03-24 and 2026-04-21): set on OrganizationSettings they are no
 * evidence. Their replacement is a code security configuration that is the organisation's default
 * for new repositories (https://docs.github.com/en/rest/code-security/configurations). The stack
 * manages it as a dynamic resource (infra/github/code-security.ts) whose `kind` input names it.
 */
export const CODE_SECURITY_CONFIGURATION_KIND = "github:code-security-configuration";
/** `default_for_new_repos` values that cover the platform's (private and internal) repositories. */
const COVERS_NEW_PRIVATE_REPOSITORIES = ["all", "private_and_internal"];

/** Features the default configuration must enable, as the REST API names them (for messages). */
const NEW_REPOSITORY_SECURITY: ReadonlyArray<[feature: string, description: string]> = [
  ["advanced_security", "GitHub Advanced Security"],
  ["secret_scanning", "secret scanning"],
  ["secret_scanning_push_protection", "secret scanning push protection"],
  ["dependency_graph", "the dependency graph"],
  ["dependabot_alerts", "Dependabot alerts"],
  ["dependabot_security_updates", "Dependabot security updates"],
];

const gh02 = stackPolicy(
  {
    id: "GH-02",
    seed: "4,11",
    level: "M",
    rule:
      "The organisation's default code security configuration for new repositories enables " +
      "advanced security, secret scanning, push protection, dependency graph, Dependabot alerts " +
      "and security updates (the removed OrganizationSettings *_for_new_repositories fields are " +
      "no evidence)",
  },
  {
    resourceTypes: [DYNAMIC_RESOURCE, GITHUB_TYPES.organizationSettings],
    validateStack: (args, reportViolation) => {
      const configurations = args.resources.filter(
        (resource) =>
          resource.type === DYNAMIC_RESOURCE &&
          resource.props.kind === CODE_SECURITY_CONFIGURATION_KIND,
      );
      const defaults = configurations.filter((configuration) =>
        COVERS_NEW_PRIVATE_REPOSITORIES.includes(String(configuration.props.defaultForNewRepos)),
      );
      if (defaults.length === 0) {
        for (const settings of ofType(args.resources, GITHUB_TYPES.organizationSettings)) {
          reportViolation(
            `organization settings '${settings.name}': no code security configuration is the ` +
              `default for new repositories (defaultForNewRepos "all" or "private_and_internal"); ` +
              `the *_for_new_repositories fields were removed from GitHub's API on 2026-04-21, ` +
              `so add one (infra/github/code-security.ts)`,
            settings.urn,
          );
        }
      }
      for (const configuration of defaults) {
        const features = objectAt(configuration.props.features);
        for (const [feature, description] of NEW_REPOSITORY_SECURITY) {
          const value = features?.[feature];
          if (value === "enabled") continue;
          reportViolation(
            `code security configuration '${configuration.name}': ` +
              `${current(`features.${feature}`, value)}; set it to "enabled" so every new ` +
              `repository gets ${description}`,
            configuration.urn,
          );
        }
      }
    },
  },
);

// ---------------------------------------------------------------------------------------------
// GH-03: teams are managed from Entra ID groups

/** GitHub's slug of a team name: lower case, runs of other characters as one hyphen. */
function teamSlug(name: unknown): string | undefined {
  if (typeof name !== "string") return undefined;
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

function hasEntraGroup(mapping: PolicyResource): boolean {
  return arrayAt(mapping.props.groups).some((group) => {
    const groupId = objectAt(group)?.groupId;
    return typeof groupId === "string" && groupId.trim() !== "";
  });
}

const gh03 = stackPolicy(
  {
    id: "GH-03",
    seed: "1",
    level: "M",
    rule: "Stack: every Team the stack manages has a TeamSyncGroupMapping (Entra ID group)",
  },
  {
    resourceTypes: [GITHUB_TYPES.team, GITHUB_TYPES.teamSyncGroupMapping],
    validateStack: (args, reportViolation) => {
      const mappings = ofType(args.resources, GITHUB_TYPES.teamSyncGroupMapping);
      for (const team of ofType(args.resources, GITHUB_TYPES.team)) {
        const ofTeam = mappings.filter((mapping) =>
          takesInput(mapping, "teamSlug", team, (target) => teamSlug(target.props.name)),
        );
        if (ofTeam.length === 0) {
          reportViolation(
            `team '${team.name}' has no TeamSyncGroupMapping; add a github.TeamSyncGroupMapping with ` +
              `teamSlug: <team>.slug and groups: [{ groupId, groupName, groupDescription }] naming the ` +
              `Entra ID group that owns its membership`,
            team.urn,
          );
          continue;
        }
        if (!ofTeam.some(hasEntraGroup)) {
          reportViolation(
            `TeamSyncGroupMapping '${ofTeam[0].name}' of team '${team.name}' names no Entra ID group; ` +
              `set groups: [{ groupId: <Entra ID group object id>, groupName, groupDescription }]`,
            ofTeam[0].urn,
          );
        }
      }
    },
  },
);

// ---------------------------------------------------------------------------------------------
// GH-04: repository security settings

const PRIVATE_VISIBILITIES = ["private", "internal"];

/** securityAndAnalysis features a repository must enable, with their input paths. */
const REPOSITORY_SECURITY: ReadonlyArray<[key: string, feature: string]> = [
  ["advancedSecurity", "GitHub Advanced Security"],
  ["secretScanning", "secret scanning"],
  ["secretScanningPushProtection", "secret scanning push protection"],
];

function hasVulnerabilityAlerts(repository: PolicyResource, resources: PolicyResource[]): boolean {
  if (repository.props.vulnerabilityAlerts === true) return true;
  return linkedTo(
    resources,
    GITHUB_TYPES.repositoryVulnerabilityAlerts,
    "repository",
    repository,
  ).some((alerts) => alerts.props.enabled === true);
}

function checkRepositorySecurity(
  repository: PolicyResource,
  resources: PolicyResource[],
  reportViolation: ReportViolation,
): void {
  const report = (message: string) =>
    reportViolation(`repository '${repository.name}': ${message}`, repository.urn);
  const visibility = repository.props.visibility;
  if (typeof visibility !== "string" || !PRIVATE_VISIBILITIES.includes(visibility)) {
    report(
      `${current("visibility", visibility)} (new repositories are public unless it says otherwise); ` +
        `set visibility: "private" (or "internal")`,
    );
  }
  const securityAndAnalysis = objectAt(repository.props.securityAndAnalysis);
  for (const [key, feature] of REPOSITORY_SECURITY) {
    const status = objectAt(securityAndAnalysis?.[key])?.status;
    if (status === "enabled") continue;
    report(
      `${current(`securityAndAnalysis.${key}.status`, status)}; ` +
        `set securityAndAnalysis.${key}: { status: "enabled" } to turn on ${feature}`,
    );
  }
  if (!hasVulnerabilityAlerts(repository, resources)) {
    report(
      `${current("vulnerabilityAlerts", repository.props.vulnerabilityAlerts)} and no ` +
        `RepositoryVulnerabilityAlerts with enabled: true targets it; add a ` +
        `github.RepositoryVulnerabilityAlerts with enabled: true for Dependabot alerts ` +
        `(Repository.vulnerabilityAlerts is deprecated in @pulumi/github 6.15)`,
    );
  }
}

const gh04 = stackPolicy(
  {
    id: "GH-04",
    seed: "4,11",
    level: "M",
    rule:
      "Repository: securityAndAnalysis has advanced security, secret scanning and push protection " +
      "enabled; vulnerabilityAlerts true (or a RepositoryVulnerabilityAlerts, hence a stack " +
      "policy); visibility not public",
  },
  {
    resourceTypes: [GITHUB_TYPES.repository, GITHUB_TYPES.repositoryVulnerabilityAlerts],
    validateStack: (args, reportViolation) => {
      for (const repository of ofType(args.resources, GITHUB_TYPES.repository)) {
        checkRepositorySecurity(repository, args.resources, reportViolation);
      }
    },
  },
);

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
  if (ref === "~ALL" || ref === "~DEFAULT_BRANCH") return true;
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

const gh05 = stackPolicy(
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

const gh06 = stackPolicy(
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

// ---------------------------------------------------------------------------------------------
// GH-07: the GITHUB_TOKEN of workflows

interface WorkflowPermissionsProps {
  defaultWorkflowPermissions?: string;
  canApprovePullRequestReviews?: boolean;
}

const gh07 = resourcePolicy(
  {
    id: "GH-07",
    seed: "5",
    level: "A",
    rule: "ActionsOrganizationWorkflowPermissions: default workflow token permission read, workflows cannot approve pull requests",
  },
  {
    resourceType: GITHUB_TYPES.workflowPermissions,
    validateResource: (args, reportViolation) => {
      const props = args.props as WorkflowPermissionsProps;
      if (props.defaultWorkflowPermissions !== "read") {
        reportViolation(
          `workflow permissions '${args.name}': ` +
            `${current("defaultWorkflowPermissions", props.defaultWorkflowPermissions)}; set ` +
            `defaultWorkflowPermissions: "read" and grant more per workflow with 'permissions:'`,
        );
      }
      if (props.canApprovePullRequestReviews !== false) {
        reportViolation(
          `workflow permissions '${args.name}': ` +
            `${current("canApprovePullRequestReviews", props.canApprovePullRequestReviews)}; set ` +
            `canApprovePullRequestReviews: false so a workflow cannot approve its own pull request`,
        );
      }
    },
  },
);

// ---------------------------------------------------------------------------------------------
// GH-08: no long-lived Azure credential in GitHub

const SECRET_TYPES: readonly string[] = [
  GITHUB_TYPES.actionsSecret,
  GITHUB_TYPES.actionsEnvironmentSecret,
  GITHUB_TYPES.actionsOrganizationSecret,
];

/** Names of secrets that hold a client secret, certificate or password (upper-cased). */
const LONG_LIVED_CREDENTIAL_NAMES: readonly RegExp[] = [
  /^(AZURE|ARM)_CREDENTIALS$/,
  /(^|_)CLIENT_SECRET$/,
  /^(AZURE|ARM)_CLIENT_CERTIFICATE/,
  /(^|_)PASSWORD$/,
];

function isLongLivedCredentialName(name: string): boolean {
  const upper = name.toUpperCase();
  return LONG_LIVED_CREDENTIAL_NAMES.some((pattern) => pattern.test(upper));
}

function validateSecretName(args: ResourceValidationArgs, reportViolation: ReportViolation): void {
  if (!SECRET_TYPES.includes(args.type)) return;
  const secretName = args.props.secretName as unknown;
  if (typeof secretName !== "string" || !isLongLivedCredentialName(secretName)) return;
  reportViolation(
    `Actions secret '${args.name}' (secretName ${secretName}) holds a long-lived Azure credential; ` +
      `delete it and sign in with OIDC: azure/login with client-id, tenant-id and subscription-id ` +
      `(Actions variables) and a federated identity credential for the workflow`,
  );
}

const gh08 = resourcePolicy(
  {
    id: "GH-08",
    seed: "6,12",
    level: "M",
    rule:
      "ActionsSecret / ActionsEnvironmentSecret / ActionsOrganizationSecret: no long-lived Azure " +
      "credential (AZURE_CLIENT_SECRET, AZURE_CREDENTIALS, *_PASSWORD, ...); GitHub reaches Azure through OIDC",
  },
  { resourceTypes: SECRET_TYPES, validateResource: validateSecretName },
);

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

const gh09 = resourcePolicy(
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

// ---------------------------------------------------------------------------------------------
// GH-10: Defender for DevOps watches the GitHub organization

/** CloudName "Github" in azure-native v3; Azure enums compare without case. */
const GITHUB_CLOUD_NAME = "Github";
const GITHUB_ENVIRONMENT_TYPE = "GithubScope";

/** Resources of the GitHub provider (`github:index/...`). */
function isGithubType(type: string): boolean {
  return type.startsWith("github:");
}

function isGithubConnector(connector: PolicyResource): boolean {
  return equalsIgnoringCase(connector.props.environmentName, GITHUB_CLOUD_NAME);
}

const gh10 = stackPolicy(
  {
    id: "GH-10",
    seed: "12",
    level: "P",
    rule: "Stack: a Defender for DevOps GitHub connector (security:SecurityConnector, environment GitHub) exists",
  },
  {
    resourceTypes: [GITHUB_TYPES.securityConnector],
    // The connector watches the GitHub organization the stack manages: a stack without GitHub
    // resources has nothing for it to watch (an Azure-only program named prod must not fail).
    appliesToStacksWith: isGithubType,
    validateStack: (args, reportViolation) => {
      const connectors = ofType(args.resources, GITHUB_TYPES.securityConnector).filter(
        isGithubConnector,
      );
      if (connectors.length === 0) {
        reportViolation(
          `the stack has no Defender for DevOps GitHub connector; add an azure-native ` +
            `security.SecurityConnector with environmentName: "${GITHUB_CLOUD_NAME}" and environmentData: ` +
            `{ environmentType: "${GITHUB_ENVIRONMENT_TYPE}" }`,
        );
      }
      for (const connector of connectors) {
        const environmentType = objectAt(connector.props.environmentData)?.environmentType;
        if (environmentType === GITHUB_ENVIRONMENT_TYPE) continue;
        reportViolation(
          `security connector '${connector.name}': ` +
            `${current("environmentData.environmentType", environmentType)}; set environmentData: ` +
            `{ environmentType: "${GITHUB_ENVIRONMENT_TYPE}" } for a GitHub connector`,
          connector.urn,
        );
      }
    },
  },
);

export const githubPolicies: ControlPolicy[] = [
  gh01,
  gh02,
  gh03,
  gh04,
  gh05,
  gh06,
  gh07,
  gh08,
  gh09,
  gh10,
];

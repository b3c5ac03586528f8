import { describe, expect, it } from "vitest";
import {
  CODE_SECURITY_CONFIGURATION_KIND as INFRA_KIND,
  SECURE_FEATURES,
} from "../../../infra/github/code-security";
import { CODE_SECURITY_CONFIGURATION_KIND } from "../../../policy-pack/policies/gh/organization";
import {
  expectCantRun,
  expectMandatoryWhenConfigured,
  setPath,
} from "../../support/policy-fixtures";
import {
  analyze,
  testResource,
  UNKNOWN,
  violationsOf,
  type Links,
  type TestResource,
  type Violation,
} from "../../support/policy-harness";

/**
 * GH-01..GH-10 through the pack's analyzer service: a compliant GitHub organization (settings, a
 * team from an Entra ID group, a repository with its ruleset and production environment, Actions
 * settings, the OIDC credential and the Defender connector), then one change per failure mode.
 */

type Inputs = Record<string, unknown>;

const T = {
  organizationSettings: "github:index/organizationSettings:OrganizationSettings",
  team: "github:index/team:Team",
  teamSyncGroupMapping: "github:index/teamSyncGroupMapping:TeamSyncGroupMapping",
  repository: "github:index/repository:Repository",
  repositoryVulnerabilityAlerts:
    "github:index/repositoryVulnerabilityAlerts:RepositoryVulnerabilityAlerts",
  branchDefault: "github:index/branchDefault:BranchDefault",
  repositoryRuleset: "github:index/repositoryRuleset:RepositoryRuleset",
  branchProtection: "github:index/branchProtection:BranchProtection",
  repositoryEnvironment: "github:index/repositoryEnvironment:RepositoryEnvironment",
  workflowPermissions:
    "github:index/actionsOrganizationWorkflowPermissions:ActionsOrganizationWorkflowPermissions",
  actionsSecret: "github:index/actionsSecret:ActionsSecret",
  actionsEnvironmentSecret: "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret",
  actionsOrganizationSecret: "github:index/actionsOrganizationSecret:ActionsOrganizationSecret",
  federatedIdentityCredential: "azure-native:managedidentity:FederatedIdentityCredential",
  securityConnector: "azure-native:security:SecurityConnector",
  dynamic: "pulumi-nodejs:dynamic:Resource",
} as const;

const REPOSITORY_NAME = "aks-app";
const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";

/** A copy of `inputs` with the dotted `path` set to `value` (removed when `value` is undefined). */
function changed(inputs: Inputs, path: string, value: unknown): Inputs {
  const copy = structuredClone(inputs);
  setPath(copy, path, value);
  return copy;
}

// --- compliant fixtures ------------------------------------------------------------------------

const organizationSettingsInputs = (): Inputs => ({
  billingEmail: "platform@contoso.example",
  name: "contoso",
  defaultRepositoryPermission: "read",
  membersCanCreatePublicRepositories: false,
});

/** The default code security configuration, as infra/github/code-security.ts declares it. */
const codeSecurityInputs = (): Inputs => ({
  kind: CODE_SECURITY_CONFIGURATION_KIND,
  organization: "contoso",
  name: "platform-default",
  description: "all on",
  features: { ...SECURE_FEATURES },
  defaultForNewRepos: "all",
});

const codeSecurity = (inputs: Inputs = codeSecurityInputs()) =>
  testResource(T.dynamic, "contoso-code-security", inputs);

const team = (inputs: Inputs = { name: "Platform Admins", privacy: "closed" }) =>
  testResource(T.team, "platform-admins", inputs);

const mappingInputs = (): Inputs => ({
  groups: [
    {
      groupId: "6f2c1a57-3d1e-4c55-9a57-2b7d0c0e4a11",
      groupName: "sg-github-platform-admins",
      groupDescription: "Platform administrators",
    },
  ],
});

const teamMapping = (
  inputs: Inputs = mappingInputs(),
  links: Links = linkedTo("teamSlug", team()),
) => testResource(T.teamSyncGroupMapping, "platform-admins-sync", inputs, links);

const repositoryInputs = (): Inputs => ({
  name: REPOSITORY_NAME,
  visibility: "private",
  vulnerabilityAlerts: true,
  securityAndAnalysis: {
    advancedSecurity: { status: "enabled" },
    secretScanning: { status: "enabled" },
    secretScanningPushProtection: { status: "enabled" },
  },
});

const repository = (inputs: Inputs = repositoryInputs()) =>
  testResource(T.repository, "app-repo", inputs);

function linkedTo(key: string, target: TestResource): Links {
  return { dependsOn: { [key]: [target] } };
}

const rulesetInputs = (): Inputs => ({
  name: "protect-default-branch",
  repository: REPOSITORY_NAME,
  target: "branch",
  enforcement: "active",
  conditions: { refName: { includes: ["~DEFAULT_BRANCH"], excludes: [] } },
  rules: {
    pullRequest: { requiredApprovingReviewCount: 1, dismissStaleReviewsOnPush: true },
    requiredStatusChecks: { requiredChecks: [{ context: "build" }] },
    nonFastForward: true,
    deletion: true,
  },
});

const ruleset = (
  inputs: Inputs = rulesetInputs(),
  links: Links = linkedTo("repository", repository()),
  name = "app-default-branch",
) => testResource(T.repositoryRuleset, name, inputs, links);

const branchProtectionInputs = (): Inputs => ({
  pattern: "main",
  repositoryId: REPOSITORY_NAME,
  requiredPullRequestReviews: [{ requiredApprovingReviewCount: 1, dismissStaleReviews: true }],
  requiredStatusChecks: [{ contexts: ["build"], strict: true }],
  allowsForcePushes: false,
  allowsDeletions: false,
});

const branchProtection = (inputs: Inputs = branchProtectionInputs()) =>
  testResource(T.branchProtection, "app-main", inputs, linkedTo("repositoryId", repository()));

const environmentInputs = (): Inputs => ({
  environment: "production",
  repository: REPOSITORY_NAME,
  reviewers: [{ teams: [4711] }],
  preventSelfReview: true,
  deploymentBranchPolicy: { protectedBranches: true, customBranchPolicies: false },
});

const environment = (inputs: Inputs = environmentInputs()) =>
  testResource(
    T.repositoryEnvironment,
    "app-production",
    inputs,
    linkedTo("repository", repository()),
  );

const workflowPermissionsInputs = (): Inputs => ({
  organizationSlug: "contoso",
  defaultWorkflowPermissions: "read",
  canApprovePullRequestReviews: false,
});

const githubCredentialInputs = (): Inputs => ({
  resourceGroupName: "rg-platform-dev",
  resourceName: "id-github-deploy",
  issuer: GITHUB_ISSUER,
  audiences: ["api://AzureADTokenExchange"],
  subject: `repo:contoso/${REPOSITORY_NAME}:environment:production`,
});

const githubCredential = (inputs: Inputs = githubCredentialInputs()) =>
  testResource(T.federatedIdentityCredential, "github-deploy", inputs);

const connectorInputs = (): Inputs => ({
  resourceGroupName: "rg-platform-dev",
  environmentName: "Github",
  environmentData: { environmentType: "GithubScope" },
  hierarchyIdentifier: "contoso",
  offerings: [{ offeringType: "CspmMonitorGithub" }],
});

const connector = (inputs: Inputs = connectorInputs()) =>
  testResource(T.securityConnector, "defender-devops-github", inputs);

function compliantStack(): TestResource[] {
  return [
    testResource(T.organizationSettings, "contoso", organizationSettingsInputs()),
    codeSecurity(),
    team(),
    teamMapping(),
    repository(),
    ruleset(),
    environment(),
    testResource(T.workflowPermissions, "contoso-workflows", workflowPermissionsInputs()),
    testResource(T.actionsSecret, "slack-webhook", {
      repository: REPOSITORY_NAME,
      secretName: "SLACK_WEBHOOK_URL",
      plaintextValue: "x",
    }),
    githubCredential(),
    connector(),
  ];
}

/** The compliant stack with resources swapped in (same urn) or added. */
function stackWith(...resources: TestResource[]): TestResource[] {
  const byUrn = new Map(compliantStack().map((resource) => [resource.urn, resource]));
  for (const resource of resources) byUrn.set(resource.urn, resource);
  return [...byUrn.values()];
}

function stackWithout(...types: string[]): TestResource[] {
  return compliantStack().filter((resource) => !types.includes(resource.type));
}

async function violationsOfPolicy(
  policy: string,
  resources: TestResource[],
  options?: Parameters<typeof analyze>[1],
): Promise<Violation[]> {
  return violationsOf(await analyze(resources, options), policy);
}

async function expectOneViolation(
  policy: string,
  resources: TestResource[],
  message: string,
  level = "mandatory",
): Promise<Violation> {
  const found = await violationsOfPolicy(policy, resources);
  expect(found, JSON.stringify(found, null, 2)).toHaveLength(1);
  expect(found[0].enforcementLevel).toBe(level);
  expect(found[0].message).toContain(message);
  return found[0];
}

// --- tests -------------------------------------------------------------------------------------

describe("the compliant GitHub organization", () => {
  it("passes every GitHub policy", async () => {
    const violations = await analyze(compliantStack());
    expect(violations.filter((violation) => violation.policy.startsWith("gh-"))).toEqual([]);
  });
});

describe("GH-01 organization base permissions", () => {
  it('accepts defaultRepositoryPermission "none"', async () => {
    const settings = changed(organizationSettingsInputs(), "defaultRepositoryPermission", "none");
    const found = await violationsOfPolicy("gh-01", [
      testResource(T.organizationSettings, "contoso", settings),
    ]);
    expect(found).toEqual([]);
  });

  it.each([
    ["defaultRepositoryPermission", "write", 'defaultRepositoryPermission is "write"'],
    ["defaultRepositoryPermission", undefined, "defaultRepositoryPermission is not set"],
    ["membersCanCreatePublicRepositories", true, "set membersCanCreatePublicRepositories: false"],
    [
      "membersCanCreatePublicRepositories",
      undefined,
      "membersCanCreatePublicRepositories is not set",
    ],
  ])("flags %s = %j", async (path, value, message) => {
    const settings = testResource(
      T.organizationSettings,
      "contoso",
      changed(organizationSettingsInputs(), path, value),
    );
    const violation = await expectOneViolation("gh-01", [settings], message);
    expect(violation.message).toContain("organization settings 'contoso'");
    expect(violation.urn).toBe(settings.urn);
  });
});

describe("GH-02 the default code security configuration for new repositories", () => {
  it("names the same kind as the stack's resource", () => {
    expect(CODE_SECURITY_CONFIGURATION_KIND).toBe(INFRA_KIND);
  });

  it.each([
    ["advanced_security", "disabled"],
    ["secret_scanning", "disabled"],
    ["secret_scanning_push_protection", undefined],
    ["dependency_graph", "disabled"],
    ["dependabot_alerts", "disabled"],
    ["dependabot_security_updates", "disabled"],
  ])("flags features.%s = %j, on the configuration", async (feature, value) => {
    const weak = codeSecurity(changed(codeSecurityInputs(), `features.${feature}`, value));
    const violation = await expectOneViolation(
      "gh-02",
      stackWith(weak),
      `features.${feature} is ${value === undefined ? "not set" : JSON.stringify(value)}`,
    );
    expect(violation.urn).toBe(weak.urn);
  });

  it("flags an organisation whose configuration is not the default for new repositories", async () => {
    const notDefault = codeSecurity(changed(codeSecurityInputs(), "defaultForNewRepos", "none"));
    await expectOneViolation(
      "gh-02",
      stackWith(notDefault),
      "no code security configuration is the default for new repositories",
    );
  });

  // GitHub removed these fields on 2026-04-21: they are no evidence any more.
  it("does not accept the removed *_for_new_repositories fields instead", async () => {
    const settings = testResource(T.organizationSettings, "contoso", {
      ...organizationSettingsInputs(),
      advancedSecurityEnabledForNewRepositories: true,
      secretScanningEnabledForNewRepositories: true,
      secretScanningPushProtectionEnabledForNewRepositories: true,
      dependencyGraphEnabledForNewRepositories: true,
      dependabotAlertsEnabledForNewRepositories: true,
      dependabotSecurityUpdatesEnabledForNewRepositories: true,
    });
    const resources = stackWith(settings).filter((resource) => resource.type !== T.dynamic);
    await expectOneViolation("gh-02", resources, "were removed from GitHub's API on 2026-04-21");
  });
});

describe("GH-03 teams synced from Entra ID", () => {
  it("accepts a mapping whose plain teamSlug is the team's slug", async () => {
    const byName = teamMapping(changed(mappingInputs(), "teamSlug", "platform-admins"), {});
    expect(await violationsOfPolicy("gh-03", stackWith(byName))).toEqual([]);
  });

  it("flags a team without a mapping, on the team", async () => {
    const violation = await expectOneViolation(
      "gh-03",
      stackWithout(T.teamSyncGroupMapping),
      "team 'platform-admins' has no TeamSyncGroupMapping",
    );
    expect(violation.urn).toBe(team().urn);
  });

  it("flags a mapping of another team's slug", async () => {
    const other = teamMapping(changed(mappingInputs(), "teamSlug", "developers"), {});
    await expectOneViolation("gh-03", stackWith(other), "has no TeamSyncGroupMapping");
  });

  it.each([
    ["groups", []],
    ["groups.0.groupId", ""],
  ])("flags a mapping with %s = %j, on the mapping", async (path, value) => {
    const mapping = teamMapping(changed(mappingInputs(), path, value));
    const violation = await expectOneViolation(
      "gh-03",
      stackWith(mapping),
      "names no Entra ID group",
    );
    expect(violation.urn).toBe(mapping.urn);
  });
});

describe("GH-04 repository security", () => {
  it.each([
    ["visibility", "internal"],
    ["vulnerabilityAlerts", undefined, "and a RepositoryVulnerabilityAlerts"],
  ])("accepts %s = %j", async (path, value, withAlerts?: string) => {
    const extra = withAlerts
      ? [
          testResource(
            T.repositoryVulnerabilityAlerts,
            "app-alerts",
            { repository: REPOSITORY_NAME, enabled: true },
            linkedTo("repository", repository()),
          ),
        ]
      : [];
    const resources = stackWith(repository(changed(repositoryInputs(), path, value)), ...extra);
    expect(await violationsOfPolicy("gh-04", resources)).toEqual([]);
  });

  it.each([
    ["visibility", "public", 'visibility is "public"'],
    ["visibility", undefined, "visibility is not set"],
    [
      "securityAndAnalysis.advancedSecurity.status",
      "disabled",
      "securityAndAnalysis.advancedSecurity",
    ],
    [
      "securityAndAnalysis.secretScanning",
      undefined,
      "securityAndAnalysis.secretScanning.status is not set",
    ],
    [
      "securityAndAnalysis.secretScanningPushProtection.status",
      "disabled",
      "set securityAndAnalysis.secretScanningPushProtection",
    ],
    ["vulnerabilityAlerts", false, "add a github.RepositoryVulnerabilityAlerts with enabled: true"],
    ["vulnerabilityAlerts", undefined, "vulnerabilityAlerts is not set"],
  ])("flags %s = %j", async (path, value, message) => {
    const violation = await expectOneViolation(
      "gh-04",
      stackWith(repository(changed(repositoryInputs(), path, value))),
      message,
    );
    expect(violation.message).toContain("repository 'app-repo'");
    expect(violation.urn).toBe(repository().urn);
  });

  it("flags three problems when securityAndAnalysis is missing", async () => {
    const bare = repository(changed(repositoryInputs(), "securityAndAnalysis", undefined));
    const found = await violationsOfPolicy("gh-04", stackWith(bare));
    expect(found.map((violation) => violation.message)).toEqual([
      expect.stringContaining("advancedSecurity"),
      expect.stringContaining("secretScanning.status"),
      expect.stringContaining("secretScanningPushProtection"),
    ]);
  });

  it("flags a RepositoryVulnerabilityAlerts with enabled: false", async () => {
    const alerts = testResource(
      T.repositoryVulnerabilityAlerts,
      "app-alerts",
      { repository: REPOSITORY_NAME, enabled: false },
      linkedTo("repository", repository()),
    );
    const withoutFlag = repository(changed(repositoryInputs(), "vulnerabilityAlerts", undefined));
    await expectOneViolation("gh-04", stackWith(withoutFlag, alerts), "vulnerabilityAlerts");
  });
});

describe("GH-05 default branch protection", () => {
  it.each([
    ["conditions.refName.includes", ["refs/heads/main"]],
    ["conditions.refName.includes", ["~ALL"]],
    ["conditions.refName.includes", ["refs/heads/*"]],
    ["repository", REPOSITORY_NAME, "by plain name"],
  ])("accepts %s = %j", async (path, value, plain?: string) => {
    const links = plain ? {} : linkedTo("repository", repository());
    const resources = stackWith(ruleset(changed(rulesetInputs(), path, value), links));
    expect(await violationsOfPolicy("gh-05", resources)).toEqual([]);
  });

  it.each([
    ["rules.pullRequest.requiredApprovingReviewCount", 0, "requires 0 approving reviews"],
    ["rules.pullRequest", undefined, "does not require a pull request"],
    ["rules.pullRequest.dismissStaleReviewsOnPush", false, "dismissStaleReviewsOnPush: true"],
    ["rules.requiredStatusChecks.requiredChecks", [], "requires no status checks"],
    ["rules.nonFastForward", false, "set rules.nonFastForward: true"],
    ["rules.nonFastForward", undefined, "does not block force pushes"],
    ["rules.deletion", false, "set rules.deletion: true"],
  ])("flags %s = %j", async (path, value, message) => {
    const violation = await expectOneViolation(
      "gh-05",
      stackWith(ruleset(changed(rulesetInputs(), path, value))),
      message,
    );
    expect(violation.message).toContain("repository 'app-repo' default branch 'main'");
    expect(violation.urn).toBe(repository().urn);
  });

  it.each([
    ["target", "tag"],
    ["conditions.refName.includes", ["refs/heads/develop"]],
    ["conditions.refName.excludes", ["~DEFAULT_BRANCH"]],
    ["repository", "another-repo", "by plain name"],
  ])("flags a ruleset that does not cover it: %s = %j", async (path, value, plain?: string) => {
    const links = plain ? {} : linkedTo("repository", repository());
    const resources = stackWith(ruleset(changed(rulesetInputs(), path, value), links));
    await expectOneViolation("gh-05", resources, "default branch 'main' is not protected");
  });

  it("flags a missing ruleset", async () => {
    await expectOneViolation(
      "gh-05",
      stackWithout(T.repositoryRuleset),
      'add a github.RepositoryRuleset with target: "branch"',
    );
  });

  it("flags a ruleset that only evaluates, on the ruleset, and the branch as unprotected", async () => {
    const evaluating = ruleset(changed(rulesetInputs(), "enforcement", "evaluate"));
    const found = await violationsOfPolicy("gh-05", stackWith(evaluating));
    expect(found).toEqual([
      expect.objectContaining({
        urn: evaluating.urn,
        message: expect.stringContaining('enforcement is "evaluate"; set enforcement: "active"'),
      }),
      expect.objectContaining({
        urn: repository().urn,
        message: expect.stringContaining("is not protected"),
      }),
    ]);
  });

  it("follows a BranchDefault to the branch it names", async () => {
    const branchDefault = testResource(
      T.branchDefault,
      "app-default",
      { repository: REPOSITORY_NAME, branch: "trunk" },
      linkedTo("repository", repository()),
    );
    const onMain = ruleset(
      changed(rulesetInputs(), "conditions.refName.includes", ["refs/heads/main"]),
    );
    await expectOneViolation(
      "gh-05",
      stackWith(onMain, branchDefault),
      "default branch 'trunk' is not protected",
    );
    const onTrunk = ruleset(
      changed(rulesetInputs(), "conditions.refName.includes", ["refs/heads/trunk"]),
    );
    expect(await violationsOfPolicy("gh-05", stackWith(onTrunk, branchDefault))).toEqual([]);
  });

  it("combines the rules of every active ruleset on the branch", async () => {
    const pullRequests = ruleset(
      changed(rulesetInputs(), "rules", {
        pullRequest: { requiredApprovingReviewCount: 1, dismissStaleReviewsOnPush: true },
        requiredStatusChecks: { requiredChecks: [{ context: "build" }] },
      }),
    );
    const history = ruleset(
      changed(rulesetInputs(), "rules", { nonFastForward: true, deletion: true }),
      linkedTo("repository", repository()),
      "app-history",
    );
    expect(await violationsOfPolicy("gh-05", stackWith(pullRequests, history))).toEqual([]);
    const alone = await violationsOfPolicy("gh-05", stackWith(pullRequests));
    expect(alone.map((violation) => violation.message)).toEqual([
      expect.stringContaining("does not block force pushes"),
      expect.stringContaining("does not block deletion"),
    ]);
  });

  describe("with a BranchProtection instead of a ruleset", () => {
    const protectedStack = (inputs: Inputs) => [
      ...stackWithout(T.repositoryRuleset),
      branchProtection(inputs),
    ];

    it("accepts a compliant one", async () => {
      expect(await violationsOfPolicy("gh-05", protectedStack(branchProtectionInputs()))).toEqual(
        [],
      );
    });

    it.each([
      ["requiredPullRequestReviews", [], "does not require a pull request"],
      [
        "requiredPullRequestReviews.0.requiredApprovingReviewCount",
        0,
        "requires 0 approving reviews",
      ],
      ["requiredPullRequestReviews.0.dismissStaleReviews", false, "does not dismiss stale reviews"],
      ["requiredStatusChecks.0.contexts", [], "requires no status checks"],
      ["allowsForcePushes", true, "does not block force pushes"],
      ["allowsDeletions", undefined, "does not block deletion"],
      ["pattern", "release/*", "is not protected"],
    ])("flags %s = %j", async (path, value, message) => {
      await expectOneViolation(
        "gh-05",
        protectedStack(changed(branchProtectionInputs(), path, value)),
        message,
      );
    });
  });

  describe("approvals threshold (config minApprovals)", () => {
    const withApprovals = (count: number) =>
      stackWith(
        ruleset(changed(rulesetInputs(), "rules.pullRequest.requiredApprovingReviewCount", count)),
      );

    it("needs 1 approval by default", async () => {
      expect(await violationsOfPolicy("gh-05", withApprovals(1))).toEqual([]);
    });

    it("needs as many approvals as minApprovals says", async () => {
      const policyConfig = { "gh-05": { minApprovals: 2 } };
      const found = await violationsOfPolicy("gh-05", withApprovals(1), { policyConfig });
      expect(found).toHaveLength(1);
      expect(found[0].message).toContain("requires 1 approving reviews, at least 2 needed");
      expect(found[0].message).toContain("requiredApprovingReviewCount: 2");
      expect(await violationsOfPolicy("gh-05", withApprovals(2), { policyConfig })).toEqual([]);
    });
  });
});

describe("GH-06 production environment", () => {
  it("flags a repository without a production environment, on the repository", async () => {
    const staging = environment(changed(environmentInputs(), "environment", "staging"));
    for (const resources of [stackWithout(T.repositoryEnvironment), stackWith(staging)]) {
      const violation = await expectOneViolation(
        "gh-06",
        resources,
        `repository 'app-repo' has no RepositoryEnvironment "production"`,
      );
      expect(violation.urn).toBe(repository().urn);
    }
  });

  it.each([
    ["reviewers", [], "has no reviewers"],
    ["reviewers.0.teams", [], "has no reviewers"],
    ["preventSelfReview", false, "set preventSelfReview: true"],
    ["preventSelfReview", undefined, "preventSelfReview is not set"],
    [
      "deploymentBranchPolicy.protectedBranches",
      false,
      "deploymentBranchPolicy.protectedBranches is false",
    ],
    ["deploymentBranchPolicy", undefined, "deploymentBranchPolicy.protectedBranches is not set"],
  ])("flags %s = %j, on the environment", async (path, value, message) => {
    const changedEnvironment = environment(changed(environmentInputs(), path, value));
    const violation = await expectOneViolation("gh-06", stackWith(changedEnvironment), message);
    expect(violation.message).toContain("environment 'app-production'");
    expect(violation.urn).toBe(changedEnvironment.urn);
  });

  it("accepts user reviewers", async () => {
    const users = environment(changed(environmentInputs(), "reviewers", [{ users: [1234] }]));
    expect(await violationsOfPolicy("gh-06", stackWith(users))).toEqual([]);
  });
});

describe("GH-07 workflow token permissions", () => {
  it.each([
    ["defaultWorkflowPermissions", "write", 'defaultWorkflowPermissions is "write"'],
    ["defaultWorkflowPermissions", undefined, "defaultWorkflowPermissions is not set"],
    ["canApprovePullRequestReviews", true, "set canApprovePullRequestReviews: false"],
    ["canApprovePullRequestReviews", undefined, "canApprovePullRequestReviews is not set"],
  ])("flags %s = %j (advisory)", async (path, value, message) => {
    const permissions = testResource(
      T.workflowPermissions,
      "contoso-workflows",
      changed(workflowPermissionsInputs(), path, value),
    );
    await expectOneViolation("gh-07", [permissions], message, "advisory");
  });
});

describe("GH-08 long-lived Azure credentials in GitHub", () => {
  const secrets = (secretName: string) => [
    testResource(T.actionsSecret, "repo-secret", { repository: REPOSITORY_NAME, secretName }),
    testResource(T.actionsEnvironmentSecret, "env-secret", {
      repository: REPOSITORY_NAME,
      environment: "production",
      secretName,
    }),
    testResource(T.actionsOrganizationSecret, "org-secret", { visibility: "private", secretName }),
  ];

  it.each(["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID", "SLACK_WEBHOOK_URL"])(
    "accepts %s",
    async (secretName) => {
      expect(await violationsOfPolicy("gh-08", secrets(secretName))).toEqual([]);
    },
  );

  it.each([
    "AZURE_CLIENT_SECRET",
    "AZURE_CREDENTIALS",
    "ARM_CLIENT_SECRET",
    "azure_client_secret",
    "SP_CLIENT_SECRET",
    "ACR_PASSWORD",
    "ARM_CLIENT_CERTIFICATE_PASSWORD",
  ])("flags %s in repository, environment and organization secrets", async (secretName) => {
    const resources = secrets(secretName);
    const found = await violationsOfPolicy("gh-08", resources);
    expect(found.map((violation) => violation.urn)).toEqual(resources.map((secret) => secret.urn));
    for (const violation of found) {
      expect(violation.enforcementLevel).toBe("mandatory");
      expect(violation.message).toContain(
        `(secretName ${secretName}) holds a long-lived Azure credential`,
      );
      expect(violation.message).toContain("OIDC");
    }
  });
});

describe("GH-09 GitHub's federated identity credential", () => {
  it("accepts a subject naming a branch", async () => {
    const onMain = changed(
      githubCredentialInputs(),
      "subject",
      "repo:contoso/aks-app:ref:refs/heads/main",
    );
    expect(await violationsOfPolicy("gh-09", [githubCredential(onMain)])).toEqual([]);
  });

  it("leaves other issuers (AKS workload identity) alone", async () => {
    const workload = testResource(T.federatedIdentityCredential, "app-workload", {
      resourceGroupName: "rg-platform-dev",
      resourceName: "id-app",
      issuer: "https://westeurope.oic.prod-aks.azure.com/tenant/cluster/",
      audiences: ["api://AzureADTokenExchange"],
      subject: "system:serviceaccount:items:items-api",
    });
    expect(await violationsOfPolicy("gh-09", [workload])).toEqual([]);
  });

  it.each([
    ["issuer", `${GITHUB_ISSUER}/`, `set issuer: "${GITHUB_ISSUER}" exactly`],
    ["issuer", "https://sts.example.com", 'issuer is "https://sts.example.com"'],
    ["audiences", ["api://other"], 'set audiences: ["api://AzureADTokenExchange"]'],
    ["audiences", ["api://AzureADTokenExchange", "api://other"], "set audiences"],
    ["subject", "repo:contoso/*:environment:production", "has a wildcard"],
    ["subject", "repo:contoso/aks-app:ref:refs/heads/*", "has a wildcard"],
    ["subject", "repo:contoso/aks-app:pull_request", "does not name one repository"],
    ["subject", "repo:contoso/aks-app", "does not name one repository"],
  ])("flags %s = %j", async (path, value, message) => {
    const credential = githubCredential(changed(githubCredentialInputs(), path, value));
    const violation = await expectOneViolation("gh-09", [credential], message);
    expect(violation.message).toContain("GitHub federated credential 'github-deploy'");
  });

  it("does not pass a credential whose issuer is unknown at preview", async () => {
    const unknownIssuer = githubCredential(changed(githubCredentialInputs(), "issuer", UNKNOWN));
    await expectCantRun([unknownIssuer], "gh-09", /can't run policy 'gh-09'/);
  });
});

describe("GH-10 Defender for DevOps GitHub connector", () => {
  it('accepts environmentName "GitHub" in any case', async () => {
    const connectorCased = connector(changed(connectorInputs(), "environmentName", "GitHub"));
    expect(await violationsOfPolicy("gh-10", stackWith(connectorCased))).toEqual([]);
  });

  it.each([
    ["no connector", stackWithout(T.securityConnector)],
    [
      "only an Azure connector",
      stackWith(connector(changed(connectorInputs(), "environmentName", "Azure"))),
    ],
  ])("flags a stack with %s (advisory by default)", async (_case, resources) => {
    await expectOneViolation(
      "gh-10",
      resources,
      "the stack has no Defender for DevOps GitHub connector",
      "advisory",
    );
  });

  it("flags a GitHub connector without GitHub environment data, on the connector", async () => {
    const bare = connector(changed(connectorInputs(), "environmentData", undefined));
    const violation = await expectOneViolation(
      "gh-10",
      stackWith(bare),
      'set environmentData: { environmentType: "GithubScope" }',
      "advisory",
    );
    expect(violation.urn).toBe(bare.urn);
  });

  it("is mandatory where the policy config says so (prod)", () =>
    expectMandatoryWhenConfigured(stackWithout(T.securityConnector), ["gh-10"]));
});

describe("unknown values at preview", () => {
  it("make a stack policy report that it can't run instead of passing", async () => {
    const unknownRule = ruleset(changed(rulesetInputs(), "rules.nonFastForward", UNKNOWN));
    await expectCantRun(stackWith(unknownRule), "gh-05", /can't run policy 'gh-05'/);
  });

  it("do not stop a link made through an output", async () => {
    const unknownRepository = ruleset(changed(rulesetInputs(), "repository", UNKNOWN));
    expect(await violationsOfPolicy("gh-05", stackWith(unknownRepository))).toEqual([]);
  });
});

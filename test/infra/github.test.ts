import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { BUILT_IN_ROLES } from "../../infra/azure/roles";
import { parsePlatformConfig } from "../../infra/config";
import {
  CODE_SECURITY_CONFIGURATION_KIND,
  ORGANIZATION_RESTRICTIONS_KIND,
  SECURE_FEATURES,
} from "../../infra/github/code-security";
import {
  organizationSettingsOptions,
  REMOVED_NEW_REPOSITORY_FIELDS,
} from "../../infra/github/organization";
import {
  ADVANCED_SECURITY_VARIABLE,
  adoptionOptions,
  codeOwnersFile,
  defaultBranchRules,
  dependabotFile,
} from "../../infra/github/repository";
import {
  MISSING_TOKEN_MESSAGE,
  MissingGitHubTokenError,
  resolveGitHubToken,
} from "../../infra/github/provider";
import { loadProjectStack, OFFLINE_SECRET_PLACEHOLDER, PROJECT_ROOT } from "../../tools/engine";
import { MOCK_TENANT_ID } from "../../tools/engine/mocks";
import type { ResourceRecord } from "../../tools/engine";
import { isWireSecret } from "../../tools/secrets";
import {
  byName,
  inputsOf,
  onlyInputs,
  recordedStack,
  resourcesOfType,
  STACKS,
  type StackName,
} from "../support/stacks";

const T = (file: string, kind: string) => `github:index/${file}:${kind}`;
const ORGANIZATION_SETTINGS = T("organizationSettings", "OrganizationSettings");
const TEAM = T("team", "Team");
const TEAM_SYNC = T("teamSyncGroupMapping", "TeamSyncGroupMapping");
const REPOSITORY = T("repository", "Repository");
const RULESET = T("repositoryRuleset", "RepositoryRuleset");
const ENVIRONMENT = T("repositoryEnvironment", "RepositoryEnvironment");
const ENVIRONMENT_VARIABLE = T("actionsEnvironmentVariable", "ActionsEnvironmentVariable");
const FEDERATED_CREDENTIAL = "azure-native:managedidentity:FederatedIdentityCredential";
const ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment";
const CONNECTOR = "azure-native:security:SecurityConnector";

/** The stack's GitHub config, parsed the way the program parses it. */
const githubConfig = (stack: StackName) => {
  const config = parsePlatformConfig(loadProjectStack(PROJECT_ROOT, stack).config).github;
  if (!config) throw new Error(`${stack} has no github config`);
  return config;
};
/** The config of the stack that owns the organisation (prod). */
const ownerConfig = () => {
  const config = githubConfig("prod");
  if (!config.ownsOrganization) throw new Error("prod does not own the organization");
  return config;
};

/** The repository environment of that name. */
function environmentNamed(stack: StackName, name: string): ResourceRecord {
  const found = resourcesOfType(stack, ENVIRONMENT).filter((e) => inputsOf(e).environment === name);
  if (found.length !== 1) throw new Error(`${stack}: ${found.length} environments named ${name}`);
  return found[0];
}

/** Inputs of the dynamic resources (REST API) of one kind. */
const dynamicOfKind = (stack: StackName, kind: string) =>
  resourcesOfType(stack, "pulumi-nodejs:dynamic:Resource")
    .map(inputsOf)
    .filter((inputs) => inputs.kind === kind);

const githubResources = (stack: StackName) =>
  recordedStack(stack).resources.filter((resource) => resource.type.startsWith("github:"));

/** The resource whose URN a property of `resource` depends on, of the given type. */
function referenced(stack: StackName, resource: ResourceRecord, property: string, type: string) {
  const urns = resource.propertyDependencies[property] ?? [];
  return recordedStack(stack).resources.filter((r) => r.type === type && urns.includes(r.urn));
}

/** Role names (keys of BUILT_IN_ROLES) assigned to a principal, with their scopes. */
function grantsOf(stack: StackName, principalUrn: string): { role: string; scope: string }[] {
  const roleNames = Object.fromEntries(Object.entries(BUILT_IN_ROLES).map(([k, v]) => [v, k]));
  return resourcesOfType(stack, ROLE_ASSIGNMENT)
    .filter((assignment) => assignment.propertyDependencies.principalId?.includes(principalUrn))
    .map(inputsOf)
    .map(({ roleDefinitionId, scope }) => ({
      role: roleNames[roleDefinitionId.split("/").pop()],
      scope,
    }))
    .sort((a, b) => a.role.localeCompare(b.role));
}

describe("GitHub organisation (prod owns it)", () => {
  it("contains every GitHub and supply-chain type the issue asks for", () => {
    const types = new Set(recordedStack("prod").resources.map((resource) => resource.type));
    for (const type of [
      ORGANIZATION_SETTINGS,
      TEAM,
      TEAM_SYNC,
      REPOSITORY,
      RULESET,
      ENVIRONMENT,
      T("actionsVariable", "ActionsVariable"),
      FEDERATED_CREDENTIAL,
      CONNECTOR,
      "kubernetes:helm.sh/v3:Release",
    ]) {
      expect(types, type).toContain(type);
    }
  });

  it("defaults members to read, forbids public repositories, turns security on for new repos", () => {
    const settings = onlyInputs("prod", ORGANIZATION_SETTINGS);
    expect(settings.defaultRepositoryPermission).toBe("read");
    expect(settings.membersCanCreatePublicRepositories).toBe(false);
    expect(settings.billingEmail).toBe(githubConfig("prod").billingEmail);
    // Removed from GitHub's API on 2026-04-21: never sent, their read-back false ignored.
    for (const field of REMOVED_NEW_REPOSITORY_FIELDS) {
      expect(settings[field], field).toBeUndefined();
    }
  });

  // Issue 15, item 10: the replacement is a code security configuration, default for new repos.
  it("makes an enforced code security configuration the default for new repositories", () => {
    const [configuration] = dynamicOfKind("prod", CODE_SECURITY_CONFIGURATION_KIND);
    expect(configuration).toMatchObject({
      organization: githubConfig("prod").organization,
      features: SECURE_FEATURES,
      defaultForNewRepos: "all",
    });
    expect(Object.values(SECURE_FEATURES).every((v) => v === "enabled" || v === "enforced")).toBe(
      true,
    );
  });

  // Issue 15, item 11: the provider's create skips false values (d.GetOk).
  it("sends the organisation's false restrictions itself, from the first up", () => {
    const [restrictions] = dynamicOfKind("prod", ORGANIZATION_RESTRICTIONS_KIND);
    expect(restrictions.settings).toEqual({
      members_can_create_public_repositories: false,
      members_can_create_public_pages: false,
      members_can_fork_private_repositories: false,
    });
  });

  it("never lets a stack deletion reset the organisation (billing e-mail included)", () => {
    const [settings] = resourcesOfType("prod", ORGANIZATION_SETTINGS);
    expect(settings).toBeDefined();
    expect(organizationSettingsOptions({})).toMatchObject({ retainOnDelete: true });
  });

  it("gives workflows a read-only token that cannot approve, and only allowed, pinned actions", () => {
    const token = onlyInputs(
      "prod",
      T("actionsOrganizationWorkflowPermissions", "ActionsOrganizationWorkflowPermissions"),
    );
    expect(token).toMatchObject({
      organizationSlug: githubConfig("prod").organization,
      defaultWorkflowPermissions: "read",
      canApprovePullRequestReviews: false,
    });
    const actions = onlyInputs(
      "prod",
      T("actionsOrganizationPermissions", "ActionsOrganizationPermissions"),
    );
    expect(actions.allowedActions).toBe("selected");
    expect(actions.shaPinningRequired).toBe(true);
    expect(actions.allowedActionsConfig).toEqual({
      githubOwnedAllowed: true,
      verifiedAllowed: true,
      patternsAlloweds: githubConfig("prod").allowedActions,
    });
  });

  it("maps every team to its Entra ID group through the team's own slug", () => {
    const teams = resourcesOfType("prod", TEAM);
    const config = ownerConfig();
    expect(teams.map((team) => inputsOf(team).name).sort()).toEqual(
      Object.keys(config.teams).sort(),
    );
    const mappings = resourcesOfType("prod", TEAM_SYNC);
    for (const team of teams) {
      const mapping = mappings.filter((m) => m.propertyDependencies.teamSlug?.includes(team.urn));
      expect(mapping, team.name).toHaveLength(1);
      const slug = inputsOf(team).name;
      expect(inputsOf(mapping[0]).groups).toEqual([
        {
          groupId: config.teams[slug].entraGroupId,
          groupName: config.teams[slug].entraGroupName,
          // Entra ID's own description, which GitHub reads back (not the team's).
          groupDescription: config.teams[slug].entraGroupDescription,
        },
      ]);
    }
  });

  it("creates only private or internal repositories with Advanced Security and alerts on", () => {
    const repositories = resourcesOfType("prod", REPOSITORY).map(inputsOf);
    expect(repositories.map((r) => r.name)).toEqual(
      githubConfig("prod").repositories.map((r) => r.name),
    );
    for (const repository of repositories) {
      expect(["private", "internal"]).toContain(repository.visibility);
      // Deprecated in @pulumi/github 6.15: RepositoryVulnerabilityAlerts instead.
      expect(repository.vulnerabilityAlerts).toBeUndefined();
      expect(repository.allowMergeCommit).toBe(false);
      expect(repository.securityAndAnalysis).toEqual({
        advancedSecurity: { status: "enabled" },
        secretScanning: { status: "enabled" },
        secretScanningPushProtection: { status: "enabled" },
      });
    }
  });

  it("protects each repository's default branch with a ruleset built from config", () => {
    const config = githubConfig("prod");
    for (const repository of resourcesOfType("prod", REPOSITORY)) {
      const spec = config.repositories.find((r) => r.name === inputsOf(repository).name);
      const rulesets = resourcesOfType("prod", RULESET).filter((r) =>
        r.propertyDependencies.repository?.includes(repository.urn),
      );
      expect(rulesets, repository.name).toHaveLength(1);
      const ruleset = inputsOf(rulesets[0]);
      expect(ruleset.repository).toBe(spec?.name);
      expect(ruleset).toMatchObject({ target: "branch", enforcement: "active" });
      expect(ruleset.conditions.refName.includes).toContain("~DEFAULT_BRANCH");
      expect(ruleset.rules).toMatchObject({
        deletion: true,
        nonFastForward: true,
        requiredLinearHistory: true,
      });
      expect(ruleset.rules.pullRequest).toMatchObject({
        requiredApprovingReviewCount: spec?.requiredApprovals,
        dismissStaleReviewsOnPush: true,
        requireCodeOwnerReview: true,
      });
      expect(ruleset.rules.pullRequest.requiredApprovingReviewCount).toBeGreaterThanOrEqual(2);
      expect(ruleset.rules.requiredStatusChecks.requiredChecks).toEqual(
        spec?.requiredStatusChecks.map((context) => ({ context })),
      );
    }
  });

  it("commits CODEOWNERS and dependabot.yml before the ruleset protects the branch", () => {
    const config = githubConfig("prod");
    const files = resourcesOfType("prod", T("repositoryFile", "RepositoryFile"));
    const ruleset = resourcesOfType("prod", RULESET)[0];
    for (const file of files) expect(ruleset.dependencies).toContain(file.urn);
    const byPath = Object.fromEntries(files.map(inputsOf).map((f) => [f.file, f.content]));
    const owners = byPath[".github/CODEOWNERS"] as string;
    for (const [path, teams] of Object.entries(config.repositories[0].codeOwners)) {
      expect(owners).toContain(
        `${path} ${teams.map((team) => `@${config.organization}/${team}`).join(" ")}`,
      );
    }
    const dependabot = parseYaml(byPath[".github/dependabot.yml"] as string);
    expect(dependabot.version).toBe(2);
    expect(
      dependabot.updates.map((u: { "package-ecosystem": string }) => u["package-ecosystem"]),
    ).toEqual(config.repositories[0].dependabotEcosystems);
  });

  it("requires the reviewers team's approval for production, never the triggering user's", () => {
    const config = githubConfig("prod");
    const environment = environmentNamed("prod", "production");
    const inputs = inputsOf(environment);
    expect(inputs.environment).toBe("production");
    expect(inputs.preventSelfReview).toBe(true);
    expect(inputs.canAdminsBypass).toBe(false);
    expect(inputs.waitTimer).toBe(config.environment.waitTimerMinutes);
    expect(inputs.deploymentBranchPolicy).toEqual({
      protectedBranches: true,
      customBranchPolicies: false,
    });
    const reviewers = byName("prod", `github-org-team-${config.environment.reviewersTeam}`);
    expect(inputs.reviewers).toEqual([{ teams: [Number(reviewers.id)] }]);
    expect(referenced("prod", environment, "repository", REPOSITORY)).toHaveLength(1);
  });

  // Issue 15, item 7: ephemeral environments run a PR's code with cloud rights, so every run waits
  // for a maintainer; the hourly reaper runs main's code and needs no approval.
  it("gates the ephemeral environments' PR jobs on a maintainer, the reaper on main", () => {
    const config = githubConfig("prod");
    const ephemeral = config.ephemeralEnvironments;
    if (!ephemeral) throw new Error("prod has no ephemeralEnvironments");
    const prJobs = inputsOf(environmentNamed("prod", ephemeral.name));
    const reviewers = byName("prod", `github-org-team-${ephemeral.reviewersTeam}`);
    expect(prJobs.reviewers).toEqual([{ teams: [Number(reviewers.id)] }]);
    expect(prJobs.preventSelfReview).toBe(true);
    expect(prJobs.canAdminsBypass).toBe(false);
    // No branch policy: a pull_request run's ref refs/pull/<n>/merge may use it.
    expect(prJobs.deploymentBranchPolicy).toBeUndefined();
    const reaper = inputsOf(environmentNamed("prod", ephemeral.reaperName));
    expect(reaper.reviewers).toBeUndefined();
    expect(reaper.deploymentBranchPolicy).toEqual({
      protectedBranches: true,
      customBranchPolicies: false,
    });
    const variables = resourcesOfType("prod", ENVIRONMENT_VARIABLE).map(inputsOf);
    expect(
      variables.filter((v) => [ephemeral.name, ephemeral.reaperName].includes(v.environment)),
    ).toEqual([]);
  });

  it("lets the prod deploy identity import from the dev registry, never push", () => {
    const config = githubConfig("prod");
    const identity = byName("prod", "github-aks-devsecops-deployer-id");
    const grants = grantsOf("prod", identity.urn);
    expect(grants.map((grant) => grant.role)).not.toContain("acrPush");
    expect(grants.filter((grant) => grant.role.startsWith("acr"))).toEqual([
      { role: "acrImporter", scope: byName("prod", "registry-acr").id },
      { role: "acrPull", scope: config.repositories[0].importSourceRegistryId },
    ]);
  });

  it("puts the tenant id and the licence in repository variables and creates no Actions secret", () => {
    const variables = resourcesOfType("prod", T("actionsVariable", "ActionsVariable")).map(
      inputsOf,
    );
    expect(variables.map(({ variableName, value }) => ({ variableName, value }))).toEqual(
      expect.arrayContaining([
        { variableName: "AZURE_TENANT_ID", value: MOCK_TENANT_ID },
        {
          variableName: ADVANCED_SECURITY_VARIABLE,
          value: String(githubConfig("prod").licences.advancedSecurity),
        },
      ]),
    );
    expect(variables).toHaveLength(2);
  });

  // Issue 15, item 12: Repository.vulnerabilityAlerts is deprecated in 6.15.
  it("turns Dependabot alerts on with RepositoryVulnerabilityAlerts", () => {
    const [alerts] = resourcesOfType(
      "prod",
      T("repositoryVulnerabilityAlerts", "RepositoryVulnerabilityAlerts"),
    );
    expect(inputsOf(alerts).enabled).toBe(true);
    expect(referenced("prod", alerts, "repository", REPOSITORY)).toHaveLength(1);
  });

  // Issue 15, item 5: the workflows run in the repository, so it exists before the first up.
  it("adopts the existing repository by name and never deletes it", () => {
    const [repository] = resourcesOfType("prod", REPOSITORY);
    const spec = githubConfig("prod").repositories[0];
    expect(spec.adoptExisting).toBe(true);
    expect(adoptionOptions(spec, {})).toEqual({ import: spec.name, retainOnDelete: true });
    expect(adoptionOptions({ ...spec, adoptExisting: false }, {})).toEqual({});
    expect(inputsOf(repository).autoInit).toBeUndefined();
  });

  it("lets the platform App bypass the ruleset so managed files can change", () => {
    const ruleset = onlyInputs("prod", RULESET);
    expect(ruleset.bypassActors).toEqual([
      {
        actorType: "Integration",
        actorId: githubConfig("prod").platformAppId,
        bypassMode: "always",
      },
    ]);
  });

  it("onboards the organisation to Defender for DevOps", () => {
    const connector = onlyInputs("prod", CONNECTOR);
    expect(connector.environmentName).toBe("Github");
    expect(connector.environmentData).toEqual({ environmentType: "GithubScope" });
    expect(connector.offerings).toEqual([{ offeringType: "CspmMonitorGithub" }]);
    expect(connector.hierarchyIdentifier).toMatch(/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/);
  });
});

describe("dev adds its environment to repositories prod owns", () => {
  it("manages no organisation settings, teams, repositories or connector", () => {
    for (const type of [ORGANIZATION_SETTINGS, TEAM, REPOSITORY, RULESET, CONNECTOR]) {
      expect(resourcesOfType("dev", type), type).toHaveLength(0);
    }
  });

  it("deploys from protected branches only, without an approval gate", () => {
    const environment = inputsOf(environmentNamed("dev", "development"));
    expect(environment).toMatchObject({
      environment: "development",
      repository: githubConfig("dev").repositories[0].name,
      preventSelfReview: true,
      deploymentBranchPolicy: { protectedBranches: true, customBranchPolicies: false },
    });
    expect(environment.reviewers).toBeUndefined();
  });
});

describe("pull-request previews of dev (issue 15, item 7)", () => {
  const preview = () => {
    const name = githubConfig("dev").previewEnvironment?.name;
    if (!name) throw new Error("dev has no previewEnvironment");
    return name;
  };

  it("have an environment any ref may use, with no reviewers", () => {
    const environment = inputsOf(environmentNamed("dev", preview()));
    expect(environment.deploymentBranchPolicy).toBeUndefined();
    expect(environment.reviewers).toBeUndefined();
  });

  it("log in as an identity federated on that environment that can only read", () => {
    const config = githubConfig("dev");
    const identity = byName("dev", "github-aks-devsecops-previewer-id");
    const [credential] = resourcesOfType("dev", FEDERATED_CREDENTIAL)
      .filter((c) => c.propertyDependencies.resourceName?.includes(identity.urn))
      .map(inputsOf);
    expect(credential.subject).toBe(
      `repo:${config.organization}/aks-devsecops:environment:${preview()}`,
    );
    expect(grantsOf("dev", identity.urn)).toEqual([
      { role: "aksClusterUser", scope: byName("dev", "cluster-aks").id },
      { role: "aksRbacReader", scope: byName("dev", "cluster-aks").id },
      { role: "reader", scope: byName("dev", "platform").id },
    ]);
    const clientIdVariable = resourcesOfType("dev", ENVIRONMENT_VARIABLE).find(
      (v) =>
        inputsOf(v).environment === preview() && inputsOf(v).variableName === "AZURE_CLIENT_ID",
    );
    expect(clientIdVariable?.propertyDependencies.value).toEqual([identity.urn]);
  });
});

describe.each(STACKS)("GitHub OIDC and provider (%s)", (stack) => {
  const environmentName = () => githubConfig(stack).environment.name;

  it("federates one identity per repository with exactly that repository's environment", () => {
    const config = githubConfig(stack);
    const credentials = resourcesOfType(stack, FEDERATED_CREDENTIAL)
      .map(inputsOf)
      .filter((c) => c.issuer === "https://token.actions.githubusercontent.com");
    const environments = [environmentName(), config.previewEnvironment?.name].filter(Boolean);
    expect(credentials.map((c) => c.subject).sort()).toEqual(
      config.repositories
        .flatMap((r) =>
          environments.map((e) => `repo:${config.organization}/${r.name}:environment:${e}`),
        )
        .sort(),
    );
    for (const credential of credentials) {
      expect(credential.audiences).toEqual(["api://AzureADTokenExchange"]);
      expect(credential.subject).not.toContain("*");
    }
  });

  it("grants the deploy identity push or import, sign and namespace-scoped deploy roles only", () => {
    const identity = byName(stack, "github-aks-devsecops-deployer-id");
    const grants = grantsOf(stack, identity.urn);
    const registryRoles = githubConfig(stack).repositories[0].deployRoles.includes("import")
      ? ["acrImporter", "acrPull"]
      : ["acrPush"];
    expect(grants.map((grant) => grant.role)).toEqual([
      ...registryRoles,
      "aksClusterUser",
      "aksRbacWriter",
      "keyVaultCertificateUser",
      "keyVaultCryptoUser",
    ]);
    const scopeOf = (role: string) => grants.find((grant) => grant.role === role)?.scope;
    expect(scopeOf(registryRoles[0])).toBe(byName(stack, "registry-acr").id);
    expect(scopeOf("aksClusterUser")).toBe(byName(stack, "cluster-aks").id);
    expect(scopeOf("aksRbacWriter")).toBe(`${byName(stack, "cluster-aks").id}/namespaces/items`);
  });

  it("hands the environment's jobs the identity's ids as variables, never a credential", () => {
    const variables = resourcesOfType(stack, ENVIRONMENT_VARIABLE).map(inputsOf);
    const value = (name: string) =>
      variables.find((v) => v.variableName === name && v.environment === environmentName())?.value;
    const clientIds = recordedStack(stack).outputs.githubDeployClientIds.value as Record<
      string,
      string
    >;
    expect(value("AZURE_CLIENT_ID")).toBe(clientIds["aks-devsecops"]);
    expect(value("AZURE_SUBSCRIPTION_ID")).toMatch(/^[0-9a-f-]{36}$/);
    expect(value("SIGNING_KEY_ID")).toBe(
      `https://kv-contoso-${stack}.vault.azure.net/keys/notation-signing`,
    );
    const environments = [environmentName(), githubConfig(stack).previewEnvironment?.name];
    for (const variable of variables) {
      expect(environments).toContain(variable.environment);
      expect(variable.variableName).not.toMatch(/SECRET|PASSWORD|CREDENTIAL|TOKEN|KEY$/);
    }
    const secretTypes = githubResources(stack).filter((r) => /Secret/.test(r.type));
    expect(secretTypes).toEqual([]);
  });

  it("uses one explicit provider whose token is a secret", () => {
    const [provider] = resourcesOfType(stack, "pulumi:providers:github");
    expect(provider.inputs.owner).toBe(githubConfig(stack).organization);
    expect(isWireSecret(provider.inputs.token)).toBe(true);
    expect(inputsOf(provider).token).toBe(OFFLINE_SECRET_PLACEHOLDER);
    const resources = githubResources(stack).filter((r) => r.custom && r !== provider);
    expect(resources.length).toBeGreaterThan(0);
    for (const resource of resources) {
      expect(resource.provider, resource.urn).toBe(`${provider.urn}::${provider.id}`);
    }
  });
});

describe("GitHub token", () => {
  const secretValue = async (output: pulumi.Output<string> | undefined) => {
    if (!output) return undefined;
    const value = await new Promise((resolve) => output.apply(resolve));
    return { value, secret: await pulumi.isSecret(output) };
  };

  it("prefers secret config over GITHUB_TOKEN and keeps either secret", async () => {
    const fromConfig = resolveGitHubToken({
      config: pulumi.secret("from-config"),
      environment: "from-env",
      dryRun: false,
    });
    expect(await secretValue(fromConfig)).toEqual({ value: "from-config", secret: true });
    const fromEnvironment = resolveGitHubToken({
      config: undefined,
      environment: "from-env",
      dryRun: false,
    });
    expect(await secretValue(fromEnvironment)).toEqual({ value: "from-env", secret: true });
  });

  it("lets a preview run without a token but stops a deployment with a clear message", () => {
    expect(
      resolveGitHubToken({ config: undefined, environment: "", dryRun: true }),
    ).toBeUndefined();
    const deploy = () =>
      resolveGitHubToken({ config: undefined, environment: undefined, dryRun: false });
    expect(deploy).toThrow(MissingGitHubTokenError);
    expect(deploy).toThrow(MISSING_TOKEN_MESSAGE);
    expect(MISSING_TOKEN_MESSAGE).toMatch(/GITHUB_TOKEN/);
    expect(MISSING_TOKEN_MESSAGE).toMatch(/--secret github:token/);
  });
});

describe("default-branch rules and the Advanced Security licence (issue 15, item 6)", () => {
  it("require CodeQL results only where code scanning is licensed", () => {
    const spec = githubConfig("prod").repositories[0];
    expect(defaultBranchRules(spec, true).requiredCodeScanning).toBeDefined();
    expect(defaultBranchRules(spec, false).requiredCodeScanning).toBeUndefined();
    expect(defaultBranchRules(spec, false).pullRequest).toEqual(
      defaultBranchRules(spec, true).pullRequest,
    );
  });
});

describe("dependabot.yml text", () => {
  // Issue 15, item 12: the Dockerfile is app/Dockerfile; Dependabot's docker ecosystem at / finds none.
  it("points each ecosystem at its folder, / unless configured", () => {
    const config = githubConfig("prod").repositories[0];
    const updates = parseYaml(
      dependabotFile(config.dependabotEcosystems, config.dependabotDirectories),
    ).updates as { "package-ecosystem": string; directory: string }[];
    expect(updates.map((u) => [u["package-ecosystem"], u.directory])).toEqual([
      ["npm", "/"],
      ["github-actions", "/"],
      ["docker", "/app"],
    ]);
  });
});

describe("CODEOWNERS text", () => {
  it("names owners by the teams' slugs, one line per path in config order", () => {
    expect(
      codeOwnersFile(
        "acme",
        { "*": ["platform"], "/docs/": ["writers", "platform"] },
        {
          platform: "platform-eng",
          writers: "tech-writers",
        },
      ).split("\n"),
    ).toEqual([
      expect.stringMatching(/^# Managed by Pulumi/),
      "* @acme/platform-eng",
      "/docs/ @acme/tech-writers @acme/platform-eng",
      "",
    ]);
  });
});

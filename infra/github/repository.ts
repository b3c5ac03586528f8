import * as pulumi from "@pulumi/pulumi";
import * as github from "@pulumi/github";
import type { ManagedTeam } from "./organization";
import { DEFAULT_BRANCH_REF } from "../../policy-pack/facts/github";

export interface RepositorySpec {
  name: string;
  description: string;
  visibility: "private" | "internal";
  requiredApprovals: number;
  requiredStatusChecks: string[];
  /** CODEOWNERS: path pattern -> team slugs. */
  codeOwners: Record<string, string[]>;
  dependabotEcosystems: string[];
  /** Manifest folder per ecosystem, when not `/`. */
  dependabotDirectories: Record<string, string>;
  /** Adopt the existing repository (import by name) rather than create it. */
  adoptExisting: boolean;
}

/** What the organisation is licensed for (github.licences). */
export interface Licences {
  advancedSecurity: boolean;
  enterprise: boolean;
}

export interface RepositoryArgs {
  organization: string;
  repository: RepositorySpec;
  /** The organisation's teams, by slug: access and code owners. */
  teams: Record<string, ManagedTeam>;
  /** The Entra ID tenant the organisation's OIDC trust and team sync use. */
  tenantId: pulumi.Input<string>;
  licences: Licences;
  /** The platform GitHub App's App ID: it may bypass the ruleset to commit managed files. */
  platformAppId: number;
}

/** Repository variable the workflows read to know whether Advanced Security is licensed. */
export const ADVANCED_SECURITY_VARIABLE = "ADVANCED_SECURITY";

/** The ruleset's name for the default branch. */
export const DEFAULT_BRANCH_RULESET = "default-branch";

/**
 * The workflows run in the repository, so it exists before the first `up`: an adopted one is
 * imported by name (an import whose inputs differ succeeds and then updates, pulumi/pulumi#19339;
 * https://www.pulumi.com/docs/iac/concepts/resources/options/import/) and never deleted with the
 * stack.
 */
export function adoptionOptions(
  spec: Pick<RepositorySpec, "name" | "adoptExisting">,
  opts: pulumi.CustomResourceOptions,
): pulumi.CustomResourceOptions {
  return spec.adoptExisting ? { ...opts, import: spec.name, retainOnDelete: true } : opts;
}

/** CODEOWNERS text: one line per path, owners as `@org/team`. */
export function codeOwnersFile(
  organization: string,
  owners: Record<string, string[]>,
  slugs: Record<string, string>,
): string {
  const lines = Object.entries(owners).map(
    ([path, teams]) =>
      `${path} ${teams.map((team) => `@${organization}/${slugs[team]}`).join(" ")}`,
  );
  return ["# Managed by Pulumi (infra/github/repository.ts): change it there.", ...lines, ""].join(
    "\n",
  );
}

/** dependabot.yml for the ecosystems a repository uses: weekly, grouped minor and patch. */
export function dependabotFile(
  ecosystems: string[],
  directories: Record<string, string> = {},
): string {
  const updates = ecosystems.flatMap((ecosystem) => [
    `  - package-ecosystem: ${ecosystem}`,
    `    directory: ${directories[ecosystem] ?? "/"}`,
    `    schedule:`,
    `      interval: weekly`,
    `    groups:`,
    `      ${ecosystem}-minor-and-patch:`,
    `        update-types: [minor, patch]`,
  ]);
  return [
    "# Managed by Pulumi (infra/github/repository.ts).",
    "version: 2",
    "updates:",
    ...updates,
    "",
  ].join("\n");
}

/**
 * One application repository: private, Advanced Security with secret scanning and push
 * protection, Dependabot, CODEOWNERS, team access, and a ruleset that makes the default branch
 * reachable only through reviewed, checked pull requests.
 */
export class GitHubRepository extends pulumi.ComponentResource {
  readonly repositoryName: pulumi.Output<string>;

  constructor(name: string, args: RepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:github:Repository", name, {}, opts);
    const child = { parent: this };
    const spec = args.repository;
    const advancedSecurity = args.licences.advancedSecurity;
    const repository = new github.Repository(
      `${name}-repo`,
      {
        name: spec.name,
        description: spec.description,
        visibility: spec.visibility,
        // Create-only (an initial commit); an adopted repository has its history.
        autoInit: spec.adoptExisting ? undefined : true,
        archiveOnDestroy: true,
        hasWiki: false,
        deleteBranchOnMerge: true,
        // Linear history: squash or rebase, no merge commits.
        allowMergeCommit: false,
        allowSquashMerge: true,
        allowRebaseMerge: true,
        // Private repositories: Advanced Security (Secret Protection and Code Security) is a
        // licence; without it GitHub refuses to enable these, so they are left out.
        securityAndAnalysis: advancedSecurity
          ? {
              advancedSecurity: { status: "enabled" },
              secretScanning: { status: "enabled" },
              secretScanningPushProtection: { status: "enabled" },
            }
          : undefined,
      },
      adoptionOptions(spec, child),
    );
    const repositoryName = repository.name;
    // `vulnerabilityAlerts` on Repository is deprecated in @pulumi/github 6.15.
    new github.RepositoryVulnerabilityAlerts(
      `${name}-vulnerability-alerts`,
      { repository: repositoryName, enabled: true },
      child,
    );
    new github.RepositoryDependabotSecurityUpdates(
      `${name}-dependabot-updates`,
      { repository: repositoryName, enabled: true },
      child,
    );
    for (const [slug, team] of Object.entries(args.teams)) {
      new github.TeamRepository(
        `${name}-team-${slug}`,
        { repository: repositoryName, teamId: team.id, permission: team.repositoryPermission },
        child,
      );
    }
    const files = this.managedFiles(name, args, repositoryName);
    new github.RepositoryRuleset(
      `${name}-ruleset`,
      {
        repository: repositoryName,
        name: DEFAULT_BRANCH_RULESET,
        target: "branch",
        enforcement: "active",
        conditions: { refName: { includes: [DEFAULT_BRANCH_REF], excludes: [] } },
        rules: defaultBranchRules(spec, advancedSecurity),
        // The platform App commits CODEOWNERS and dependabot.yml (RepositoryFile) straight to the
        // default branch; without a bypass the ruleset refuses every later change to them.
        bypassActors: [
          { actorType: "Integration", actorId: args.platformAppId, bypassMode: "always" },
        ],
      },
      // The files land before the branch is protected: later changes go through pull requests.
      { parent: this, dependsOn: files },
    );
    new github.ActionsVariable(
      `${name}-var-tenant`,
      { repository: repositoryName, variableName: "AZURE_TENANT_ID", value: args.tenantId },
      child,
    );
    // The workflows skip code scanning uploads and dependency review without the licence.
    new github.ActionsVariable(
      `${name}-var-advanced-security`,
      {
        repository: repositoryName,
        variableName: ADVANCED_SECURITY_VARIABLE,
        value: String(advancedSecurity),
      },
      child,
    );
    this.repositoryName = repositoryName;
    this.registerOutputs({ repositoryName });
  }

  private managedFiles(
    name: string,
    args: RepositoryArgs,
    repositoryName: pulumi.Output<string>,
  ): github.RepositoryFile[] {
    const slugs = pulumi
      .all(Object.entries(args.teams).map(([key, team]) => team.slug.apply((slug) => [key, slug])))
      .apply((pairs) => Object.fromEntries(pairs) as Record<string, string>);
    const file = (key: string, path: string, content: pulumi.Input<string>) =>
      new github.RepositoryFile(
        `${name}-${key}`,
        {
          repository: repositoryName,
          file: path,
          content,
          commitMessage: `Manage ${path} from the platform stack`,
          overwriteOnCreate: true,
        },
        { parent: this },
      );
    return [
      file(
        "codeowners",
        ".github/CODEOWNERS",
        slugs.apply((bySlug) =>
          codeOwnersFile(args.organization, args.repository.codeOwners, bySlug),
        ),
      ),
      file(
        "dependabot",
        ".github/dependabot.yml",
        dependabotFile(args.repository.dependabotEcosystems, args.repository.dependabotDirectories),
      ),
    ];
  }
}

/** Pull request with approvals from code owners, checks, linear history; no force push or delete. */
export function defaultBranchRules(
  spec: RepositorySpec,
  advancedSecurity: boolean,
): github.types.input.RepositoryRulesetRules {
  return {
    deletion: true,
    nonFastForward: true,
    requiredLinearHistory: true,
    pullRequest: {
      requiredApprovingReviewCount: spec.requiredApprovals,
      dismissStaleReviewsOnPush: true,
      requireCodeOwnerReview: true,
      requireLastPushApproval: true,
      requiredReviewThreadResolution: true,
    },
    requiredStatusChecks: {
      strictRequiredStatusChecksPolicy: true,
      requiredChecks: spec.requiredStatusChecks.map((context) => ({ context })),
    },
    // Required code-scanning results need code scanning, which needs Advanced Security.
    requiredCodeScanning: advancedSecurity
      ? {
          requiredCodeScanningTools: [
            {
              tool: "CodeQL",
              alertsThreshold: "errors",
              securityAlertsThreshold: "high_or_higher",
            },
          ],
        }
      : undefined,
  };
}

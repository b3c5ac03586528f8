import * as pulumi from "@pulumi/pulumi";
import * as github from "@pulumi/github";
import type { ManagedTeam } from "./organization";

export interface RepositorySpec {
  name: string;
  description: string;
  visibility: "private" | "internal";
  requiredApprovals: number;
  requiredStatusChecks: string[];
  /** CODEOWNERS: path pattern -> team slugs. */
  codeOwners: Record<string, string[]>;
  dependabotEcosystems: string[];
}

export interface RepositoryArgs {
  organization: string;
  repository: RepositorySpec;
  /** The organisation's teams, by slug: access and code owners. */
  teams: Record<string, ManagedTeam>;
  /** The Entra ID tenant the organisation's OIDC trust and team sync use. */
  tenantId: pulumi.Input<string>;
}

/** The ruleset's name for the default branch. */
export const DEFAULT_BRANCH_RULESET = "default-branch";

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
export function dependabotFile(ecosystems: string[]): string {
  const updates = ecosystems.flatMap((ecosystem) => [
    `  - package-ecosystem: ${ecosystem}`,
    `    directory: /`,
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
    const repository = new github.Repository(
      `${name}-repo`,
      {
        name: spec.name,
        description: spec.description,
        visibility: spec.visibility,
        autoInit: true,
        archiveOnDestroy: true,
        hasWiki: false,
        deleteBranchOnMerge: true,
        // Linear history: squash or rebase, no merge commits.
        allowMergeCommit: false,
        allowSquashMerge: true,
        allowRebaseMerge: true,
        vulnerabilityAlerts: true,
        securityAndAnalysis: {
          advancedSecurity: { status: "enabled" },
          secretScanning: { status: "enabled" },
          secretScanningPushProtection: { status: "enabled" },
        },
      },
      child,
    );
    const repositoryName = repository.name;
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
        conditions: { refName: { includes: ["~DEFAULT_BRANCH"], excludes: [] } },
        rules: defaultBranchRules(spec),
      },
      // The files land before the branch is protected: later changes go through pull requests.
      { parent: this, dependsOn: files },
    );
    new github.ActionsVariable(
      `${name}-var-tenant`,
      { repository: repositoryName, variableName: "AZURE_TENANT_ID", value: args.tenantId },
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
        dependabotFile(args.repository.dependabotEcosystems),
      ),
    ];
  }
}

/** Pull request with approvals from code owners, checks, linear history; no force push or delete. */
function defaultBranchRules(spec: RepositorySpec): github.types.input.RepositoryRulesetRules {
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
    requiredCodeScanning: {
      requiredCodeScanningTools: [
        { tool: "CodeQL", alertsThreshold: "errors", securityAlertsThreshold: "high_or_higher" },
      ],
    },
  };
}

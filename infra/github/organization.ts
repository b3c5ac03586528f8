import * as pulumi from "@pulumi/pulumi";
import * as github from "@pulumi/github";

export interface TeamSpec {
  description: string;
  entraGroupId: string;
  entraGroupName: string;
  entraGroupDescription: string;
  repositoryPermission: string;
}

export interface OrganizationArgs {
  organization: string;
  billingEmail: string;
  /** Actions allowed besides GitHub's own and verified creators' (`owner/repo@*`). */
  allowedActions: string[];
  requireShaPinnedActions: boolean;
  /** Team slug -> its Entra ID group. */
  teams: Record<string, TeamSpec>;
}

/** What repositories and environments need to know about a team. */
export interface ManagedTeam {
  id: pulumi.Output<string>;
  slug: pulumi.Output<string>;
  repositoryPermission: string;
}

/**
 * Organisation-wide security: default read permission, no public repositories, Advanced Security
 * and Dependabot on for new repositories, restricted Actions with a read-only default token, and
 * teams whose membership comes from Entra ID groups (team sync). SSO and MFA are enterprise
 * settings outside this provider (see README).
 */
export class GitHubOrganization extends pulumi.ComponentResource {
  readonly teams: Record<string, ManagedTeam>;

  constructor(name: string, args: OrganizationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:github:Organization", name, {}, opts);
    const child = { parent: this };
    new github.OrganizationSettings(
      `${name}-settings`,
      {
        billingEmail: args.billingEmail,
        defaultRepositoryPermission: "read",
        membersCanCreatePublicRepositories: false,
        membersCanCreatePublicPages: false,
        membersCanForkPrivateRepositories: false,
        advancedSecurityEnabledForNewRepositories: true,
        secretScanningEnabledForNewRepositories: true,
        secretScanningPushProtectionEnabledForNewRepositories: true,
        dependencyGraphEnabledForNewRepositories: true,
        dependabotAlertsEnabledForNewRepositories: true,
        dependabotSecurityUpdatesEnabledForNewRepositories: true,
      },
      child,
    );
    new github.ActionsOrganizationPermissions(
      `${name}-actions`,
      {
        enabledRepositories: "all",
        allowedActions: "selected",
        allowedActionsConfig: {
          githubOwnedAllowed: true,
          verifiedAllowed: true,
          patternsAlloweds: args.allowedActions,
        },
        shaPinningRequired: args.requireShaPinnedActions,
      },
      child,
    );
    new github.ActionsOrganizationWorkflowPermissions(
      `${name}-workflow-token`,
      {
        organizationSlug: args.organization,
        defaultWorkflowPermissions: "read",
        canApprovePullRequestReviews: false,
      },
      child,
    );
    this.teams = Object.fromEntries(
      Object.entries(args.teams).map(([slug, spec]) => [slug, this.syncedTeam(name, slug, spec)]),
    );
    this.registerOutputs({});
  }

  /** A closed team whose members GitHub syncs from one Entra ID group. */
  private syncedTeam(name: string, slug: string, spec: TeamSpec): ManagedTeam {
    const team = new github.Team(
      `${name}-team-${slug}`,
      { name: slug, description: spec.description, privacy: "closed" },
      { parent: this },
    );
    new github.TeamSyncGroupMapping(
      `${name}-team-${slug}-sync`,
      {
        teamSlug: team.slug,
        groups: [
          {
            groupId: spec.entraGroupId,
            groupName: spec.entraGroupName,
            // Entra ID's own text: GitHub returns it, so anything else is a change every run.
            groupDescription: spec.entraGroupDescription,
          },
        ],
      },
      { parent: this },
    );
    return { id: team.id, slug: team.slug, repositoryPermission: spec.repositoryPermission };
  }
}

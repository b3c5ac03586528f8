import * as pulumi from "@pulumi/pulumi";
import * as github from "@pulumi/github";
import {
  CodeSecurityConfiguration,
  OrganizationRestrictionsResource,
  SECURE_FEATURES,
} from "./code-security";

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
  /** The GitHub provider's token, for the settings the provider cannot make (REST API). */
  token: pulumi.Input<string> | undefined;
}

/**
 * Fields GitHub removed from the organisation API on 2026-04-21; the provider still sends them and
 * reads them back false. Never set, and their drift ignored: the default code security
 * configuration replaces them.
 */
export const REMOVED_NEW_REPOSITORY_FIELDS = [
  "advancedSecurityEnabledForNewRepositories",
  "secretScanningEnabledForNewRepositories",
  "secretScanningPushProtectionEnabledForNewRepositories",
  "dependencyGraphEnabledForNewRepositories",
  "dependabotAlertsEnabledForNewRepositories",
  "dependabotSecurityUpdatesEnabledForNewRepositories",
];

/**
 * Deleting OrganizationSettings resets the organisation, billing e-mail included (upstream's
 * delete sends defaults): the stack lets go of it instead. The removed fields' drift is ignored.
 */
export function organizationSettingsOptions(
  opts: pulumi.CustomResourceOptions,
): pulumi.CustomResourceOptions {
  return { ...opts, retainOnDelete: true, ignoreChanges: REMOVED_NEW_REPOSITORY_FIELDS };
}

/** What repositories and environments need to know about a team. */
export interface ManagedTeam {
  id: pulumi.Output<string>;
  slug: pulumi.Output<string>;
  repositoryPermission: string;
}

/**
 * Organisation-wide security: default read permission, no public repositories, a default code
 * security configuration that turns Advanced Security and Dependabot on for new repositories, restricted Actions with a read-only default token, and
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
      },
      organizationSettingsOptions(child),
    );
    // The provider's create skips the false values above; these are sent from the first up.
    new OrganizationRestrictionsResource(
      `${name}-restrictions`,
      { organization: args.organization, token: args.token },
      child,
    );
    // What every new repository gets, now that the *_for_new_repositories fields are gone.
    new CodeSecurityConfiguration(
      `${name}-code-security`,
      {
        organization: args.organization,
        name: "platform-default",
        description: "Managed by the platform stack: every security feature on, enforced",
        features: SECURE_FEATURES,
        defaultForNewRepos: "all",
        token: args.token,
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
    this.registerOutputs({ teams: this.teams });
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

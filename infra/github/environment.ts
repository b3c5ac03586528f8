import * as pulumi from "@pulumi/pulumi";
import * as github from "@pulumi/github";

export interface DeploymentEnvironmentArgs {
  repository: pulumi.Input<string>;
  environment: string;
  /** Team whose approval a deployment waits for; none for environments without a gate. */
  reviewersTeamId?: pulumi.Input<string>;
  waitTimerMinutes: number;
  /**
   * Which refs may deploy: `protected` (the default branch and other protected branches) or `any`.
   * A pull_request job's ref is `refs/pull/<n>/merge`, which a protected-branches policy rejects,
   * so environments for pull-request jobs take `any` and hold nothing a branch must not reach.
   */
  branches?: "protected" | "any";
  /** Actions variables of the environment: ids and names, never a credential. */
  variables: Record<string, pulumi.Input<string>>;
}

/**
 * A GitHub environment that only protected branches can deploy to, optionally behind a team's
 * approval (the one who triggered the run cannot approve it) and a wait timer, with the
 * variables its jobs need to log in to Azure over OIDC.
 */
export class DeploymentEnvironment extends pulumi.ComponentResource {
  readonly environmentName: pulumi.Output<string>;

  constructor(
    name: string,
    args: DeploymentEnvironmentArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("platform:github:DeploymentEnvironment", name, {}, opts);
    const environment = new github.RepositoryEnvironment(
      `${name}-env`,
      {
        repository: args.repository,
        environment: args.environment,
        reviewers: args.reviewersTeamId
          ? [{ teams: [pulumi.output(args.reviewersTeamId).apply(Number)] }]
          : undefined,
        preventSelfReview: true,
        canAdminsBypass: false,
        waitTimer: args.waitTimerMinutes,
        // No policy: every ref may deploy (https://docs.github.com/en/actions/reference/workflows-and-actions/deployments-and-environments#deployment-branches-and-tags).
        deploymentBranchPolicy:
          (args.branches ?? "protected") === "protected"
            ? { protectedBranches: true, customBranchPolicies: false }
            : undefined,
      },
      { parent: this },
    );
    for (const [variableName, value] of Object.entries(args.variables)) {
      new github.ActionsEnvironmentVariable(
        `${name}-var-${variableName.toLowerCase().replace(/_/g, "-")}`,
        {
          repository: args.repository,
          environment: environment.environment,
          variableName,
          value,
        },
        { parent: this },
      );
    }
    this.environmentName = environment.environment;
    this.registerOutputs({ environmentName: this.environmentName });
  }
}

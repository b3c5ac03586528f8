import * as pulumi from "@pulumi/pulumi";
import type { Placement } from "../azure/shared";
import type { GitHubConfig, GitHubOwnerConfig } from "../config";
import { DeploymentEnvironment } from "./environment";
import { deployIdentityName, repositoryKey } from "./names";
import { DeployTargets, GitHubDeployIdentity } from "./oidc";
import { GitHubOrganization, ManagedTeam } from "./organization";
import { githubProvider, githubToken } from "./provider";
import { GitHubRepository } from "./repository";

/** What this stack's deployments target, as workflows need it. */
export interface AzureTargets extends DeployTargets {
  subscriptionId: pulumi.Input<string>;
  tenantId: pulumi.Input<string>;
  resourceGroupName: pulumi.Input<string>;
  registryName: pulumi.Input<string>;
  registryLoginServer: pulumi.Input<string>;
  clusterName: pulumi.Input<string>;
  vaultName: pulumi.Input<string>;
  vaultUri: pulumi.Input<string>;
  /** The Key Vault certificate Notation signs with, when the stack verifies signatures. */
  signingCertificateName?: string;
}

export interface GitHubPlatformArgs {
  config: GitHubConfig;
  namePrefix: string;
  /** The stack's environment (`dev`, `prod`): names of the Azure identities. */
  stackEnvironment: string;
  placement: Placement;
  azure: AzureTargets;
}

/** Environment variables a workflow in this stack's GitHub environment reads (`vars.*`). */
export function environmentVariables(
  azure: AzureTargets,
  clientId: pulumi.Input<string>,
  importSourceRegistryId?: string,
): Record<string, pulumi.Input<string>> {
  const signing: Record<string, pulumi.Input<string>> = {};
  // app.yml's promotion names the registry it imports from (az acr import --registry).
  if (importSourceRegistryId) signing.IMPORT_SOURCE_REGISTRY_ID = importSourceRegistryId;
  if (azure.signingCertificateName) {
    signing.SIGNING_KEY_ID = pulumi.interpolate`${azure.vaultUri}keys/${azure.signingCertificateName}`;
  }
  return {
    AZURE_CLIENT_ID: clientId,
    AZURE_SUBSCRIPTION_ID: azure.subscriptionId,
    AKS_RESOURCE_GROUP: azure.resourceGroupName,
    AKS_CLUSTER_NAME: azure.clusterName,
    APP_NAMESPACE: azure.appNamespace,
    ACR_NAME: azure.registryName,
    ACR_LOGIN_SERVER: azure.registryLoginServer,
    KEY_VAULT_NAME: azure.vaultName,
    ...signing,
  };
}

/**
 * GitHub as code for one stack. The stack that owns the organisation manages its settings,
 * teams and repositories; every stack manages its own deployment environment in each
 * repository and the Azure identities that environment's jobs log in as.
 */
export class GitHubPlatform extends pulumi.ComponentResource {
  /** Client id of the deploy identity, by repository. */
  readonly deployClientIds: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: GitHubPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:github:Platform", name, {}, opts);
    const { config } = args;
    const token = githubToken();
    const provider = githubProvider(
      `${name}-provider`,
      config.organization,
      { parent: this },
      token,
    );
    const github = { parent: this, providers: [provider] };
    const owner = config.ownsOrganization ? config : undefined;
    const teams = owner ? this.organization(name, owner, token, github).teams : {};
    this.deployClientIds = {};
    for (const spec of config.repositories) {
      const key = `${name}-${repositoryKey(spec.name)}`;
      const repositoryName = owner
        ? new GitHubRepository(
            key,
            {
              organization: config.organization,
              repository: spec,
              teams,
              tenantId: args.azure.tenantId,
              licences: config.licences,
              platformAppId: owner.platformAppId,
            },
            github,
          ).repositoryName
        : spec.name;
      this.deployClientIds[spec.name] = this.deployment(
        key,
        args,
        spec,
        repositoryName,
        teams,
        github,
      );
    }
    this.registerOutputs({ deployClientIds: this.deployClientIds });
  }

  /** This stack's environment in one repository and the Azure identity its jobs log in as. */
  private deployment(
    key: string,
    args: GitHubPlatformArgs,
    spec: GitHubConfig["repositories"][number],
    repositoryName: pulumi.Input<string>,
    teams: Record<string, ManagedTeam>,
    github: pulumi.ComponentResourceOptions,
  ): pulumi.Output<string> {
    const { organization, environment, previewEnvironment, ephemeralEnvironments } = args.config;
    if (previewEnvironment) {
      this.previewDeployment(key, args, spec, repositoryName, previewEnvironment.name, github);
    }
    if (ephemeralEnvironments) {
      // The PR jobs' environment: any ref, a maintainer approves every run. The reaper's: main
      // only (schedule), no reviewers. Both get their Azure ids at bootstrap (README).
      new DeploymentEnvironment(
        `${key}-${ephemeralEnvironments.name}`,
        {
          repository: repositoryName,
          environment: ephemeralEnvironments.name,
          reviewersTeamId: teams[ephemeralEnvironments.reviewersTeam]?.id,
          waitTimerMinutes: 0,
          branches: "any",
          variables: {},
        },
        github,
      );
      new DeploymentEnvironment(
        `${key}-${ephemeralEnvironments.reaperName}`,
        {
          repository: repositoryName,
          environment: ephemeralEnvironments.reaperName,
          waitTimerMinutes: 0,
          variables: {},
        },
        github,
      );
    }
    const identity = new GitHubDeployIdentity(
      `${key}-deployer`,
      {
        ...args.placement,
        subscriptionId: args.azure.subscriptionId,
        identityName: deployIdentityName(args.namePrefix, args.stackEnvironment, spec.name),
        organization,
        repository: spec.name,
        environment: environment.name,
        roles: spec.deployRoles,
        targets: { ...args.azure, importSourceRegistryId: spec.importSourceRegistryId },
      },
      { parent: this },
    );
    new DeploymentEnvironment(
      `${key}-${environment.name}`,
      {
        repository: repositoryName,
        environment: environment.name,
        reviewersTeamId: environment.reviewersTeam
          ? teams[environment.reviewersTeam]?.id
          : undefined,
        waitTimerMinutes: environment.waitTimerMinutes,
        variables: environmentVariables(args.azure, identity.clientId, spec.importSourceRegistryId),
      },
      github,
    );
    return identity.clientId;
  }

  /**
   * Pull-request previews: an environment any ref may use (so no protected-branch secret goes in
   * it) and an identity that can only read this stack's resources, federated on that environment.
   */
  private previewDeployment(
    key: string,
    args: GitHubPlatformArgs,
    spec: GitHubConfig["repositories"][number],
    repositoryName: pulumi.Input<string>,
    environmentName: string,
    github: pulumi.ComponentResourceOptions,
  ): void {
    const reader = new GitHubDeployIdentity(
      `${key}-previewer`,
      {
        ...args.placement,
        subscriptionId: args.azure.subscriptionId,
        identityName: deployIdentityName(args.namePrefix, `${args.stackEnvironment}-pr`, spec.name),
        organization: args.config.organization,
        repository: spec.name,
        environment: environmentName,
        roles: ["read"],
        targets: args.azure,
      },
      { parent: this },
    );
    new DeploymentEnvironment(
      `${key}-${environmentName}`,
      {
        repository: repositoryName,
        environment: environmentName,
        waitTimerMinutes: 0,
        branches: "any",
        variables: {
          AZURE_CLIENT_ID: reader.clientId,
          AZURE_SUBSCRIPTION_ID: args.azure.subscriptionId,
        },
      },
      github,
    );
  }

  private organization(
    name: string,
    config: GitHubOwnerConfig,
    token: pulumi.Output<string> | undefined,
    opts: pulumi.ComponentResourceOptions,
  ): { teams: Record<string, ManagedTeam> } {
    return new GitHubOrganization(
      `${name}-org`,
      {
        organization: config.organization,
        billingEmail: config.billingEmail,
        allowedActions: config.allowedActions,
        requireShaPinnedActions: config.requireShaPinnedActions,
        teams: config.teams,
        token,
      },
      opts,
    );
  }
}

import * as pulumi from "@pulumi/pulumi";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import { assignRole, type BuiltInRole } from "../azure/roles";
import { Placement, placementOf } from "../azure/shared";
import { GITHUB_OIDC_ISSUER, TOKEN_EXCHANGE_AUDIENCE } from "../../policy-pack/facts/identity";
import { environmentSubject } from "./names";

/**
 * What a workflow may do in Azure: push images, import them from another registry (promotion),
 * sign them, deploy them to the app namespace, or only read (pull-request previews).
 */
export type DeployRole = "push" | "import" | "sign" | "deploy" | "read";

export interface DeployTargets {
  /** The stack's resource group: what a read-only preview identity may read. */
  resourceGroupId: pulumi.Input<string>;
  registryId: pulumi.Input<string>;
  /** The registry `import` copies from (AcrPull there); none: import only within the registry. */
  importSourceRegistryId?: pulumi.Input<string>;
  vaultId: pulumi.Input<string>;
  clusterId: pulumi.Input<string>;
  /** The namespace deployments may write to (AKS RBAC Writer is scoped to it). */
  appNamespace: pulumi.Input<string>;
}

export interface GitHubDeployIdentityArgs extends Placement {
  subscriptionId: pulumi.Input<string>;
  identityName: string;
  organization: string;
  repository: string;
  /** The GitHub environment whose jobs may use this identity; no other job can. */
  environment: string;
  roles: DeployRole[];
  targets: DeployTargets;
}

type Grant = { role: BuiltInRole; scope: pulumi.Input<string> };

/** The role assignments behind each deploy role, each on the narrowest scope that works. */
export function grantsFor(role: DeployRole, targets: DeployTargets): Grant[] {
  switch (role) {
    case "push":
      return [{ role: "acrPush", scope: targets.registryId }];
    // Import runs against the target registry (importImage/action) and reads the source with the
    // caller's identity, so the source needs pull rights too.
    case "import":
      return [
        { role: "acrImporter", scope: targets.registryId },
        ...(targets.importSourceRegistryId
          ? [{ role: "acrPull" as const, scope: targets.importSourceRegistryId }]
          : []),
      ];
    case "read":
      return [
        { role: "reader", scope: targets.resourceGroupId },
        { role: "aksClusterUser", scope: targets.clusterId },
        { role: "aksRbacReader", scope: targets.clusterId },
      ];
    case "sign":
      return [
        { role: "keyVaultCryptoUser", scope: targets.vaultId },
        { role: "keyVaultCertificateUser", scope: targets.vaultId },
      ];
    case "deploy":
      return [
        { role: "aksClusterUser", scope: targets.clusterId },
        {
          role: "aksRbacWriter",
          scope: pulumi.interpolate`${targets.clusterId}/namespaces/${targets.appNamespace}`,
        },
      ];
  }
}

/**
 * A user-assigned identity that exactly one repository's jobs in exactly one GitHub environment
 * can log in as (OIDC federation, no secret anywhere), with only the roles its workflow needs.
 */
export class GitHubDeployIdentity extends pulumi.ComponentResource {
  readonly clientId: pulumi.Output<string>;
  readonly principalId: pulumi.Output<string>;

  constructor(
    name: string,
    args: GitHubDeployIdentityArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("platform:github:DeployIdentity", name, {}, opts);
    const identity = new managedidentity.UserAssignedIdentity(
      `${name}-id`,
      { ...placementOf(args), resourceName: args.identityName },
      { parent: this },
    );
    new managedidentity.FederatedIdentityCredential(
      `${name}-federation`,
      {
        resourceGroupName: args.resourceGroupName,
        resourceName: identity.name,
        federatedIdentityCredentialResourceName: `github-${args.environment}`,
        issuer: GITHUB_OIDC_ISSUER,
        subject: environmentSubject(args.organization, args.repository, args.environment),
        audiences: [TOKEN_EXCHANGE_AUDIENCE],
      },
      { parent: this },
    );
    for (const role of args.roles) {
      for (const grant of grantsFor(role, args.targets)) {
        assignRole(
          grant.role === "acrPull" ? `${name}-acrPull-import-source` : `${name}-${grant.role}`,
          {
            subscriptionId: args.subscriptionId,
            principalId: identity.principalId,
            role: grant.role,
            scope: grant.scope,
            grantee: `${args.repository} (${args.environment})`,
          },
          { parent: this },
        );
      }
    }
    this.clientId = identity.clientId;
    this.principalId = identity.principalId;
    this.registerOutputs({ clientId: this.clientId, principalId: this.principalId });
  }
}

import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as redis from "@pulumi/azure-native/redis";
import { BUILT_IN_ROLES, Placement, roleDefinitionId, placementOf } from "./shared";

export const WORKLOAD_IDENTITY_AUDIENCE = "api://AzureADTokenExchange";

export interface IdentityArgs extends Placement {
  subscriptionId: pulumi.Input<string>;
  appIdentityName: string;
  registryId: pulumi.Input<string>;
  vaultId: pulumi.Input<string>;
  cluster: { oidcIssuerUrl: pulumi.Input<string>; kubeletObjectId: pulumi.Input<string> };
  /** The Kubernetes service account the app runs as (workload identity subject). */
  appServiceAccount: { namespace: string; name: string };
  /** Grants the app identity data access on the cache when it uses Entra ID authentication. */
  redis?: { resourceGroupName: pulumi.Input<string>; cacheName: pulumi.Input<string> };
}

/**
 * Identities and least-privilege role assignments; no secret anywhere: the kubelet pulls with
 * AcrPull, the app reads Key Vault secrets through workload identity federation. CI identities
 * (AcrPush, signing, deploy) are federated per repository and environment in infra/github/oidc.ts.
 */
export class Identity extends pulumi.ComponentResource {
  readonly appClientId: pulumi.Output<string>;
  readonly appPrincipalId: pulumi.Output<string>;

  constructor(name: string, args: IdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:azure:Identity", name, {}, opts);
    const placement = placementOf(args);
    const app = new managedidentity.UserAssignedIdentity(
      `${name}-app`,
      { ...placement, resourceName: args.appIdentityName },
      { parent: this },
    );
    const { namespace, name: serviceAccount } = args.appServiceAccount;
    new managedidentity.FederatedIdentityCredential(
      `${name}-app-workload`,
      {
        resourceGroupName: args.resourceGroupName,
        resourceName: app.name,
        federatedIdentityCredentialResourceName: `${namespace}-${serviceAccount}`,
        issuer: args.cluster.oidcIssuerUrl,
        subject: `system:serviceaccount:${namespace}:${serviceAccount}`,
        audiences: [WORKLOAD_IDENTITY_AUDIENCE],
      },
      { parent: this },
    );

    const assign = (
      key: string,
      role: keyof typeof BUILT_IN_ROLES,
      principalId: pulumi.Input<string>,
      scope: pulumi.Input<string>,
    ) =>
      new authorization.RoleAssignment(
        `${name}-${key}`,
        {
          principalId,
          principalType: authorization.PrincipalType.ServicePrincipal,
          roleDefinitionId: roleDefinitionId(args.subscriptionId, role),
          scope,
          description: `platform: ${role} for ${key.split("-")[0]}`,
        },
        { parent: this },
      );
    assign("kubelet-acrpull", "acrPull", args.cluster.kubeletObjectId, args.registryId);
    assign("app-kv-secrets", "keyVaultSecretsUser", app.principalId, args.vaultId);

    if (args.redis) {
      new redis.AccessPolicyAssignment(
        `${name}-app-redis`,
        {
          resourceGroupName: args.redis.resourceGroupName,
          cacheName: args.redis.cacheName,
          accessPolicyAssignmentName: "app",
          accessPolicyName: "Data Contributor",
          objectId: app.principalId,
          objectIdAlias: args.appIdentityName,
        },
        { parent: this },
      );
    }

    this.appClientId = app.clientId;
    this.appPrincipalId = app.principalId;
    this.registerOutputs({ appClientId: this.appClientId });
  }
}

import * as pulumi from "@pulumi/pulumi";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import { TOKEN_EXCHANGE_AUDIENCE } from "../../policy-pack/facts/identity";
import { assignRole } from "./roles";
import { Placement, placementOf } from "./shared";

export interface IdentityArgs extends Placement {
  subscriptionId: pulumi.Input<string>;
  appIdentityName: string;
  registryId: pulumi.Input<string>;
  vaultId: pulumi.Input<string>;
  cluster: { oidcIssuerUrl: pulumi.Input<string>; kubeletObjectId: pulumi.Input<string> };
}

/** A Kubernetes service account, as a workload identity subject names it. */
export interface ServiceAccountRef {
  namespace: string;
  name: string;
}

/**
 * The subject the AKS OIDC issuer puts in a pod's projected token for its service account
 * (https://learn.microsoft.com/azure/aks/workload-identity-deploy-cluster).
 */
export function serviceAccountSubject({ namespace, name }: ServiceAccountRef): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/**
 * Identities and least-privilege role assignments; no secret anywhere: the kubelet pulls with
 * AcrPull, the app reads Key Vault secrets through workload identity federation. CI identities
 * (AcrPush, signing, deploy) are federated per repository and environment in infra/github/oidc.ts.
 */
export class Identity extends pulumi.ComponentResource {
  readonly appClientId: pulumi.Output<string>;
  readonly appPrincipalId: pulumi.Output<string>;
  /** Where the app's federated credentials go (trustServiceAccount). */
  private readonly federation: {
    credentialName: string;
    resourceGroupName: pulumi.Input<string>;
    identityName: pulumi.Output<string>;
    issuer: pulumi.Input<string>;
  };

  constructor(name: string, args: IdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:azure:Identity", name, {}, opts);
    const placement = placementOf(args);
    const app = new managedidentity.UserAssignedIdentity(
      `${name}-app`,
      { ...placement, resourceName: args.appIdentityName },
      { parent: this },
    );
    const { subscriptionId } = args;
    assignRole(
      `${name}-kubelet-acrpull`,
      {
        subscriptionId,
        principalId: args.cluster.kubeletObjectId,
        role: "acrPull",
        scope: args.registryId,
        grantee: "kubelet",
      },
      { parent: this },
    );
    assignRole(
      `${name}-app-kv-secrets`,
      {
        subscriptionId,
        principalId: app.principalId,
        role: "keyVaultSecretsUser",
        scope: args.vaultId,
        grantee: "app",
      },
      { parent: this },
    );

    // The app's Redis data access (access policy assignment) is made in azure/redis.ts, in the
    // order each Redis service needs.
    this.appClientId = app.clientId;
    this.appPrincipalId = app.principalId;
    this.federation = {
      credentialName: `${name}-app-workload`,
      resourceGroupName: args.resourceGroupName,
      identityName: app.name,
      issuer: args.cluster.oidcIssuerUrl,
    };
    this.registerOutputs({ appClientId: this.appClientId, appPrincipalId: this.appPrincipalId });
  }

  /**
   * Lets the app's pods, which run as `serviceAccount`, act as the app identity: the subject
   * the AKS OIDC issuer puts in their projected tokens is `system:serviceaccount:<ns>:<name>`
   * (https://learn.microsoft.com/azure/aks/workload-identity-deploy-cluster). The service account
   * is the app component's output, so the subject cannot drift from the account the pods use.
   */
  trustServiceAccount(
    serviceAccount: pulumi.Output<ServiceAccountRef>,
  ): managedidentity.FederatedIdentityCredential {
    const { credentialName, resourceGroupName, identityName, issuer } = this.federation;
    return new managedidentity.FederatedIdentityCredential(
      credentialName,
      {
        resourceGroupName,
        resourceName: identityName,
        federatedIdentityCredentialResourceName: serviceAccount.apply(
          ({ namespace, name }) => `${namespace}-${name}`,
        ),
        issuer,
        subject: serviceAccount.apply(serviceAccountSubject),
        audiences: [TOKEN_EXCHANGE_AUDIENCE],
      },
      { parent: this },
    );
  }
}

import * as pulumi from "@pulumi/pulumi";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as k8s from "@pulumi/kubernetes";
import { TOKEN_EXCHANGE_AUDIENCE } from "../../policy-pack/facts/identity";
import { serviceAccountSubject } from "../azure/identity";
import { assignRole, type BuiltInRole } from "../azure/roles";
import { Placement, placementOf } from "../azure/shared";
import type { ImageIntegrityConfig } from "../config";

/** Ratify v1.4 (the last chart line with the azurekeyvault key management provider values). */
export const RATIFY_CHART = {
  name: "ratify",
  version: "1.15.0",
  repository: "https://notaryproject.github.io/ratify",
} as const;

/** Gatekeeper's namespace on AKS with the Azure Policy add-on; Ratify runs next to it. */
export const GATEKEEPER_NAMESPACE = "gatekeeper-system";
export const RATIFY_SERVICE_ACCOUNT = "ratify-admin";
/** The external data provider the Ratify chart registers with Gatekeeper. */
const RATIFY_PROVIDER = "ratify-provider";

export interface ImageIntegrityArgs extends Placement {
  subscriptionId: pulumi.Input<string>;
  tenantId: pulumi.Input<string>;
  identityName: string;
  cluster: { oidcIssuerUrl: pulumi.Input<string> };
  registry: { registryId: pulumi.Input<string>; loginServer: pulumi.Input<string> };
  vault: { vaultId: pulumi.Input<string>; vaultUri: pulumi.Input<string> };
  signingCertificate: ImageIntegrityConfig["signingCertificate"];
  /** The repository (in the stack's registry) whose images must carry a trusted signature. */
  imageRepository: string;
  /** The namespace where unsigned images are denied (or only reported). */
  namespace: pulumi.Input<string>;
  enforcement: ImageIntegrityConfig["enforcement"];
}

/**
 * Gatekeeper asks Ratify about every image of a pod; a failed verification, an error or Ratify
 * being unreachable is a violation (fail closed when the constraint denies).
 */
export const RATIFY_VERIFICATION_REGO = `package ratifyverification

images[image] { image := input.review.object.spec.containers[_].image }
images[image] { image := input.review.object.spec.initContainers[_].image }
images[image] { image := input.review.object.spec.ephemeralContainers[_].image }

verification := external_data({"provider": "${RATIFY_PROVIDER}", "keys": [image | images[image]]})

violation[{"msg": msg}] {
  verification.system_error != ""
  msg := sprintf("image signatures could not be verified: %v", [verification.system_error])
}

violation[{"msg": msg}] {
  failure := verification.errors[_]
  msg := sprintf("image %v could not be verified: %v", [failure[0], failure[1]])
}

violation[{"msg": msg}] {
  result := verification.responses[_]
  result[1].isSuccess == false
  msg := sprintf("image %v has no valid signature from the trusted signing certificate", [result[0]])
}
`;

/** Values of the Ratify chart: Notation only, trusting the Key Vault certificate. */
export function ratifyValues(args: ImageIntegrityArgs, clientId: pulumi.Input<string>) {
  const { signingCertificate: certificate } = args;
  return {
    featureFlags: { RATIFY_CERT_ROTATION: true },
    // The Azure Policy add-on's Gatekeeper runs no mutation webhook for external data.
    provider: { enableMutation: false },
    serviceAccount: { create: true, name: RATIFY_SERVICE_ACCOUNT },
    azureWorkloadIdentity: { clientId },
    oras: { authProviders: { azureWorkloadIdentityEnabled: true } },
    azurekeyvault: {
      enabled: true,
      vaultURI: args.vault.vaultUri,
      tenantID: args.tenantId,
      // The latest version, plus versions kept trusted during a rotation.
      certificates: [
        { name: certificate.name },
        ...certificate.previousVersions.map((version) => ({ name: certificate.name, version })),
      ],
      refreshInterval: "1h",
    },
    notation: {
      enabled: true,
      trustPolicies: [
        {
          name: "platform-images",
          registryScopes: [
            pulumi.interpolate`${args.registry.loginServer}/${args.imageRepository}`,
          ],
          signatureVerification: { level: "strict" },
          trustStores: [{ ca: "certs" }],
          trustedIdentities: [`x509.subject: ${certificate.subject}`],
        },
      ],
    },
    cosign: { enabled: false },
  };
}

/**
 * Image integrity on the cluster (control AKS-12): Ratify verifies Notation signatures against
 * the signing certificate in Key Vault, and a Gatekeeper constraint denies (or, in dryrun, only
 * reports) pods in the app namespace whose images are not signed by it.
 */
export class ImageIntegrity extends pulumi.ComponentResource {
  readonly identityClientId: pulumi.Output<string>;

  constructor(name: string, args: ImageIntegrityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:kubernetes:ImageIntegrity", name, {}, opts);
    const identity = this.ratifyIdentity(name, args);
    const template = new k8s.apiextensions.CustomResource(
      `${name}-template`,
      {
        apiVersion: "templates.gatekeeper.sh/v1",
        kind: "ConstraintTemplate",
        metadata: { name: "ratifyverification" },
        spec: {
          crd: { spec: { names: { kind: "RatifyVerification" } } },
          targets: [{ target: "admission.k8s.gatekeeper.sh", rego: RATIFY_VERIFICATION_REGO }],
        },
      },
      { parent: this },
    );
    const ratify = new k8s.helm.v3.Release(
      `${name}-ratify`,
      {
        name: "ratify",
        chart: RATIFY_CHART.name,
        version: RATIFY_CHART.version,
        repositoryOpts: { repo: RATIFY_CHART.repository },
        namespace: GATEKEEPER_NAMESPACE,
        createNamespace: false,
        atomic: true,
        values: ratifyValues(args, identity.clientId),
      },
      { parent: this, dependsOn: identity.grants },
    );
    new k8s.apiextensions.CustomResource(
      `${name}-constraint`,
      {
        apiVersion: "constraints.gatekeeper.sh/v1beta1",
        kind: "RatifyVerification",
        metadata: { name: "signed-images-only" },
        spec: {
          enforcementAction: args.enforcement,
          match: {
            kinds: [{ apiGroups: [""], kinds: ["Pod"] }],
            namespaces: [args.namespace],
          },
        },
      },
      { parent: this, dependsOn: [template, ratify] },
    );
    this.identityClientId = identity.clientId;
    this.registerOutputs({ identityClientId: this.identityClientId });
  }

  /** Ratify's workload identity: pull signatures from the registry, read the certificate. */
  private ratifyIdentity(name: string, args: ImageIntegrityArgs) {
    const child = { parent: this };
    const identity = new managedidentity.UserAssignedIdentity(
      `${name}-identity`,
      { ...placementOf(args), resourceName: args.identityName },
      child,
    );
    const federation = new managedidentity.FederatedIdentityCredential(
      `${name}-workload`,
      {
        resourceGroupName: args.resourceGroupName,
        resourceName: identity.name,
        federatedIdentityCredentialResourceName: `${GATEKEEPER_NAMESPACE}-${RATIFY_SERVICE_ACCOUNT}`,
        issuer: args.cluster.oidcIssuerUrl,
        subject: serviceAccountSubject({
          namespace: GATEKEEPER_NAMESPACE,
          name: RATIFY_SERVICE_ACCOUNT,
        }),
        audiences: [TOKEN_EXCHANGE_AUDIENCE],
      },
      child,
    );
    const assign = (role: BuiltInRole, scope: pulumi.Input<string>) =>
      assignRole(
        `${name}-${role}`,
        {
          subscriptionId: args.subscriptionId,
          principalId: identity.principalId,
          role,
          scope,
          grantee: "ratify",
        },
        child,
      );
    const grants = [
      assign("acrPull", args.registry.registryId),
      // Ratify reads the certificate chain through the secret endpoint (non-exportable key).
      assign("keyVaultCertificateUser", args.vault.vaultId),
      assign("keyVaultSecretsUser", args.vault.vaultId),
    ];
    return { clientId: identity.clientId, grants: [federation, ...grants] };
  }
}

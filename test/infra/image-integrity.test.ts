import { describe, expect, it } from "vitest";
import { BUILT_IN_ROLES } from "../../infra/azure/roles";
import { parsePlatformConfig } from "../../infra/config";
import {
  ImageIntegrityArgs,
  RATIFY_CHART,
  RATIFY_VERIFICATION_REGO,
  ratifyValues,
} from "../../infra/kubernetes/image-integrity";
import { loadProjectStack, PROJECT_ROOT } from "../../tools/engine";
import {
  byName,
  inputsOf,
  onlyInputs,
  resourcesOfType,
  STACKS,
  type StackName,
} from "../support/stacks";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const CONSTRAINT = "kubernetes:constraints.gatekeeper.sh/v1beta1:RatifyVerification";
const TEMPLATE = "kubernetes:templates.gatekeeper.sh/v1:ConstraintTemplate";

const integrityConfig = (stack: StackName) => {
  const config = parsePlatformConfig(loadProjectStack(PROJECT_ROOT, stack).config).imageIntegrity;
  if (!config) throw new Error(`${stack} has no imageIntegrity config`);
  return config;
};

describe.each(STACKS)("image integrity (%s)", (stack) => {
  it("installs a pinned Ratify chart next to Gatekeeper", () => {
    const release = onlyInputs(stack, RELEASE);
    expect(release.chart).toBe("ratify");
    expect(release.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(release.version).toBe(RATIFY_CHART.version);
    expect(release.repositoryOpts.repo).toMatch(/^https:\/\//);
    expect(release.namespace).toBe("gatekeeper-system");
  });

  it("verifies Notation signatures against the Key Vault signing certificate only", () => {
    const { values } = onlyInputs(stack, RELEASE);
    const certificate = integrityConfig(stack).signingCertificate;
    expect(values.azurekeyvault).toMatchObject({
      enabled: true,
      vaultURI: `https://kv-contoso-${stack}.vault.azure.net/`,
      certificates: [{ name: certificate.name }],
    });
    expect(values.azurekeyvault.tenantID).toMatch(/^[0-9a-f-]{36}$/);
    expect(values.notation.enabled).toBe(true);
    expect(values.cosign.enabled).toBe(false);
    expect(values.notation.trustPolicies).toEqual([
      {
        name: "platform-images",
        registryScopes: [`acrcontoso${stack}.azurecr.io/apps/items-api`],
        signatureVerification: { level: "strict" },
        trustStores: [{ ca: "certs" }],
        trustedIdentities: [`x509.subject: ${certificate.subject}`],
      },
    ]);
  });

  it("runs Ratify as its own workload identity that may pull and read the certificate", () => {
    const identity = byName(stack, "image-integrity-identity");
    const release = resourcesOfType(stack, RELEASE)[0];
    expect(inputsOf(release).values.azureWorkloadIdentity.clientId).toMatch(/^[0-9a-f-]{36}$/);
    expect(release.propertyDependencies.values).toContain(identity.urn);
    const credential = byName(stack, "image-integrity-workload");
    expect(inputsOf(credential).subject).toBe(
      "system:serviceaccount:gatekeeper-system:ratify-admin",
    );
    expect(credential.propertyDependencies.issuer).toContain(byName(stack, "cluster-aks").urn);
    expect(inputsOf(credential).issuer).toMatch(/^https:\/\/.+oic\.prod-aks\.azure\.com\//);
    const grants = resourcesOfType(stack, "azure-native:authorization:RoleAssignment")
      .filter((assignment) => assignment.propertyDependencies.principalId?.includes(identity.urn))
      .map(inputsOf)
      .map((assignment) => [assignment.roleDefinitionId.split("/").pop(), assignment.scope])
      .sort();
    expect(grants).toEqual(
      [
        [BUILT_IN_ROLES.acrPull, byName(stack, "registry-acr").id],
        [BUILT_IN_ROLES.keyVaultCertificateUser, byName(stack, "keyvault-vault").id],
        [BUILT_IN_ROLES.keyVaultSecretsUser, byName(stack, "keyvault-vault").id],
      ].sort(),
    );
    for (const grant of ["acrPull", "keyVaultCertificateUser", "keyVaultSecretsUser"]) {
      expect(release.dependencies).toContain(byName(stack, `image-integrity-${grant}`).urn);
    }
  });

  it("enforces verification on the app namespace's pods as config says", () => {
    const constraint = resourcesOfType(stack, CONSTRAINT);
    expect(constraint).toHaveLength(1);
    const { spec } = inputsOf(constraint[0]);
    expect(spec.enforcementAction).toBe(integrityConfig(stack).enforcement);
    expect(spec.match).toEqual({
      kinds: [{ apiGroups: [""], kinds: ["Pod"] }],
      namespaces: ["items"],
    });
    for (const prerequisite of [TEMPLATE, RELEASE]) {
      expect(constraint[0].dependencies).toContain(resourcesOfType(stack, prerequisite)[0].urn);
    }
  });

  it("defines the RatifyVerification template over every container image", () => {
    const template = onlyInputs(stack, TEMPLATE);
    expect(template.spec.crd.spec.names.kind).toBe("RatifyVerification");
    const [target] = template.spec.targets;
    expect(target.target).toBe("admission.k8s.gatekeeper.sh");
    expect(target.rego).toBe(RATIFY_VERIFICATION_REGO);
  });
});

describe("image integrity differences", () => {
  it("denies unsigned images in prod and only reports them in dev", () => {
    expect(onlyInputs("prod", CONSTRAINT).spec.enforcementAction).toBe("deny");
    expect(onlyInputs("dev", CONSTRAINT).spec.enforcementAction).toBe("dryrun");
  });
});

describe("Gatekeeper rego", () => {
  it("asks Ratify about containers, init and ephemeral containers and fails closed", () => {
    for (const field of ["containers", "initContainers", "ephemeralContainers"]) {
      expect(RATIFY_VERIFICATION_REGO).toContain(`input.review.object.spec.${field}[_].image`);
    }
    expect(RATIFY_VERIFICATION_REGO).toContain('"provider": "ratify-provider"');
    expect(RATIFY_VERIFICATION_REGO).toMatch(/verification\.system_error != ""/);
    expect(RATIFY_VERIFICATION_REGO).toMatch(/result\[1\]\.isSuccess == false/);
  });
});

describe("certificate rotation", () => {
  it("keeps previous versions trusted next to the latest while they are listed", () => {
    const args = {
      vault: { vaultId: "/v", vaultUri: "https://kv.vault.azure.net/" },
      registry: { registryId: "/r", loginServer: "acr.azurecr.io" },
      tenantId: "t",
      imageRepository: "apps/x",
      signingCertificate: {
        name: "notation-signing",
        subject: "CN=s,O=o,ST=st,C=NL",
        previousVersions: ["0123456789abcdef0123456789abcdef"],
      },
    } as unknown as ImageIntegrityArgs;
    expect(ratifyValues(args, "client").azurekeyvault.certificates).toEqual([
      { name: "notation-signing" },
      { name: "notation-signing", version: "0123456789abcdef0123456789abcdef" },
    ]);
  });
});

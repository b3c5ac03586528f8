import { describe, expect, it } from "vitest";
import { ITEMS_SCOPES } from "../../app/src/auth/scopes";
import { BUILT_IN_ROLES } from "../../infra/azure/roles";
import { APP_ROUTING } from "../../infra/kubernetes/ingress";
import { inputsOf, onlyInputs, recordedStack, resourcesOfType, STACKS } from "../support/stacks";

const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
const ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment";

const HOSTS = { dev: "items.dev.items.contoso.example", prod: "items.prod.items.contoso.example" };

describe.each(STACKS)("exposure of the items API (%s)", (stack) => {
  const ingress = () => onlyInputs(stack, INGRESS);
  const container = () =>
    onlyInputs(stack, "kubernetes:apps/v1:Deployment").spec.template.spec.containers[0];

  it("enables AKS application routing with the stack's DNS zone", () => {
    const cluster = onlyInputs(stack, "azure-native:containerservice:ManagedCluster");
    const zoneType =
      stack === "dev" ? "azure-native:dns:Zone" : "azure-native:privatedns:PrivateZone";
    const zones = resourcesOfType(stack, zoneType)
      .map(inputsOf)
      .filter((zone) => (zone.zoneName ?? zone.privateZoneName)?.includes("items.contoso.example"));
    expect(zones).toHaveLength(1);
    const routing = cluster.ingressProfile.webAppRouting;
    expect(routing.enabled).toBe(true);
    expect(routing.dnsZoneResourceIds).toHaveLength(1);
    expect(routing.dnsZoneResourceIds[0]).toMatch(
      stack === "dev" ? /\/providers\/Microsoft.Dns\/zones\// : /\/privateZones\//,
    );
    // Prod's controller gets a private IP only; dev may be public.
    expect(routing.nginx.defaultIngressControllerType).toBe(
      stack === "prod" ? "Internal" : "External",
    );
  });

  it("has an Ingress with TLS for its one host, the certificate from Key Vault, only /api routed", () => {
    const { metadata, spec } = ingress();
    expect(spec.ingressClassName).toBe(APP_ROUTING.ingressClassName);
    expect(spec.rules.map((rule: { host: string }) => rule.host)).toEqual([HOSTS[stack]]);
    expect(spec.tls).toEqual([{ hosts: [HOSTS[stack]], secretName: "keyvault-items-api" }]);
    expect(metadata.annotations[APP_ROUTING.certificateAnnotation]).toBe(
      `https://kv-contoso-${stack}.vault.azure.net/certificates/items-api-tls`,
    );
    expect(metadata.annotations["nginx.ingress.kubernetes.io/force-ssl-redirect"]).toBe("true");
    const paths = spec.rules[0].http.paths;
    expect(paths).toEqual([expect.objectContaining({ path: "/api", pathType: "Prefix" })]);
    expect(paths[0].backend.service.port).toEqual({ name: "http" });
    expect(recordedStack(stack).outputs.appUrl.value).toBe(`https://${HOSTS[stack]}`);
  });

  it("lets application routing's identity manage the zone's records and read the one certificate", () => {
    const roles = resourcesOfType(stack, ROLE_ASSIGNMENT)
      .map(inputsOf)
      .filter((role) => role.description?.includes("application routing"));
    const dnsRole =
      stack === "dev"
        ? BUILT_IN_ROLES.dnsZoneContributor
        : BUILT_IN_ROLES.privateDnsZoneContributor;
    expect(roles.map((role) => role.roleDefinitionId.split("/").pop()).sort()).toEqual(
      [dnsRole, BUILT_IN_ROLES.keyVaultSecretsUser].sort(),
    );
    const certificate = roles.find((role) =>
      role.roleDefinitionId.endsWith(BUILT_IN_ROLES.keyVaultSecretsUser),
    );
    expect(certificate.scope).toMatch(/\/vaults\/kv-contoso-\w+\/secrets\/items-api-tls$/);
  });

  it("admits exactly the ingress controller's pods, on the API port only", () => {
    const policy = resourcesOfType(stack, "kubernetes:networking.k8s.io/v1:NetworkPolicy")
      .map(inputsOf)
      .find((candidate) => candidate.metadata.name === "items-api-allow-ingress");
    expect(policy.spec.ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: {
              matchLabels: { "kubernetes.io/metadata.name": APP_ROUTING.namespace },
            },
            podSelector: { matchLabels: APP_ROUTING.controllerPodLabels },
          },
        ],
        ports: [{ protocol: "TCP", port: 8080 }],
      },
    ]);
  });

  it("serves /metrics on a port of its own and drains before it stops", () => {
    expect(container().ports).toEqual([
      { name: "http", containerPort: 8080 },
      { name: "metrics", containerPort: 9090 },
    ]);
    const env = Object.fromEntries(
      container().env.map((variable: { name: string; value: string }) => [
        variable.name,
        variable.value,
      ]),
    );
    expect(env.METRICS_PORT).toBe("9090");
    expect(container().lifecycle.preStop).toEqual({ sleep: { seconds: 5 } });
    const pod = onlyInputs(stack, "kubernetes:apps/v1:Deployment").spec.template.spec;
    // preStop + drain + in-flight bound fit in the grace period.
    expect(5 + Number(env.SHUTDOWN_DRAIN_MS) / 1000 + 10).toBeLessThan(
      pod.terminationGracePeriodSeconds,
    );
  });

  it("validates Entra ID tokens for the API's own application (scopes and app roles)", () => {
    const application = onlyInputs(stack, "azuread:index/application:Application");
    expect(application.displayName).toBe(`items-api-contoso-${stack}`);
    expect(application.signInAudience).toBe("AzureADMyOrg");
    expect(application.api.requestedAccessTokenVersion).toBe(2);
    const values = (entries: { value: string }[]) => entries.map((entry) => entry.value);
    expect(values(application.api.oauth2PermissionScopes)).toEqual([
      ITEMS_SCOPES.read,
      ITEMS_SCOPES.write,
    ]);
    expect(values(application.appRoles)).toEqual([ITEMS_SCOPES.read, ITEMS_SCOPES.write]);
    expect(onlyInputs(stack, "azuread:index/servicePrincipal:ServicePrincipal")).toMatchObject({
      appRoleAssignmentRequired: true,
    });
    const env = container().env.map((variable: { name: string }) => variable.name);
    expect(env).toEqual(expect.arrayContaining(["AUTH_TENANT_ID", "AUTH_AUDIENCE"]));
    expect(env).not.toContain("AUTH_DISABLED");
  });
});

import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { isLocatedType, isTaggableType } from "../../policy-pack/facts/resources";
import {
  canonicalType,
  CLASSIC,
  controlsFor,
  RENAMED_IN_V3,
  resolveType,
} from "../../policy-pack/facts/types";
import { allPolicies } from "../../policy-pack/policies";
import { UNDECLARED_COVERAGE } from "../../policy-pack/policies/shared/control";
import { generate, OUTPUT, render, SDK_DIR } from "../../scripts/azure-native-resources";

/**
 * The alias table (policy-pack/facts/types.ts), the coverage every policy declares, and the
 * generated list of taggable/located types. The checks through the analyzer are in
 * aliases.test.ts; these read the pack's modules directly.
 */

const REDIS = "azure-native:redis:Redis";
const CLUSTER = "azure-native:containerservice:ManagedCluster";

describe("resolveType", () => {
  it("strips the API version of any azure-native module, by rule", () => {
    expect(resolveType("azure-native:containerservice/v20190601:ManagedCluster")).toEqual({
      canonical: CLUSTER,
    });
    expect(canonicalType("azure-native:storage/v20230101:StorageAccount")).toBe(
      "azure-native:storage:StorageAccount",
    );
    expect(canonicalType("azure-native:dbforpostgresql/v20221201preview:Server")).toBe(
      "azure-native:dbforpostgresql:Server",
    );
  });

  it("maps v2 names renamed in v3, also when versioned", () => {
    expect(canonicalType("azure-native:cache:Redis")).toBe(REDIS);
    expect(canonicalType("azure-native:cache/v20230401:Redis")).toBe(REDIS);
    expect(canonicalType("azure-native:insights:DiagnosticSetting")).toBe(
      "azure-native:monitor:DiagnosticSetting",
    );
    expect(canonicalType("azure-native:network/v20200601:PrivateZone")).toBe(
      "azure-native:privatedns:PrivateZone",
    );
  });

  it("a v3 token is itself; other providers and classic types without an entry are unknown", () => {
    expect(resolveType(REDIS)).toEqual({ canonical: REDIS });
    expect(resolveType("kubernetes:apps/v1:Deployment")).toBeUndefined();
    expect(resolveType("github:index/repository:Repository")).toBeUndefined();
    expect(resolveType("azure:storage/account:Account")).toBeUndefined();
    expect(canonicalType("azure:storage/account:Account")).toBe("azure:storage/account:Account");
  });

  it("a classic type names its controls and translates its inputs lazily, only those set", () => {
    const resolution = resolveType("azure:containerservice/kubernetesCluster:KubernetesCluster");
    expect(resolution?.canonical).toBe(CLUSTER);
    expect(resolution?.controls).toEqual(["AKS-02", "AKS-03", "GEN-01"]);
    const translated = resolution!.translate!({
      networkProfile: { networkPlugin: "azure", networkPolicy: "cilium" },
      azureActiveDirectoryRoleBasedAccessControl: { azureRbacEnabled: true },
      localAccountDisabled: true,
    });
    expect(JSON.parse(JSON.stringify(translated))).toEqual({
      networkProfile: { networkPolicy: "cilium" },
      aadProfile: { managed: true, enableAzureRBAC: true },
      disableLocalAccounts: true,
    });
    expect(resolution!.translate!({})).toEqual({});

    let reads = 0;
    const watched = new Proxy(
      { rbacAuthorizationEnabled: true, purgeProtectionEnabled: true },
      {
        get: (target, key) => {
          reads++;
          return target[key as keyof typeof target];
        },
      },
    );
    const vault = resolveType("azure:keyvault/keyVault:KeyVault")!.translate!(watched);
    expect(reads).toBe(0);
    expect((vault.properties as Record<string, unknown>).enablePurgeProtection).toBe(true);
    expect(reads).toBe(1);
    // The deprecated name counts when the new one is not set.
    const old = resolveType("azure:keyvault/keyVault:KeyVault")!.translate!({
      enableRbacAuthorization: true,
    });
    expect(old).toEqual({ properties: { enableRbacAuthorization: true } });
  });
});

/** The aliases the v3 SDK declares on a resource (`aliases: [{ type: "..." }]` in its .js). */
function sdkAliases(token: string): string[] {
  const [, module, name] = token.split(":");
  const file = path.join(SDK_DIR, module, `${name[0].toLowerCase()}${name.slice(1)}.js`);
  const script = fs.readFileSync(file, "utf8");
  expect(script).toContain(`__pulumiType = '${token}'`);
  const aliases = /aliases: \[([^\]]*)\]/.exec(script)?.[1] ?? "";
  return [...aliases.matchAll(/type: "([^"]+)"/g)].map((match) => match[1]);
}

describe("the alias table against the SDK and the pack", () => {
  it.each(Object.entries(RENAMED_IN_V3))("%s is an alias the v3 SDK declares on %s", (v2, v3) => {
    expect(sdkAliases(v3)).toContain(v2);
  });

  it("every v3 target and classic canonical type is a resource of the installed SDK", () => {
    const targets = [
      ...Object.values(RENAMED_IN_V3),
      ...Object.values(CLASSIC).map((entry) => entry.canonical),
    ];
    for (const target of targets) expect(sdkAliases(target)).toBeInstanceOf(Array);
  });

  it("each control a classic entry lists exists and covers its canonical type", () => {
    const byId = new Map(allPolicies.map((policy) => [policy.control.id, policy]));
    for (const [token, entry] of Object.entries(CLASSIC)) {
      for (const id of entry.controls) {
        expect(byId.get(id), `${token} lists ${id}`).toBeDefined();
        expect(byId.get(id)!.covers(entry.canonical), `${id} covers ${entry.canonical}`).toBe(true);
      }
    }
  });
});

describe("coverage metadata", () => {
  it("every policy declares the types it reads (resourceType, resourceTypes or a predicate)", () => {
    const undeclared = allPolicies
      .filter((policy) => policy.covers === UNDECLARED_COVERAGE)
      .map((policy) => policy.name);
    expect(undeclared).toEqual([]);
  });

  it("every policy covers at least one type of the catalog's providers", () => {
    const data = JSON.parse(fs.readFileSync(OUTPUT, "utf8")) as { tagged: string[] };
    const samples = [
      ...data.tagged,
      "azure-native:monitor:DiagnosticSetting",
      "azure-native:security:Pricing",
      "azure-native:authorization:PolicyAssignment",
      "azure-native:managedidentity:FederatedIdentityCredential",
      "azure-native:securityinsights:SentinelOnboardingState",
      "azure-native:securityinsights:ScheduledAlertRule",
      "kubernetes:core/v1:Namespace",
      "kubernetes:apps/v1:Deployment",
      "kubernetes:helm.sh/v3:Release",
      "kubernetes:networking.k8s.io/v1:Ingress",
      "kubernetes:core/v1:Service",
      ...[
        "organizationSettings:OrganizationSettings",
        "team:Team",
        "repository:Repository",
        "actionsOrganizationWorkflowPermissions:ActionsOrganizationWorkflowPermissions",
        "actionsSecret:ActionsSecret",
      ].map((type) => `github:index/${type}`),
    ];
    for (const policy of allPolicies) {
      expect(
        samples.some((type) => policy.covers(type)),
        `${policy.name} covers none of the sample types`,
      ).toBe(true);
    }
  });

  it("controlsFor: a v2 cache is checked like a v3 one", () => {
    const v3 = controlsFor(REDIS, allPolicies);
    expect(v3).toEqual(
      expect.arrayContaining(["RED-01", "RED-02", "RED-03", "RED-04", "RED-05", "MON-04"]),
    );
    expect(v3).toEqual(expect.arrayContaining(["GEN-01", "GEN-02"]));
    expect(controlsFor("azure-native:cache:Redis", allPolicies)).toEqual(v3);
    expect(controlsFor("azure-native:cache/v20230401:Redis", allPolicies)).toEqual(v3);
  });

  it("controlsFor: a classic type gets exactly the controls of its entry", () => {
    expect(controlsFor("azure:redis/cache:Cache", allPolicies)).toEqual([
      "RED-01",
      "RED-02",
      "GEN-01",
    ]);
    expect(
      controlsFor("azure:containerservice/kubernetesCluster:KubernetesCluster", allPolicies),
    ).toEqual(["AKS-02", "AKS-03", "GEN-01"]);
    expect(controlsFor("azure:storage/account:Account", allPolicies)).toEqual([]);
  });

  it("controlsFor: evidence types and Kubernetes workloads", () => {
    expect(controlsFor("azure-native:insights:DiagnosticSetting", allPolicies)).toEqual(
      expect.arrayContaining(["AKS-10", "KV-05", "MON-04"]),
    );
    expect(controlsFor("kubernetes:apps/v1:Deployment", allPolicies)).toEqual(
      expect.arrayContaining(["K8S-03", "K8S-04", "K8S-05", "K8S-06", "K8S-07"]),
    );
    expect(controlsFor("azure-native:security:SecurityConnector", allPolicies)).toEqual([
      "GH-10",
      "GEN-01",
      "GEN-02",
    ]);
    expect(controlsFor("random:index/randomString:RandomString", allPolicies)).toEqual([]);
  });
});

describe("taggable and located types (policy-pack/facts/azure-native-resources.json)", () => {
  it("the committed file is what scripts/azure-native-resources.ts generates now", () => {
    expect(fs.readFileSync(OUTPUT, "utf8")).toBe(render(generate()));
  });

  it("decides by the SDK's Args: tracked resources take both, extension resources not", () => {
    for (const type of [
      "azure-native:resources:ResourceGroup",
      REDIS,
      CLUSTER,
      "azure-native:network:VirtualNetwork",
    ]) {
      expect(isTaggableType(type), type).toBe(true);
      expect(isLocatedType(type), type).toBe(true);
    }
    // A location (for the assignment's managed identity) but no tags.
    expect(isTaggableType("azure-native:authorization:PolicyAssignment")).toBe(false);
    expect(isLocatedType("azure-native:authorization:PolicyAssignment")).toBe(true);
    for (const type of ["azure-native:monitor:DiagnosticSetting", "azure-native:network:Subnet"]) {
      expect(isTaggableType(type), type).toBe(false);
      expect(isLocatedType(type), type).toBe(false);
    }
    // `tags` that is not a string map (a list of strings) is not GEN-01's kind of tags.
    expect(isTaggableType("azure-native:applicationinsights:Favorite")).toBe(false);
  });
});

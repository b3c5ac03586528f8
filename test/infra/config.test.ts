import { describe, expect, it } from "vitest";
import { ConfigError, parsePlatformConfig } from "../../infra/config";
import { loadProjectStack, PROJECT_ROOT } from "../../tools/engine";

const devConfig = () => loadProjectStack(PROJECT_ROOT, "dev").config;

/** The dev stack's raw config with some keys changed (undefined removes a key). */
function withChanges(changes: Record<string, unknown>): Record<string, string> {
  const raw = devConfig();
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete raw[key];
    else raw[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return raw;
}

function problemsOf(changes: Record<string, unknown>): string[] {
  try {
    parsePlatformConfig(withChanges(changes));
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error("expected the config to be rejected");
}

const cluster = () => JSON.parse(devConfig()["aks-devsecops:cluster"]);

describe("stack config", () => {
  it("parses both stack files and fills defaults", () => {
    const dev = parsePlatformConfig(devConfig());
    expect(dev.cluster.tcpKeepalive).toEqual({ timeSeconds: 120, intervalSeconds: 15, probes: 5 });
    // No retention unless a stack asks for it: Notation signatures are untagged referrers.
    expect(dev.registry.untaggedRetentionDays).toBeUndefined();
    const prod = parsePlatformConfig(loadProjectStack(PROJECT_ROOT, "prod").config);
    expect(prod.network.privateEndpoints).toBe(true);
  });

  it("checks the exposure (ingress) key, and leaves it optional", () => {
    const problems = problemsOf({
      "aks-devsecops:ingress": {
        dnsZoneName: "not a zone",
        zoneType: "public",
        loadBalancer: "public",
        hostName: "Items",
      },
    });
    expect(problems).toEqual([
      'aks-devsecops:ingress.dnsZoneName: expected a DNS zone name such as dev.items.contoso.example (got "not a zone")',
      "aks-devsecops:ingress.hostName: expected a DNS label (lower case, digits, '-') (got \"Items\")",
      'aks-devsecops:ingress.loadBalancer: Invalid option: expected one of "external"|"internal" (got "public")',
    ]);
    expect(parsePlatformConfig(withChanges({ "aks-devsecops:ingress": undefined })).ingress).toBe(
      undefined,
    );
    expect(parsePlatformConfig(devConfig()).ingress).toMatchObject({
      hostName: "items",
      certificateName: "items-api-tls",
    });
  });

  it("names a missing required key", () => {
    expect(problemsOf({ "aks-devsecops:owner": undefined })).toEqual([
      "aks-devsecops:owner: Invalid input: expected string, received undefined (got missing)",
    ]);
    expect(problemsOf({ "azure-native:location": undefined })[0]).toMatch(
      /^azure-native:location: .*missing/,
    );
  });

  it("names the key, the bad value and what is allowed", () => {
    const [problem] = problemsOf({
      "aks-devsecops:cluster": { ...cluster(), networkPolicy: "weave" },
    });
    expect(problem).toMatch(
      /^aks-devsecops:cluster\.networkPolicy: .*"azure".*"calico".*"cilium".*\(got "weave"\)$/,
    );
  });

  it("reports several bad keys together", () => {
    const problems = problemsOf({
      "aks-devsecops:monitoring": { retentionInDays: 7 },
      "aks-devsecops:keyVault": { softDeleteRetentionInDays: 200, publicNetworkAccess: true },
      "aks-devsecops:namePrefix": "Bad_Prefix",
    });
    expect(problems).toHaveLength(3);
    expect(problems.join("\n")).toMatch(/monitoring\.retentionInDays: .*>=30 \(got 7\)/);
    expect(problems.join("\n")).toMatch(/keyVault\.softDeleteRetentionInDays: .*<=90 \(got 200\)/);
    expect(problems.join("\n")).toMatch(/namePrefix: expected 3-10 lower-case/);
  });

  it("rejects unknown keys so typos do not pass silently", () => {
    expect(problemsOf({ "aks-devsecops:registy": { sku: "Basic" } })).toEqual([
      "aks-devsecops:registy: unknown key (check the spelling; see README for the keys this stack reads)",
    ]);
    expect(
      problemsOf({ "aks-devsecops:cluster": { ...cluster(), privateClustr: true } })[0],
    ).toMatch(/^aks-devsecops:cluster\.privateClustr: unknown key/);
  });

  it("checks rules that span keys", () => {
    expect(
      problemsOf({ "aks-devsecops:registry": { sku: "Basic", publicNetworkAccess: false } }),
    ).toEqual([
      "aks-devsecops:registry.publicNetworkAccess: needs network.privateEndpoints: true, or the registry is unreachable (got false)",
      'aks-devsecops:registry.sku: only Premium registries take private endpoints; use Premium or allow public access (got "Basic")',
    ]);
    expect(
      problemsOf({
        "aks-devsecops:redis": {
          sku: "Premium",
          family: "C",
          capacity: 1,
          publicNetworkAccess: true,
        },
      })[0],
    ).toMatch(/redis\.family: does not match sku Premium; allowed: P/);
    expect(
      problemsOf({
        "aks-devsecops:redis": {
          service: "managed",
          publicNetworkAccess: true,
          entraIdAuthentication: false,
        },
      }),
    ).toEqual([
      "aks-devsecops:redis.entraIdAuthentication: Azure Managed Redis is set up with Microsoft Entra ID only (access keys off); allowed: true, or service: cache (got false)",
    ]);
    expect(problemsOf({ "aks-devsecops:redis": { service: "classic" } })[0]).toMatch(
      /^aks-devsecops:redis\.service: /,
    );
    expect(problemsOf({ "aks-devsecops:redis": { managed: { sku: "Premium_P1" } } })[0]).toMatch(
      /redis\.managed\.sku: expected an Azure Managed Redis SKU such as Balanced_B0/,
    );
    expect(
      problemsOf({
        "aks-devsecops:app": {
          ...JSON.parse(devConfig()["aks-devsecops:app"]),
          replicas: 3,
          maxReplicas: 2,
        },
      }),
    ).toEqual([
      "aks-devsecops:app.maxReplicas: is smaller than replicas (3); allowed: 3 or more (got 2)",
    ]);
    expect(
      problemsOf({
        "aks-devsecops:cluster": { ...cluster(), authorizedIpRanges: ["0.0.0.0/0"] },
      })[0],
    ).toMatch(/cluster\.authorizedIpRanges: must not contain a \/0 range/);
    expect(problemsOf({ "azure-native:location": "eastus" })[0]).toMatch(
      /^azure-native:location: is not in allowedLocations/,
    );
  });

  it("rejects what the AKS, ACR and Key Vault APIs refuse across keys (issue 14, item 15)", () => {
    const withCluster = (changes: Record<string, unknown>) =>
      problemsOf({ "aks-devsecops:cluster": { ...cluster(), ...changes } });
    // networkPolicy cilium "requires networkDataplane to be 'cilium'" (ManagedCluster REST spec).
    expect(withCluster({ networkPolicy: "cilium", networkDataplane: "azure" })).toEqual([
      'aks-devsecops:cluster.networkPolicy: cilium needs networkDataplane: cilium (got azure); allowed with the azure dataplane: azure, calico (got "cilium")',
    ]);
    expect(withCluster({ networkPolicy: "calico", networkDataplane: "cilium" })).toEqual([
      'aks-devsecops:cluster.networkDataplane: cilium enforces network policy itself; it needs networkPolicy: cilium (got calico) (got "cilium")',
    ]);
    expect(withCluster({ supportPlan: "AKSLongTermSupport" })[0]).toMatch(
      /^aks-devsecops:cluster\.supportPlan: needs skuTier: Premium \(got Free\)/,
    );
    expect(withCluster({ privateCluster: true })[0]).toMatch(
      /^aks-devsecops:cluster\.authorizedIpRanges: has no effect on a private cluster/,
    );
    expect(withCluster({ userPool: { minCount: 3, maxCount: 2 } })[0]).toMatch(
      /^aks-devsecops:cluster\.userPool\.minCount: is larger than maxCount \(2\)/,
    );
    // Private endpoints need a Premium registry even with public access on.
    expect(
      problemsOf({
        "aks-devsecops:network": { privateEndpoints: true },
        "aks-devsecops:redis": {
          sku: "Basic",
          family: "C",
          capacity: 0,
          publicNetworkAccess: true,
        },
      }),
    ).toEqual([
      'aks-devsecops:registry.sku: network.privateEndpoints needs a Premium registry (only Premium takes private endpoints); use Premium or set network.privateEndpoints: false (got "Basic")',
    ]);
    expect(
      problemsOf({
        "aks-devsecops:registry": {
          sku: "Basic",
          publicNetworkAccess: true,
          untaggedRetentionDays: 7,
          zoneRedundancy: true,
        },
      }),
    ).toEqual([
      "aks-devsecops:registry.untaggedRetentionDays: needs sku Premium (got Basic): only Premium registries have a retention policy; remove it (got 7)",
      "aks-devsecops:registry.untaggedRetentionDays: deletes untagged manifests, and the Notation signatures imageIntegrity verifies are untagged referrers; remove it while imageIntegrity is set (got 7)",
      "aks-devsecops:registry.zoneRedundancy: needs sku Premium (got Basic); set zoneRedundancy: false or use Premium (got true)",
    ]);
    expect(
      problemsOf({
        "aks-devsecops:keyVault": {
          publicNetworkAccess: false,
          allowedIpRanges: ["203.0.113.0/24"],
        },
        "aks-devsecops:network": { privateEndpoints: true },
        "aks-devsecops:registry": { sku: "Premium", publicNetworkAccess: true },
        "aks-devsecops:redis": {
          sku: "Basic",
          family: "C",
          capacity: 0,
          publicNetworkAccess: true,
        },
      }),
    ).toEqual([
      'aks-devsecops:keyVault.allowedIpRanges: has no effect with publicNetworkAccess: false (the firewall applies to the public endpoint only); remove it or allow public access (got ["203.0.113.0/24"])',
    ]);
  });

  it("rejects a prefix that makes an Azure name too long", () => {
    const [problem] = problemsOf({
      "aks-devsecops:namePrefix": "contosoabc",
      "aks-devsecops:environment": "staging-eu1",
    });
    expect(problem).toMatch(
      /^aks-devsecops:namePrefix: with environment 'staging-eu1': keyVault name 'kv-contosoabc-staging-eu1' has 25 characters; allowed 3-24/,
    );
  });

  it("requires an image tag or digest", () => {
    expect(
      problemsOf({ "aks-devsecops:app": { namespace: "items", repository: "apps/items-api" } })[0],
    ).toMatch(/^aks-devsecops:app: name the image with tag or digest/);
  });
});

describe("app.importFrom", () => {
  const devApp = () => JSON.parse(devConfig()["aks-devsecops:app"]);
  const withImportFrom = (importFrom: string) => ({
    "aks-devsecops:app": { ...devApp(), importFrom },
  });

  it("is absent in dev and prod, and taken when it names a registry", () => {
    expect(parsePlatformConfig(devConfig()).app.importFrom).toBeUndefined();
    expect(parsePlatformConfig(prodConfig()).app.importFrom).toBeUndefined();
    const config = parsePlatformConfig(
      withChanges({ ...withImportFrom("acrContosoProd"), "aks-devsecops:environment": "pr-42" }),
    );
    expect(config.app.importFrom).toBe("acrContosoProd");
  });

  it.each(["acr", "a".repeat(51), "acr-contoso", "acrcontoso.azurecr.io", "acr$(id)", 'acr"x'])(
    "names the key and what is allowed for %j",
    (importFrom) => {
      expect(problemsOf(withImportFrom(importFrom))).toEqual([
        `aks-devsecops:app.importFrom: expected an Azure Container Registry name: 5-50 letters or digits (got ${JSON.stringify(importFrom)})`,
      ]);
    },
  );

  it("refuses the stack's own registry, in any case", () => {
    expect(problemsOf(withImportFrom("ACRContosoDev"))).toEqual([
      `aks-devsecops:app.importFrom: is this stack's own registry; name another registry to copy the image from (got "ACRContosoDev")`,
    ]);
  });
});

const prodConfig = () => loadProjectStack(PROJECT_ROOT, "prod").config;
const prodGithub = () => JSON.parse(prodConfig()["aks-devsecops:github"]);
const prodIntegrity = () => JSON.parse(prodConfig()["aks-devsecops:imageIntegrity"]);

/** Problems of the prod stack's config with some keys changed. */
function prodProblemsOf(changes: Record<string, unknown>): string[] {
  const raw = prodConfig();
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete raw[key];
    else raw[key] = JSON.stringify(value);
  }
  try {
    parsePlatformConfig(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error("expected the config to be rejected");
}

describe("github and image integrity config", () => {
  const github = (changes: Record<string, unknown>) =>
    prodProblemsOf({ "aks-devsecops:github": { ...prodGithub(), ...changes } });
  const repository = (changes: Record<string, unknown>) =>
    github({ repositories: [{ ...prodGithub().repositories[0], ...changes }] });

  it("parses both stacks: prod owns the organisation, dev only its environment", () => {
    const prod = parsePlatformConfig(prodConfig());
    expect(prod.github?.ownsOrganization).toBe(true);
    expect(prod.github?.environment.name).toBe("production");
    expect(prod.imageIntegrity?.enforcement).toBe("deny");
    const dev = parsePlatformConfig(devConfig());
    expect(dev.github?.ownsOrganization).toBe(false);
    expect(dev.github?.repositories[0].visibility).toBe("private");
    expect(dev.imageIntegrity?.enforcement).toBe("dryrun");
  });

  it("refuses public repositories and approvals below one", () => {
    const problems = repository({ visibility: "public", requiredApprovals: 0 });
    expect(problems).toEqual([
      expect.stringMatching(
        /^aks-devsecops:github\.repositories\.0\.visibility: .*"private"\|"internal" \(got "public"\)$/,
      ),
      expect.stringMatching(/^aks-devsecops:github\.repositories\.0\.requiredApprovals: .*>=1/),
    ]);
  });

  it("needs reviewers for production, chosen among the managed teams", () => {
    const environment = prodGithub().environment;
    expect(github({ environment: { ...environment, reviewersTeam: undefined } })).toEqual([
      expect.stringMatching(/^aks-devsecops:github\.environment: production needs a reviewersTeam/),
    ]);
    expect(github({ environment: { ...environment, reviewersTeam: "auditors" } })).toEqual([
      expect.stringMatching(
        /^aks-devsecops:github\.environment\.reviewersTeam: is not one of teams \(platform, security, developers\) \(got "auditors"\)$/,
      ),
    ]);
  });

  it("types what the owning stack manages as required (billing email, the App, teams)", () => {
    // A discriminated union on ownsOrganization: the schema itself asks for them.
    expect(github({ billingEmail: undefined, platformAppId: undefined })).toEqual([
      "aks-devsecops:github.billingEmail: is required with ownsOrganization (got missing)",
      "aks-devsecops:github.platformAppId: is required with ownsOrganization (the App the ruleset lets commit managed files) (got missing)",
    ]);
    expect(github({ teams: undefined, environment: prodGithub().environment })).toContain(
      "aks-devsecops:github.teams: name at least one team (mapped to Entra ID) (got {})",
    );
    expect(github({ ownsOrganization: "yes" })).toEqual([
      expect.stringMatching(/^aks-devsecops:github\.ownsOrganization: Invalid discriminator value/),
    ]);
  });

  it("asks the owning stack for what it manages: checks, code owners", () => {
    const problems = github({
      repositories: [
        { ...prodGithub().repositories[0], requiredStatusChecks: [], codeOwners: { "*": ["qa"] } },
      ],
    });
    expect(problems).toEqual([
      expect.stringMatching(
        /^aks-devsecops:github\.repositories\.0\.requiredStatusChecks: name at least one/,
      ),
      expect.stringMatching(
        /^aks-devsecops:github\.repositories\.0\.codeOwners\.\*: names teams not in teams: qa/,
      ),
    ]);
  });

  it("keeps organisation-wide settings out of stacks that do not own the organisation", () => {
    expect(github({ ownsOrganization: false })).toEqual([
      expect.stringMatching(/^aks-devsecops:github\.billingEmail: only the stack that owns/),
      expect.stringMatching(/^aks-devsecops:github\.platformAppId: only the stack that owns/),
      expect.stringMatching(/^aks-devsecops:github\.teams: only the stack that owns/),
      expect.stringMatching(/^aks-devsecops:github\.defenderForDevOps: only the stack that owns/),
      expect.stringMatching(
        /^aks-devsecops:github\.ephemeralEnvironments\.reviewersTeam: needs ownsOrganization/,
      ),
      expect.stringMatching(
        /^aks-devsecops:github\.environment\.reviewersTeam: needs ownsOrganization.* \(got "platform"\)$/,
      ),
    ]);
  });

  // Issue 15, item 6: GitHub refuses reviewers and wait timers on private repositories' environments
  // without GitHub Enterprise; the config says so before anything is sent.
  it("asks for GitHub Enterprise before environment reviewers or wait timers", () => {
    expect(github({ licences: { advancedSecurity: true, enterprise: false } })).toEqual([
      expect.stringMatching(
        /^aks-devsecops:github\.environment\.reviewersTeam: reviewers needs licences\.enterprise/,
      ),
      expect.stringMatching(
        /^aks-devsecops:github\.environment\.waitTimerMinutes: a wait timer needs licences\.enterprise/,
      ),
      expect.stringMatching(
        /^aks-devsecops:github\.ephemeralEnvironments\.reviewersTeam: reviewers needs licences\.enterprise/,
      ),
    ]);
  });

  it("reads importSourceRegistryId only with the import role", () => {
    const [first] = prodGithub().repositories;
    expect(github({ repositories: [{ ...first, deployRoles: ["sign", "deploy"] }] })).toEqual([
      expect.stringMatching(
        /^aks-devsecops:github\.repositories\.0\.importSourceRegistryId: is only read with the deploy role import/,
      ),
    ]);
  });

  it("rejects a repository listed twice and signing without a signing certificate", () => {
    const [first] = prodGithub().repositories;
    expect(github({ repositories: [first, { ...first, name: "AKS-DevSecOps" }] })).toEqual([
      'aks-devsecops:github.repositories.1.name: is listed twice (got "AKS-DevSecOps")',
    ]);
    // One key for URNs and identity names: `my.repo` and `my-repo` would give 15 duplicate URNs.
    expect(
      github({
        repositories: [first, { ...first, name: "my.repo" }, { ...first, name: "my-repo" }],
      }),
    ).toEqual([
      'aks-devsecops:github.repositories.2.name: has the same key as my.repo (my-repo: URNs and Azure identity names); rename one (got "my-repo")',
    ]);
    expect(prodProblemsOf({ "aks-devsecops:imageIntegrity": undefined })).toEqual([
      'aks-devsecops:github.repositories.0.deployRoles: sign needs imageIntegrity.signingCertificate (got ["import","sign","deploy"])',
    ]);
  });

  it("names the image integrity key that is wrong", () => {
    const integrity = prodIntegrity();
    const problems = prodProblemsOf({
      "aks-devsecops:imageIntegrity": {
        enforcement: "audit",
        signingCertificate: { ...integrity.signingCertificate, subject: "CN=signer,O=Contoso" },
      },
    });
    expect(problems).toEqual([
      expect.stringMatching(
        /^aks-devsecops:imageIntegrity\.enforcement: .*"deny"\|"dryrun"\|"warn" \(got "audit"\)$/,
      ),
      expect.stringMatching(
        /^aks-devsecops:imageIntegrity\.signingCertificate\.subject: needs C= .*\(got "CN=signer,O=Contoso"\)$/,
      ),
      expect.stringMatching(
        /^aks-devsecops:imageIntegrity\.signingCertificate\.subject: needs ST= /,
      ),
    ]);
  });
});

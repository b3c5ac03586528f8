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
    expect(dev.registry.untaggedRetentionDays).toBe(7);
    const prod = parsePlatformConfig(loadProjectStack(PROJECT_ROOT, "prod").config);
    expect(prod.network.privateEndpoints).toBe(true);
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
        "aks-devsecops:cluster": { ...cluster(), authorizedIpRanges: ["0.0.0.0/0"] },
      })[0],
    ).toMatch(/cluster\.authorizedIpRanges: must not contain a \/0 range/);
    expect(problemsOf({ "azure-native:location": "eastus" })[0]).toMatch(
      /^azure-native:location: is not in allowedLocations/,
    );
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

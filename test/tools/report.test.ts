import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../tools/analyzer";
import type { RecordedStack } from "../../tools/engine";
import {
  buildReport,
  notVerifiedMandatory,
  renderJson,
  renderTable,
  resourceNameOf,
  violationOf,
} from "../../tools/report/check-report";
import { computeCoverage, renderCoverage } from "../../tools/report/coverage";
import { renderSarif } from "../../tools/report/sarif";
import { SECRET_MASK, SECRET_SIG, SECRET_SIG_KEY } from "../../tools/secrets";

const URN = "urn:pulumi:dev::aks-devsecops::azure-native:containerregistry:Registry::registry-acr";

function diagnostic(overrides: Partial<Diagnostic>): Diagnostic {
  return {
    policy: "acr-01",
    enforcementLevel: "mandatory",
    urn: URN,
    message: "registry 'registry-acr' has adminUserEnabled=true; set adminUserEnabled: false",
    description: "ACR-01 (seed step 6,15): Registry adminUserEnabled is false",
    ...overrides,
  };
}

const recorded: RecordedStack = {
  stack: "dev",
  project: "aks-devsecops",
  mode: "preview",
  outputs: {},
  resources: [
    {
      urn: URN,
      type: "azure-native:containerregistry:Registry",
      name: "registry-acr",
      custom: true,
      id: "id",
      parent: "",
      provider: "",
      inputs: {
        adminUserEnabled: true,
        token: { [SECRET_SIG_KEY]: SECRET_SIG, value: "s3cret" },
        sku: { name: { [SECRET_SIG_KEY]: SECRET_SIG, value: "Basic" } },
      },
      dependencies: [],
      propertyDependencies: {},
    },
  ],
};

const pack = {
  name: "aks-devsecops",
  version: "0.1.0",
  policies: [
    {
      name: "acr-01",
      description: "ACR-01 (seed step 6,15): Registry adminUserEnabled is false",
      enforcementLevel: "mandatory" as const,
    },
    {
      name: "acr-03",
      description: "ACR-03 (seed step 6,15): Stack: registry is private",
      enforcementLevel: "advisory" as const,
    },
  ],
};

function report(diagnostics: Diagnostic[]) {
  return buildReport({
    recorded,
    pack,
    settings: {
      "acr-01": { enforcementLevel: "mandatory", properties: {} },
      "acr-03": { enforcementLevel: "advisory", properties: {} },
    },
    diagnostics,
    coverage: computeCoverage(recorded.resources, (type) =>
      type.endsWith(":Registry") ? ["ACR-01", "ACR-03"] : [],
    ),
    warnings: [],
    policyConfigFile: "policy-pack/config/dev.json",
    stackConfigFile: `${process.cwd()}/Pulumi.dev.yaml`,
  });
}

describe("check reports", () => {
  const unknownAcr01 = diagnostic({
    enforcementLevel: "advisory",
    message:
      "can't run policy 'acr-01' from policy pack 'aks-devsecops@v0.1.0' during preview: boolean value at .adminUserEnabled can't be known during preview",
  });

  it("keep a policy that could not decide at preview apart from violations, at its stack level", () => {
    const built = report([unknownAcr01]);
    expect(built.violations).toEqual([]);
    expect(built.unverified).toEqual([
      {
        policy: "acr-01",
        enforcementLevel: "mandatory",
        urn: URN,
        reason: "boolean value at .adminUserEnabled can't be known during preview",
      },
    ]);
    expect(notVerifiedMandatory(built)).toEqual(["acr-01"]);
    const text = renderTable(built);
    expect(text).toContain("UNKNOWN AT PREVIEW (not checked, not passed");
    expect(text).toContain("[mandatory: NOT VERIFIED AT PREVIEW]");
    expect(text).toContain("1 mandatory control not verified at preview (acr-01)");
    expect(violationOf(diagnostic({})).message).toMatch(/^registry 'registry-acr'/);
  });

  it("never print a value the program marked secret, in any format", () => {
    const leaking = diagnostic({
      message: `registry 'registry-acr' has sku.name="Basic"; token s3cret`,
    });
    const built = report([leaking, { ...unknownAcr01, message: `${unknownAcr01.message} s3cret` }]);
    for (const text of [renderTable(built), renderJson(built), renderSarif(built, process.cwd())]) {
      expect(text).not.toContain("s3cret");
      expect(text).not.toContain('"Basic"');
    }
    expect(built.violations[0].message).toBe(
      `registry 'registry-acr' has sku.name=${SECRET_MASK}; token ${SECRET_MASK}`,
    );
  });

  it("show coverage: the controls per type and what no control checked", () => {
    const coverage = computeCoverage(
      [
        ...recorded.resources,
        { ...recorded.resources[0], urn: "u2", type: "azure-native:web:WebApp", name: "site" },
        { ...recorded.resources[0], urn: "u3", type: "kubernetes:helm.sh/v4:Chart", custom: false },
        { ...recorded.resources[0], urn: "u4", type: "pulumi:pulumi:Stack", custom: false },
      ],
      (type) => (type.endsWith(":Registry") ? ["ACR-01"] : []),
    );
    expect(coverage.unchecked).toEqual({
      resources: 2,
      types: ["azure-native:web:WebApp", "kubernetes:helm.sh/v4:Chart"],
    });
    expect(coverage.notes[0]).toMatch(/v4 Chart is a provider-side component.*not checked offline/);
    const lines = renderCoverage(coverage).join("\n");
    expect(lines).toMatch(/azure-native:containerregistry:Registry\s+1 {2}ACR-01/);
    expect(lines).toContain("2 resources of 2 types were not checked");
  });

  it("name the resource from its URN, and the stack when there is none", () => {
    expect(resourceNameOf(URN)).toBe("registry-acr");
    expect(resourceNameOf("")).toBe("(stack)");
  });

  it("table: mandatory first, grouped by control, then the verdict", () => {
    const text = renderTable(
      report([
        diagnostic({ policy: "acr-03", enforcementLevel: "advisory", message: "not private" }),
        diagnostic({}),
      ]),
    );
    const lines = text.split("\n");
    expect(lines[0]).toBe(
      "Policy check of aks-devsecops/dev: 1 resources, aks-devsecops@0.1.0 with 2 policies (levels from policy-pack/config/dev.json)",
    );
    expect(text.indexOf("MANDATORY")).toBeLessThan(text.indexOf("ADVISORY"));
    expect(text).toContain(
      "  ACR-01 (seed step 6,15): Registry adminUserEnabled is false\n    ✗ registry-acr: registry",
    );
    expect(text).toContain("    ! registry-acr: not private");
    expect(lines.at(-2)).toBe(
      "FAILED: 1 mandatory violation (1 controls), 1 advisory (1 controls) across 1 resources and 2 policies; 0 resources not checked by any control",
    );
  });

  it("json: exactly the documented keys, secrets masked in resources", () => {
    const document = JSON.parse(renderJson(report([diagnostic({})])));
    expect(Object.keys(document)).toEqual([
      "stack",
      "project",
      "mode",
      "resources",
      "policies",
      "violations",
      "unverified",
      "notVerifiedMandatory",
      "coverage",
      "warnings",
    ]);
    expect(document.resources[0].inputs).toEqual({
      adminUserEnabled: true,
      token: SECRET_MASK,
      sku: { name: SECRET_MASK },
    });
    expect(document.violations).toEqual([
      {
        policy: "acr-01",
        enforcementLevel: "mandatory",
        urn: URN,
        message: "registry 'registry-acr' has adminUserEnabled=true; set adminUserEnabled: false",
      },
    ]);
  });

  it("sarif: error for mandatory, warning for advisory, located in the stack file", () => {
    const sarif = JSON.parse(
      renderSarif(
        report([
          diagnostic({}),
          diagnostic({ policy: "acr-03", enforcementLevel: "advisory", message: "x" }),
        ]),
        process.cwd(),
      ),
    );
    const [run] = sarif.runs;
    expect(run.results.map((result: { level: string }) => result.level)).toEqual([
      "error",
      "warning",
    ]);
    expect(run.results[0].locations[0].physicalLocation.artifactLocation.uri).toBe(
      "Pulumi.dev.yaml",
    );
    expect(run.results[0].ruleIndex).toBe(0);
    expect(run.tool.driver.rules[1]).toMatchObject({
      id: "acr-03",
      name: "ACR03",
      defaultConfiguration: { level: "warning" },
    });
    const fingerprints = run.results.map(
      (result: { partialFingerprints: Record<string, string> }) =>
        result.partialFingerprints["pulumiPolicyViolation/v1"],
    );
    expect(new Set(fingerprints).size).toBe(2);
  });
});

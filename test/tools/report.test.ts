import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../tools/analyzer";
import type { RecordedStack } from "../../tools/engine";
import {
  buildReport,
  renderJson,
  renderTable,
  resourceNameOf,
  violationOf,
} from "../../tools/report/check";
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
      inputs: { adminUserEnabled: true, token: { [SECRET_SIG_KEY]: SECRET_SIG, value: "s3cret" } },
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
    policyConfigFile: "policy-pack/config/dev.json",
    stackConfigFile: `${process.cwd()}/Pulumi.dev.yaml`,
  });
}

describe("check reports", () => {
  it("say plainly that a policy could not decide on a value unknown at preview", () => {
    const unknown = violationOf(
      diagnostic({
        enforcementLevel: "advisory",
        message:
          "can't run policy 'acr-01' from policy pack 'aks-devsecops@v0.1.0' during preview: boolean value at .adminUserEnabled can't be known during preview",
      }),
    );
    expect(unknown.message).toBe(
      "unknown at preview: boolean value at .adminUserEnabled can't be known during preview (not checked, not passed)",
    );
    expect(unknown.enforcementLevel).toBe("advisory");
    expect(violationOf(diagnostic({})).message).toMatch(/^registry 'registry-acr'/);
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
      "FAILED: 1 mandatory violation (1 controls), 1 advisory (1 controls) across 1 resources and 2 policies",
    );
  });

  it("json: exactly the documented keys, secrets masked in resources", () => {
    const document = JSON.parse(renderJson(report([diagnostic({})])));
    expect(Object.keys(document)).toEqual(["stack", "resources", "policies", "violations"]);
    expect(document.resources[0].inputs).toEqual({ adminUserEnabled: true, token: SECRET_MASK });
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

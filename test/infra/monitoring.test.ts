import { describe, expect, it } from "vitest";
import { PLATFORM_ANALYTICS_RULES } from "../../infra/azure/sentinel-rules";
import { byName, inputsOf, onlyInputs, resourcesOfType, STACKS } from "../support/stacks";

describe.each(STACKS)("monitoring (%s)", (stack) => {
  it("onboards Sentinel on the workspace", () => {
    const onboarding = byName(stack, "monitoring-sentinel");
    expect(onboarding.propertyDependencies.workspaceName).toContain(
      byName(stack, "monitoring-workspace").urn,
    );
  });

  it("has the three platform analytics rules with real KQL, after onboarding", () => {
    const rules = resourcesOfType(stack, "azure-native:securityinsights:ScheduledAlertRule");
    expect(rules.map((rule) => inputsOf(rule).displayName).sort()).toEqual(
      PLATFORM_ANALYTICS_RULES.map((rule) => rule.displayName).sort(),
    );
    for (const rule of rules) {
      expect(rule.dependencies).toContain(byName(stack, "monitoring-sentinel").urn);
      expect(inputsOf(rule).enabled).toBe(true);
    }
    const queries = rules.map((rule) => inputsOf(rule).query as string).join("\n");
    expect(queries).toMatch(/securityContext\.privileged/);
    expect(queries).toMatch(/"exec", "attach"/);
    expect(queries).toMatch(/SecretGet/);
  });

  it("alerts once per event: lookback equals frequency; entities map account, IP and resource", () => {
    for (const rule of resourcesOfType(stack, "azure-native:securityinsights:ScheduledAlertRule")) {
      const inputs = inputsOf(rule);
      expect([inputs.displayName, inputs.queryPeriod]).toEqual([
        inputs.displayName,
        inputs.queryFrequency,
      ]);
      const types = inputs.entityMappings.map(
        (entity: { entityType: string }) => entity.entityType,
      );
      expect(types).toEqual(expect.arrayContaining(["Account", "IP", "AzureResource"]));
      // Every mapped column is one the query projects or summarizes.
      for (const entity of inputs.entityMappings) {
        for (const { columnName } of entity.fieldMappings) {
          expect(inputs.query).toMatch(new RegExp(`\\b${columnName}\\b`));
        }
      }
    }
  });

  it("collects Container Insights into the workspace", () => {
    const rule = onlyInputs(stack, "azure-native:monitor:DataCollectionRule");
    expect(rule.dataSources.extensions[0].extensionName).toBe("ContainerInsights");
    expect(rule.dataFlows[0].destinations).toEqual(["workspace"]);
  });
});

describe("monitoring differences", () => {
  it("retention follows config: 30 days in dev, 90 in prod", () => {
    for (const name of ["monitoring-workspace", "monitoring-defender-workspace"]) {
      expect(inputsOf(byName("dev", name)).retentionInDays).toBe(30);
      expect(inputsOf(byName("prod", name)).retentionInDays).toBe(90);
    }
  });
});

describe("the platform's KQL", () => {
  it("reads no AzureDiagnostics columns, and the exec rule matches exec and attach whatever the verb", () => {
    for (const rule of PLATFORM_ANALYTICS_RULES)
      expect(rule.query).not.toMatch(/AzureDiagnostics|_[sg]\b/);
    const exec = PLATFORM_ANALYTICS_RULES.find((rule) => rule.key === "exec-into-pod")!;
    expect(exec.query).toMatch(/^AKSAudit\n/);
    expect(exec.query).not.toMatch(/Verb ==/);
  });

  it("gives coalesce arguments of one type (strings: dynamic values are tostring'ed first)", () => {
    for (const rule of PLATFORM_ANALYTICS_RULES) {
      for (const [, args] of rule.query.matchAll(/coalesce\(([^)]*(?:\([^)]*\)[^)]*)*)\)/g)) {
        const kinds = new Set(
          args
            .split(/,(?![^(]*\))/)
            .map((arg) => (/dynamic\(|\.spec\./.test(arg) ? "dynamic" : "string")),
        );
        expect([rule.key, kinds.size]).toEqual([rule.key, 1]);
      }
    }
  });
});

describe.each(STACKS)("the Defender sensor's workspace (%s)", (stack) => {
  it("has local auth on, which the sensor needs (Azure/Microsoft-Defender-for-Cloud#1010); the platform workspace keeps it off", () => {
    expect(inputsOf(byName(stack, "monitoring-defender-workspace")).features.disableLocalAuth).toBe(
      false,
    );
    expect(inputsOf(byName(stack, "monitoring-workspace")).features.disableLocalAuth).toBe(true);
  });

  it("is the workspace the cluster's Defender profile names, and Sentinel is onboarded on it", () => {
    const cluster = byName(stack, "cluster-aks");
    const sensorWorkspace = byName(stack, "monitoring-defender-workspace");
    expect(inputsOf(cluster).securityProfile.defender.logAnalyticsWorkspaceResourceId).toMatch(
      /workspaces\/log-contoso-[a-z]+-mdc$/,
    );
    expect(cluster.propertyDependencies.securityProfile).toContain(sensorWorkspace.urn);
    expect(
      byName(stack, "monitoring-defender-sentinel").propertyDependencies.workspaceName,
    ).toContain(sensorWorkspace.urn);
  });
});

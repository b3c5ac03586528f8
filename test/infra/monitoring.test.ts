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

  it("collects Container Insights into the workspace", () => {
    const rule = onlyInputs(stack, "azure-native:monitor:DataCollectionRule");
    expect(rule.dataSources.extensions[0].extensionName).toBe("ContainerInsights");
    expect(rule.dataFlows[0].destinations).toEqual(["workspace"]);
  });
});

describe("monitoring differences", () => {
  it("retention follows config: 30 days in dev, 90 in prod", () => {
    expect(onlyInputs("dev", "azure-native:operationalinsights:Workspace").retentionInDays).toBe(
      30,
    );
    expect(onlyInputs("prod", "azure-native:operationalinsights:Workspace").retentionInDays).toBe(
      90,
    );
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import { runProgram, type RecordedStack } from "../../tools/engine";
import { MOCK_SUBSCRIPTION_ID } from "../../tools/engine/mocks";
import { inputsOf } from "../support/stacks";

/**
 * `pulumi preview` of a new stack: ids and names the providers compute are unknown. The settings
 * the mandatory controls read must still be known, so the stack names its workspaces, subnets and
 * group by what it knows (infra/azure/shared.ts knownAfter) and keeps the dependencies.
 */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
let recorded: RecordedStack;

beforeAll(async () => {
  recorded = await runProgram({ stack: "dev", mode: "preview" });
}, 120_000);

function named(name: string) {
  const found = recorded.resources.find((resource) => resource.name === name);
  if (!found) throw new Error(`no resource named ${name}`);
  return found;
}

function unknownPaths(value: unknown, at = ""): string[] {
  if (value === UNKNOWN) return [at];
  if (Array.isArray(value))
    return value.flatMap((item, index) => unknownPaths(item, `${at}.${index}`));
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([key, item]) => unknownPaths(item, `${at}.${key}`));
  }
  return [];
}

describe("the dev stack in preview mode", () => {
  it("is recorded with the engine's unknowns (so the checks below can fail)", () => {
    const deployment = inputsOf(named("app-deployment"));
    const env = deployment.spec.template.spec.containers[0].env as {
      name: string;
      value: unknown;
    }[];
    expect(env.find((variable) => variable.name === "REDIS_URL")?.value).toBe(UNKNOWN);
  });

  it("gives the cluster its workspace ids, known, as Azure writes them, after the workspaces", () => {
    const cluster = named("cluster-aks");
    const inputs = inputsOf(cluster);
    const defender = inputs.securityProfile.defender.logAnalyticsWorkspaceResourceId as string;
    const omsagent = inputs.addonProfiles.omsagent.config.logAnalyticsWorkspaceResourceID as string;
    const prefix = `/subscriptions/${MOCK_SUBSCRIPTION_ID}/resourceGroups/${inputsOf(named("platform")).resourceGroupName}`;
    expect(omsagent).toMatch(
      new RegExp(`^${prefix}/providers/Microsoft\\.OperationalInsights/workspaces/[^/]+$`),
    );
    expect(defender).toBe(`${omsagent}-mdc`);
    expect(inputs.securityProfile.workloadIdentity.enabled).toBe(true);
    expect(cluster.dependencies).toEqual(
      expect.arrayContaining([
        named("monitoring-workspace").urn,
        named("monitoring-defender-workspace").urn,
      ]),
    );
  });

  it("gives the vault its properties, known, with the node subnet after the subnet", () => {
    const vault = named("keyvault-vault");
    const properties = inputsOf(vault).properties;
    expect(unknownPaths(properties)).toEqual([]);
    expect(properties.enableRbacAuthorization).toBe(true);
    expect(properties.networkAcls.virtualNetworkRules[0].id).toMatch(
      /\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+\/subnets\/snet-nodes$/,
    );
    expect(vault.dependencies).toContain(named("network-nodes").urn);
  });

  it("onboards Sentinel on workspaces it names, after each workspace", () => {
    for (const [onboarding, workspace] of [
      ["monitoring-sentinel", "monitoring-workspace"],
      ["monitoring-defender-sentinel", "monitoring-defender-workspace"],
    ]) {
      const inputs = inputsOf(named(onboarding));
      expect(inputs.workspaceName).toBe(inputsOf(named(workspace)).workspaceName);
      expect(named(onboarding).dependencies).toContain(named(workspace).urn);
    }
  });
});

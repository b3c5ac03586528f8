import { describe, expect, it } from "vitest";
import { planProblems } from "../../infra/azure/defender";
import { inputsOf, resourcesOfType } from "../support/stacks";

const PRICING = "azure-native:security:Pricing";

describe("defender: one stack owns the subscription's plans", () => {
  it("prod (defender.ownsSubscriptionPlans) writes Containers and Key Vault at Standard", () => {
    const plans = resourcesOfType("prod", PRICING).map(inputsOf);
    expect(plans.map((plan) => [plan.pricingName, plan.pricingTier]).sort()).toEqual([
      ["Containers", "Standard"],
      ["KeyVaults", "Standard"],
    ]);
    for (const plan of plans) expect(plan.scopeId).toMatch(/^\/subscriptions\/[0-9a-f-]{36}$/);
  });

  it("dev declares no subscription-wide plan: destroying it cannot touch them", () => {
    expect(resourcesOfType("dev", PRICING)).toEqual([]);
  });

  it("a reading stack stops on a plan below Standard and names the owning stack", () => {
    expect(planProblems({ Containers: "Standard", KeyVaults: "standard" })).toEqual([]);
    expect(planProblems({ Containers: "Free", KeyVaults: "Standard" })).toEqual([
      "Defender plan Containers is at tier Free on the subscription; run pulumi up on the stack with defender.ownsSubscriptionPlans: true (prod) first",
    ]);
  });
});

import { describe, expect, it } from "vitest";
import { inputsOf, resourcesOfType, STACKS } from "../support/stacks";

describe.each(STACKS)("defender (%s)", (stack) => {
  it("enables Defender for Containers and Key Vault at Standard on the subscription", () => {
    const plans = resourcesOfType(stack, "azure-native:security:Pricing").map(inputsOf);
    expect(plans.map((plan) => [plan.pricingName, plan.pricingTier]).sort()).toEqual([
      ["Containers", "Standard"],
      ["KeyVaults", "Standard"],
    ]);
    for (const plan of plans) expect(plan.scopeId).toMatch(/^\/subscriptions\/[0-9a-f-]{36}$/);
  });
});

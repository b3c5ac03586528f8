import * as pulumi from "@pulumi/pulumi";
import * as security from "@pulumi/azure-native/security";
import type { DefenderConfig } from "../config";
import { DEFENDER_PLANS, type DefenderPlanName } from "../../policy-pack/facts/azure";

export type { DefenderPlanName };

export interface DefenderArgs extends DefenderConfig {
  subscriptionId: pulumi.Input<string>;
  /** Defender plans the platform needs at tier Standard (controls ACR-04 and KV-04). */
  plans?: DefenderPlanName[];
  /*
   * `ownsSubscriptionPlans`: whether this stack owns the subscription's plans (prod).
   * Pricings are subscription-wide and always exist (a subscription has a tier for every plan;
   * DELETE at subscription scope is not a way back to "no plan"), so exactly one stack writes
   * them and leaves them on destroy; every other stack (dev, ephemeral) only reads them and
   * stops when a plan is not at Standard.
   * https://learn.microsoft.com/rest/api/defenderforcloud/pricings
   */
}

/** Defender for Key Vault's current plan; Containers has a single plan. */
function subPlanOf(plan: DefenderPlanName): string | undefined {
  return plan === DEFENDER_PLANS.keyVaults ? "PerKeyVault" : undefined;
}

/** The message a stack that does not own the plans stops with when one is not at Standard. */
export function planProblems(tiers: Record<string, string | undefined>): string[] {
  return Object.entries(tiers)
    .filter(([, tier]) => tier?.toLowerCase() !== "standard")
    .map(
      ([plan, tier]) =>
        `Defender plan ${plan} is at tier ${tier ?? "unknown"} on the subscription; run pulumi up on the stack with defender.ownsSubscriptionPlans: true (prod) first`,
    );
}

/** Microsoft Defender for Cloud plans on the subscription: written by one stack, read by the rest. */
export class Defender extends pulumi.ComponentResource {
  /** The plans' tiers as this stack sees them. */
  readonly planTiers: pulumi.Output<Record<string, string | undefined>>;

  constructor(name: string, args: DefenderArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:azure:Defender", name, {}, opts);
    const plans = args.plans ?? Object.values(DEFENDER_PLANS);
    const scopeId = pulumi.interpolate`/subscriptions/${args.subscriptionId}`;
    if (args.ownsSubscriptionPlans) {
      const pricings = plans.map(
        (plan) =>
          new security.Pricing(
            `${name}-${plan.toLowerCase()}`,
            {
              scopeId,
              pricingName: plan,
              pricingTier: security.PricingTier.Standard,
              subPlan: subPlanOf(plan),
            },
            // Destroying the owning stack leaves the plans on: the subscription's other stacks
            // rely on them, and Azure has no "delete" for a subscription's pricing.
            { parent: this, retainOnDelete: true },
          ),
      );
      this.planTiers = pulumi
        .all(pricings.map((pricing) => pricing.pricingTier))
        .apply((tiers) => Object.fromEntries(plans.map((plan, i) => [plan, tiers[i]])));
    } else {
      const read = plans.map((plan) =>
        security.getPricingOutput({ scopeId, pricingName: plan }, { parent: this }),
      );
      this.planTiers = pulumi.all(read).apply((results) => {
        const tiers = Object.fromEntries(
          plans.map((plan, i) => [plan, results[i].pricingTier as string | undefined]),
        );
        const problems = planProblems(tiers);
        // A read that returned no tier at all (no answer) is reported, not guessed at.
        const unread = Object.values(tiers).every((tier) => tier === undefined);
        if (unread) {
          pulumi.log.warn(
            "the subscription's Defender plans returned no tier, so they were not checked",
            this,
          );
        } else if (problems.length > 0) throw new pulumi.RunError(problems.join("\n"));
        return tiers;
      });
    }
    this.registerOutputs({ planTiers: this.planTiers });
  }
}

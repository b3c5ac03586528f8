import * as pulumi from "@pulumi/pulumi";
import * as security from "@pulumi/azure-native/security";

export interface DefenderArgs {
  subscriptionId: pulumi.Input<string>;
  /** Defender plans to enable at tier Standard (controls ACR-04 and KV-04). */
  plans?: ("Containers" | "KeyVaults")[];
}

/** Microsoft Defender for Cloud plans on the subscription. */
export class Defender extends pulumi.ComponentResource {
  readonly planIds: pulumi.Output<string>[];

  constructor(name: string, args: DefenderArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:azure:Defender", name, {}, opts);
    const plans = args.plans ?? ["Containers", "KeyVaults"];
    this.planIds = plans.map(
      (plan) =>
        new security.Pricing(
          `${name}-${plan.toLowerCase()}`,
          {
            scopeId: pulumi.interpolate`/subscriptions/${args.subscriptionId}`,
            pricingName: plan,
            pricingTier: security.PricingTier.Standard,
            // Defender for Key Vault's current plan; Containers has a single plan.
            subPlan: plan === "KeyVaults" ? "PerKeyVault" : undefined,
          },
          { parent: this },
        ).id,
    );
    this.registerOutputs({ planIds: this.planIds });
  }
}

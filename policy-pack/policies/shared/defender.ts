import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import { DEFENDER_PRICING } from "../../facts/tokens";
import { equalsIgnoringCase, ofType, shown } from "./readers";

/** Defender for Cloud plans (security:Pricing) that resources of the stack need. */

interface PricingProps {
  pricingName?: string;
  pricingTier?: string;
}

/** A Defender for Cloud plan of the stack: the Pricing resources of that plan, split by tier. */
export interface DefenderPlan {
  standard: PolicyResource[];
  otherTiers: PolicyResource[];
}

/** The stack's `security:Pricing` resources for a plan (`Containers`, `KeyVaults`, ...). */
export function defenderPlan(resources: PolicyResource[], planName: string): DefenderPlan {
  const plan = ofType(resources, DEFENDER_PRICING).filter((pricing) =>
    equalsIgnoringCase((pricing.props as PricingProps).pricingName, planName),
  );
  const isStandard = (pricing: PolicyResource) =>
    equalsIgnoringCase((pricing.props as PricingProps).pricingTier, "Standard");
  return {
    standard: plan.filter(isStandard),
    otherTiers: plan.filter((pricing) => !isStandard(pricing)),
  };
}

/**
 * A subscription-wide Defender plan that resources of the stack need (ACR-04, KV-04): when the
 * stack has any resource of `protectedTypes` (type -> the word messages use), it must also have a
 * `security:Pricing` of `planName` at tier Standard.
 */
export function requireDefenderPlan(
  resources: PolicyResource[],
  plan: { planName: string; product: string; protectedTypes: Record<string, string> },
  reportViolation: ReportViolation,
): void {
  const protectedResources = resources.filter((resource) =>
    Object.hasOwn(plan.protectedTypes, resource.type),
  );
  if (protectedResources.length === 0) return;
  // Plans are subscription-wide and one stack owns them (infra/azure/defender.ts); the catalog:
  // "A stack policy that asks for a resource of a domain (GitHub, Defender plans) applies only to
  // stacks that contain that domain". The stacks that only read the plans contain no Pricing.
  if (ofType(resources, DEFENDER_PRICING).length === 0) return;
  const { standard, otherTiers } = defenderPlan(resources, plan.planName);
  if (standard.length > 0) return;
  const covered =
    protectedResources
      .map((resource) => `${plan.protectedTypes[resource.type]} '${resource.name}'`)
      .join(", ") + (protectedResources.length === 1 ? " is" : " are");
  const fix = `pricingName: "${plan.planName}", pricingTier: "Standard" (scopeId: the subscription)`;
  if (otherTiers.length === 0) {
    reportViolation(
      `${covered} not covered by ${plan.product}: the stack has no security:Pricing for "${plan.planName}"; add one with ${fix}`,
      protectedResources[0].urn,
    );
    return;
  }
  for (const pricing of otherTiers) {
    const tier = (pricing.props as PricingProps).pricingTier;
    reportViolation(
      `security:Pricing '${pricing.name}' has pricingTier=${shown(tier)}, so ${covered} not covered by ${plan.product}; set ${fix}`,
      pricing.urn,
    );
  }
}

import { DEFENDER_PRICING, MANAGED_CLUSTER, REGISTRY } from "../../facts/tokens";
import { stackPolicy } from "../shared/control";
import { requireDefenderPlan } from "../shared/defender";
import { DEFENDER_PLANS } from "../../facts/azure";

export const acr04 = stackPolicy(
  {
    id: "ACR-04",
    seed: "13",
    level: "M",
    rule: "Stack: a registry or cluster requires security:Pricing Containers at tier Standard",
  },
  {
    resourceTypes: [REGISTRY, MANAGED_CLUSTER, DEFENDER_PRICING],
    validateStack: (args, reportViolation) =>
      requireDefenderPlan(
        args.resources,
        {
          planName: DEFENDER_PLANS.containers,
          product: "Microsoft Defender for Containers",
          protectedTypes: { [REGISTRY]: "registry", [MANAGED_CLUSTER]: "cluster" },
        },
        reportViolation,
      ),
  },
);

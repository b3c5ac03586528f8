import { DEFENDER_PRICING, VAULT } from "../../facts/tokens";
import { stackPolicy } from "../shared/control";
import { requireDefenderPlan } from "../shared/defender";
import { DEFENDER_PLANS } from "../../facts/azure";

export const kv04 = stackPolicy(
  {
    id: "KV-04",
    seed: "13",
    level: "M",
    rule: "Stack: a vault requires security:Pricing KeyVaults at tier Standard",
  },
  {
    resourceTypes: [VAULT, DEFENDER_PRICING],
    validateStack: (args, reportViolation) =>
      requireDefenderPlan(
        args.resources,
        {
          planName: DEFENDER_PLANS.keyVaults,
          product: "Microsoft Defender for Key Vault",
          protectedTypes: { [VAULT]: "vault" },
        },
        reportViolation,
      ),
  },
);

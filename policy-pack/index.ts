import { PolicyPack } from "@pulumi/policy";
import { memoizeDeserialization } from "./fast-path";
import { allPolicies } from "./policies";

memoizeDeserialization();

// Levels here are the non-prod defaults; config/<stack>.json sets each stack's levels and thresholds:
//   pulumi preview --policy-pack policy-pack --policy-pack-config policy-pack/config/prod.json
new PolicyPack("aks-devsecops", { policies: allPolicies });

import type { PolicyResource } from "@pulumi/policy";
import { PRIVATE_LINK } from "../../facts/azure";
import { PRIVATE_ENDPOINT, REGISTRY } from "../../facts/tokens";
import { stackPolicy } from "../shared/control";
import { equalsIgnoringCase, shown } from "../shared/readers";
import { reportNotPrivate } from "../shared/relations";
import type { RegistryProps } from "./registry";

/** What keeps a registry reachable from outside its network: a SKU or public network access. */
function registryAccessProblems(registry: PolicyResource): string[] {
  const props = registry.props as RegistryProps;
  const problems: string[] = [];
  const sku = props.sku?.name;
  if (!equalsIgnoringCase(sku, "Premium")) {
    problems.push(
      `sku.name is ${shown(sku)}, set sku: { name: "Premium" } (private endpoints need Premium)`,
    );
  }
  if (!equalsIgnoringCase(props.publicNetworkAccess, "Disabled")) {
    problems.push(
      `publicNetworkAccess is ${shown(props.publicNetworkAccess)}, set publicNetworkAccess: "Disabled"`,
    );
  }
  return problems;
}

export const acr03 = stackPolicy(
  {
    id: "ACR-03",
    seed: "6,15",
    level: "P",
    rule: "Stack: registry sku.name is Premium, publicNetworkAccess is Disabled, and a private endpoint targets it",
  },
  {
    resourceTypes: [REGISTRY, PRIVATE_ENDPOINT],
    validateStack: (args, reportViolation) =>
      reportNotPrivate(
        args.resources,
        { type: REGISTRY, kind: "registry", groupId: PRIVATE_LINK.registry.groupId },
        registryAccessProblems,
        reportViolation,
      ),
  },
);

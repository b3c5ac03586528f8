import type { PolicyResource } from "@pulumi/policy";
import { PRIVATE_LINK } from "../../facts/azure";
import { PRIVATE_ENDPOINT, VAULT } from "../../facts/tokens";
import { stackPolicy } from "../shared/control";
import { equalsIgnoringCase, shown } from "../shared/readers";
import { reportNotPrivate } from "../shared/relations";
import { vaultProperties } from "./vault";

/** What keeps a vault reachable from outside its network: its firewall or public network access. */
function vaultAccessProblems(vault: PolicyResource): string[] {
  const properties = vaultProperties(vault.props);
  const problems: string[] = [];
  const defaultAction = properties.networkAcls?.defaultAction;
  if (!equalsIgnoringCase(defaultAction, "Deny")) {
    problems.push(
      `properties.networkAcls.defaultAction is ${shown(defaultAction)}, set networkAcls: { defaultAction: "Deny", bypass: "AzureServices" }`,
    );
  }
  if (!equalsIgnoringCase(properties.publicNetworkAccess, "Disabled")) {
    problems.push(
      `properties.publicNetworkAccess is ${shown(properties.publicNetworkAccess)}, set it to "Disabled"`,
    );
  }
  return problems;
}

export const kv03 = stackPolicy(
  {
    id: "KV-03",
    seed: "14",
    level: "P",
    rule: "Stack: vault properties.networkAcls.defaultAction Deny and publicNetworkAccess Disabled, with a private endpoint",
  },
  {
    resourceTypes: [VAULT, PRIVATE_ENDPOINT],
    validateStack: (args, reportViolation) =>
      reportNotPrivate(
        args.resources,
        { type: VAULT, kind: "vault", groupId: PRIVATE_LINK.vault.groupId },
        vaultAccessProblems,
        reportViolation,
      ),
  },
);

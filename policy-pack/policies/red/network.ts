import type { PolicyResource } from "@pulumi/policy";
import { PRIVATE_LINK } from "../../facts/azure";
import { PRIVATE_ENDPOINT, REDIS, REDIS_ENTERPRISE } from "../../facts/tokens";
import { stackPolicy } from "../shared/control";
import { equalsIgnoringCase, shown } from "../shared/readers";
import { reportNotPrivate } from "../shared/relations";

/** What keeps a cache or cluster reachable from outside its network: public network access. */
function publicAccessProblems(resource: PolicyResource): string[] {
  const access = (resource.props as { publicNetworkAccess?: string }).publicNetworkAccess;
  if (equalsIgnoringCase(access, "Disabled")) return [];
  return [
    `publicNetworkAccess is ${shown(access)} (Enabled unless set); set publicNetworkAccess: "Disabled"`,
  ];
}

export const red03 = stackPolicy(
  {
    id: "RED-03",
    seed: "—",
    level: "P",
    rule: "Stack: publicNetworkAccess is Disabled and a private endpoint targets the cluster / cache",
  },
  {
    resourceTypes: [REDIS, REDIS_ENTERPRISE, PRIVATE_ENDPOINT],
    validateStack: (args, reportViolation) => {
      reportNotPrivate(
        args.resources,
        { type: REDIS_ENTERPRISE, kind: "cluster", groupId: PRIVATE_LINK.managedRedis.groupId },
        publicAccessProblems,
        reportViolation,
      );
      reportNotPrivate(
        args.resources,
        { type: REDIS, kind: "cache", groupId: PRIVATE_LINK.redis.groupId },
        publicAccessProblems,
        reportViolation,
      );
    },
  },
);

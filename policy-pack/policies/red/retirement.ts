import { REDIS } from "../../facts/tokens";
import { resourcePolicy } from "../shared/control";

export const red07 = resourcePolicy(
  {
    id: "RED-07",
    seed: "—",
    level: "A",
    rule: "No new Azure Cache for Redis (redis:Redis): the service retires; use Azure Managed Redis",
  },
  {
    resourceType: REDIS,
    validateResource: (args, reportViolation) =>
      reportViolation(
        `cache '${args.name}' is Azure Cache for Redis, which Microsoft retires (Basic, Standard and Premium on 2028-09-30; tenants without a cache before 2026-04-01 cannot create one); use Azure Managed Redis (redisenterprise:RedisEnterprise, config redis.service: managed)`,
      ),
  },
);

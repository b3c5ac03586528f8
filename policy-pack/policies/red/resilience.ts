import { REDIS, REDIS_ENTERPRISE, REDIS_ENTERPRISE_DATABASE } from "../../facts/tokens";
import { resourcePolicy } from "../shared/control";
import { equalsIgnoringCase, propertyIgnoringCase, shown } from "../shared/readers";
import {
  type ManagedClusterProps,
  type ManagedDatabaseProps,
  perType,
  type RedisProps,
} from "./inputs";

/**
 * Each RED control covers both Redis services: Azure Managed Redis (a `redisenterprise` cluster
 * and its database, API 2025-07-01) and Azure Cache for Redis (`redis:Redis`).
 */
const REPLICATED_SKUS = ["Standard", "Premium"];

export const red04 = resourcePolicy(
  {
    id: "RED-04",
    seed: "—",
    level: "P",
    rule: "Replicated with an SLA: cluster highAvailability Enabled / cache sku.name Standard or Premium",
  },
  {
    ...perType({
      [REDIS_ENTERPRISE]: (args, reportViolation) => {
        // "Enabled by default" (RedisEnterpriseArgs.highAvailability): unset passes.
        const ha = (args.props as ManagedClusterProps).highAvailability;
        if (ha === undefined || equalsIgnoringCase(ha, "Enabled")) return;
        reportViolation(
          `cluster '${args.name}' has highAvailability=${shown(ha)}; set highAvailability: "Enabled" (a replica of every shard and the SLA)`,
        );
      },
      [REDIS]: (args, reportViolation) => {
        const skuName = (args.props as RedisProps).sku?.name;
        if (REPLICATED_SKUS.some((replicated) => equalsIgnoringCase(skuName, replicated))) return;
        reportViolation(
          `cache '${args.name}' has sku.name=${shown(skuName)}; set sku.name: "Standard" or "Premium" (a replica and an SLA; Basic is a single node)`,
        );
      },
    }),
  },
);

export const red06 = resourcePolicy(
  {
    id: "RED-06",
    seed: "—",
    level: "P",
    rule: "Data persistence on: database persistence AOF or RDB enabled / cache (Premium) redisConfiguration RDB or AOF backup",
  },
  {
    ...perType({
      [REDIS_ENTERPRISE_DATABASE]: (args, reportViolation) => {
        const persistence = (args.props as ManagedDatabaseProps).persistence;
        if (persistence?.aofEnabled === true || persistence?.rdbEnabled === true) return;
        reportViolation(
          `database '${args.name}' persists nothing: persistence is ${shown(persistence)}; set persistence.aofEnabled: true (or rdbEnabled: true)`,
        );
      },
      [REDIS]: (args, reportViolation) => {
        const props = args.props as RedisProps;
        const enabled = (key: string) =>
          equalsIgnoringCase(propertyIgnoringCase(props.redisConfiguration, key), "true");
        if (
          equalsIgnoringCase(props.sku?.name, "Premium") &&
          (enabled("rdbBackupEnabled") || enabled("aofBackupEnabled"))
        ) {
          return;
        }
        reportViolation(
          `cache '${args.name}' persists nothing: set sku.name: "Premium" with redisConfiguration.rdbBackupEnabled or aofBackupEnabled "true" (only Premium caches persist)`,
        );
      },
    }),
  },
);

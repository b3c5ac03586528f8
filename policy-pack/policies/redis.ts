import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import {
  equalsIgnoringCase,
  propertyIgnoringCase,
  reportNotPrivate,
  reportProblems,
  resourcePolicy,
  shown,
  stackPolicy,
  type ControlPolicy,
} from "./control";
import {
  PRIVATE_ENDPOINT,
  REDIS,
  REDIS_ENTERPRISE,
  REDIS_ENTERPRISE_DATABASE,
} from "../facts/tokens";

/**
 * Each RED control covers both Redis services: Azure Managed Redis (a `redisenterprise` cluster
 * and its database, API 2025-07-01) and Azure Cache for Redis (`redis:Redis`).
 */
const REPLICATED_SKUS = ["Standard", "Premium"];

interface RedisProps {
  enableNonSslPort?: boolean;
  minimumTlsVersion?: string;
  publicNetworkAccess?: string;
  sku?: { name?: string };
  disableAccessKeyAuthentication?: boolean;
  redisConfiguration?: Record<string, unknown>;
}

interface ManagedClusterProps {
  minimumTlsVersion?: string;
  publicNetworkAccess?: string;
  highAvailability?: string;
}

interface ManagedDatabaseProps {
  clientProtocol?: string;
  accessKeysAuthentication?: string;
  persistence?: { aofEnabled?: boolean; rdbEnabled?: boolean };
}

/**
 * One validation per Redis resource type, so a policy reads only the types it knows; the types
 * are also what the policy declares it covers.
 */
function perType(
  validations: Record<
    string,
    (args: { name: string; props: unknown }, report: ReportViolation) => void
  >,
) {
  return {
    resourceTypes: Object.keys(validations),
    validateResource: (
      args: { type: string; name: string; props: unknown },
      report: ReportViolation,
    ) => validations[args.type]?.(args, report),
  };
}

/** "1.2" and later; anything that is not a major.minor version number is not. */
function isTls12OrLater(version: unknown): boolean {
  const match = /^\s*(\d+)\.(\d+)\s*$/.exec(String(version));
  if (!match) return false;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > 1 || (major === 1 && minor >= 2);
}

const red01 = resourcePolicy(
  {
    id: "RED-01",
    seed: "—",
    level: "M",
    rule: "Encrypted only: database clientProtocol Encrypted / cache enableNonSslPort not true",
  },
  {
    ...perType({
      [REDIS_ENTERPRISE_DATABASE]: (args, reportViolation) => {
        // "Default is TLS-encrypted" (DatabaseArgs.clientProtocol, API 2025-07-01): unset passes.
        const protocol = (args.props as ManagedDatabaseProps).clientProtocol;
        if (protocol === undefined || equalsIgnoringCase(protocol, "Encrypted")) return;
        reportViolation(
          `database '${args.name}' has clientProtocol=${shown(protocol)}; set clientProtocol: "Encrypted" (TLS only)`,
        );
      },
      [REDIS]: (args, reportViolation) => {
        if ((args.props as RedisProps).enableNonSslPort === true) {
          reportViolation(
            `cache '${args.name}' has enableNonSslPort=true; set enableNonSslPort: false (clients use TLS on port 6380)`,
          );
        }
      },
    }),
  },
);

const red02 = resourcePolicy(
  {
    id: "RED-02",
    seed: "—",
    level: "M",
    rule: "minimumTlsVersion is 1.2 or later (cluster / cache)",
  },
  {
    ...perType(
      Object.fromEntries(
        [
          [REDIS_ENTERPRISE, "cluster"],
          [REDIS, "cache"],
        ].map(([type, kind]) => [
          type,
          (args: { name: string; props: unknown }, reportViolation: ReportViolation) => {
            const version = (args.props as { minimumTlsVersion?: string }).minimumTlsVersion;
            if (isTls12OrLater(version)) return;
            reportViolation(
              `${kind} '${args.name}' has minimumTlsVersion=${shown(version)}; set minimumTlsVersion: "1.2" (TLS 1.0 and 1.1 are deprecated)`,
            );
          },
        ]),
      ),
    ),
  },
);

/** What keeps a cache or cluster reachable from outside its network: public network access. */
function publicAccessProblems(resource: PolicyResource): string[] {
  const access = (resource.props as { publicNetworkAccess?: string }).publicNetworkAccess;
  if (equalsIgnoringCase(access, "Disabled")) return [];
  return [
    `publicNetworkAccess is ${shown(access)} (Enabled unless set); set publicNetworkAccess: "Disabled"`,
  ];
}

const red03 = stackPolicy(
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
        { type: REDIS_ENTERPRISE, kind: "cluster", groupId: "redisEnterprise" },
        publicAccessProblems,
        reportViolation,
      );
      reportNotPrivate(
        args.resources,
        { type: REDIS, kind: "cache", groupId: "redisCache" },
        publicAccessProblems,
        reportViolation,
      );
    },
  },
);

const red04 = resourcePolicy(
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

const red05 = resourcePolicy(
  {
    id: "RED-05",
    seed: "14",
    level: "A",
    rule: "Entra ID only: database accessKeysAuthentication Disabled / cache disableAccessKeyAuthentication true with redisConfiguration.aadEnabled",
  },
  {
    ...perType({
      [REDIS_ENTERPRISE_DATABASE]: (args, reportViolation) => {
        const keys = (args.props as ManagedDatabaseProps).accessKeysAuthentication;
        if (equalsIgnoringCase(keys, "Disabled")) return;
        reportViolation(
          `database '${args.name}' does not rely on Entra ID alone: accessKeysAuthentication is ${shown(keys)}; set accessKeysAuthentication: "Disabled"`,
        );
      },
      [REDIS]: (args, reportViolation) => {
        const props = args.props as RedisProps;
        const problems: string[] = [];
        if (props.disableAccessKeyAuthentication !== true) {
          problems.push(
            `disableAccessKeyAuthentication is ${shown(props.disableAccessKeyAuthentication)}; set disableAccessKeyAuthentication: true`,
          );
        }
        const aadEnabled = propertyIgnoringCase(props.redisConfiguration, "aadEnabled");
        if (!equalsIgnoringCase(aadEnabled, "true")) {
          problems.push(
            `redisConfiguration.aadEnabled is ${shown(aadEnabled)}; set redisConfiguration.aadEnabled: "true" (Microsoft Entra ID authentication)`,
          );
        }
        reportProblems(
          reportViolation,
          `cache '${args.name}' does not rely on Entra ID alone`,
          problems,
        );
      },
    }),
  },
);

const red06 = resourcePolicy(
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

const red07 = resourcePolicy(
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

export const redisPolicies: ControlPolicy[] = [red01, red02, red03, red04, red05, red06, red07];

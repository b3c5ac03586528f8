import type { PolicyResource } from "@pulumi/policy";
import {
  equalsIgnoringCase,
  PRIVATE_ENDPOINT,
  propertyIgnoringCase,
  reportNotPrivate,
  reportProblems,
  resourcePolicy,
  shown,
  stackPolicy,
  type ControlPolicy,
} from "./control";

const REDIS = "azure-native:redis:Redis";
const REPLICATED_SKUS = ["Standard", "Premium"];

interface RedisProps {
  enableNonSslPort?: boolean;
  minimumTlsVersion?: string;
  publicNetworkAccess?: string;
  sku?: { name?: string };
  disableAccessKeyAuthentication?: boolean;
  redisConfiguration?: Record<string, unknown>;
}

/** "1.2" and later; anything that is not a major.minor version number is not. */
function isTls12OrLater(version: unknown): boolean {
  const match = /^\s*(\d+)\.(\d+)\s*$/.exec(String(version));
  if (!match) return false;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > 1 || (major === 1 && minor >= 2);
}

const red01 = resourcePolicy(
  { id: "RED-01", seed: "—", level: "M", rule: "Redis enableNonSslPort is not true" },
  {
    resourceType: REDIS,
    validateResource: (args, reportViolation) => {
      if ((args.props as RedisProps).enableNonSslPort === true) {
        reportViolation(
          `cache '${args.name}' has enableNonSslPort=true; set enableNonSslPort: false (clients use TLS on port 6380)`,
        );
      }
    },
  },
);

const red02 = resourcePolicy(
  { id: "RED-02", seed: "—", level: "M", rule: "Redis minimumTlsVersion is 1.2 or later" },
  {
    resourceType: REDIS,
    validateResource: (args, reportViolation) => {
      const version = (args.props as RedisProps).minimumTlsVersion;
      if (isTls12OrLater(version)) return;
      reportViolation(
        `cache '${args.name}' has minimumTlsVersion=${shown(version)}; set minimumTlsVersion: "1.2" (TLS 1.0 and 1.1 are deprecated)`,
      );
    },
  },
);

/** What keeps a cache reachable from outside its network: public network access. */
function cacheAccessProblems(cache: PolicyResource): string[] {
  const access = (cache.props as RedisProps).publicNetworkAccess;
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
    rule: "Stack: Redis publicNetworkAccess is Disabled and a private endpoint targets the cache",
  },
  {
    resourceTypes: [REDIS, PRIVATE_ENDPOINT],
    validateStack: (args, reportViolation) =>
      reportNotPrivate(
        args.resources,
        { type: REDIS, kind: "cache", groupId: "redisCache" },
        cacheAccessProblems,
        reportViolation,
      ),
  },
);

const red04 = resourcePolicy(
  {
    id: "RED-04",
    seed: "—",
    level: "P",
    rule: "Redis sku.name is Standard or Premium (replicated, with an SLA)",
  },
  {
    resourceType: REDIS,
    validateResource: (args, reportViolation) => {
      const skuName = (args.props as RedisProps).sku?.name;
      if (REPLICATED_SKUS.some((replicated) => equalsIgnoringCase(skuName, replicated))) return;
      reportViolation(
        `cache '${args.name}' has sku.name=${shown(skuName)}; set sku.name: "Standard" or "Premium" (a replica and an SLA; Basic is a single node)`,
      );
    },
  },
);

const red05 = resourcePolicy(
  {
    id: "RED-05",
    seed: "14",
    level: "A",
    rule: "Redis disableAccessKeyAuthentication is true with Entra ID authentication (redisConfiguration.aadEnabled)",
  },
  {
    resourceType: REDIS,
    validateResource: (args, reportViolation) => {
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
  },
);

export const redisPolicies: ControlPolicy[] = [red01, red02, red03, red04, red05];

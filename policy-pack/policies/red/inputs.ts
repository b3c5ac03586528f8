import type { ReportViolation } from "@pulumi/policy";

export interface RedisProps {
  enableNonSslPort?: boolean;
  minimumTlsVersion?: string;
  publicNetworkAccess?: string;
  sku?: { name?: string };
  disableAccessKeyAuthentication?: boolean;
  redisConfiguration?: Record<string, unknown>;
}

export interface ManagedClusterProps {
  minimumTlsVersion?: string;
  publicNetworkAccess?: string;
  highAvailability?: string;
}

export interface ManagedDatabaseProps {
  clientProtocol?: string;
  accessKeysAuthentication?: string;
  persistence?: { aofEnabled?: boolean; rdbEnabled?: boolean };
}

/**
 * One validation per Redis resource type, so a policy reads only the types it knows; the types
 * are also what the policy declares it covers.
 */
export function perType(
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

import type { ReportViolation } from "@pulumi/policy";
import { REDIS, REDIS_ENTERPRISE, REDIS_ENTERPRISE_DATABASE } from "../../facts/tokens";
import { resourcePolicy } from "../shared/control";
import { equalsIgnoringCase, shown } from "../shared/readers";
import { type ManagedDatabaseProps, perType, type RedisProps } from "./inputs";

/** "1.2" and later; anything that is not a major.minor version number is not. */
function isTls12OrLater(version: unknown): boolean {
  const match = /^\s*(\d+)\.(\d+)\s*$/.exec(String(version));
  if (!match) return false;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > 1 || (major === 1 && minor >= 2);
}

export const red01 = resourcePolicy(
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

export const red02 = resourcePolicy(
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

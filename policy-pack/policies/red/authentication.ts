import { REDIS, REDIS_ENTERPRISE_DATABASE } from "../../facts/tokens";
import { resourcePolicy } from "../shared/control";
import { equalsIgnoringCase, propertyIgnoringCase, reportProblems, shown } from "../shared/readers";
import { type ManagedDatabaseProps, perType, type RedisProps } from "./inputs";

export const red05 = resourcePolicy(
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

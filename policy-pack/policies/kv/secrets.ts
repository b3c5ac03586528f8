import { KEY_VAULT_SECRET } from "../../facts/tokens";
import { resourcePolicy } from "../shared/control";
import { shown } from "../shared/readers";

interface SecretProps {
  secretName?: string;
  properties?: { attributes?: { expires?: unknown } };
}

export const kv06 = resourcePolicy(
  {
    id: "KV-06",
    seed: "14",
    level: "A",
    rule: "keyvault:Secret resources the stack writes carry an expiry (properties.attributes.expires)",
  },
  {
    resourceType: KEY_VAULT_SECRET,
    validateResource: (args, reportViolation) => {
      const expires = (args.props as SecretProps).properties?.attributes?.expires;
      if (typeof expires === "number" && Number.isFinite(expires) && expires > 0) return;
      reportViolation(
        `Key Vault secret '${args.name}' has properties.attributes.expires=${shown(expires)}; set it to the expiry in seconds since 1970-01-01 UTC (e.g. the key's next rotation), so a leaked or forgotten value stops working`,
      );
    },
  },
);

import { REGISTRY } from "../../facts/tokens";
import { resourcePolicy } from "../shared/control";
import { equalsIgnoringCase, shown } from "../shared/readers";

export interface RegistryProps {
  adminUserEnabled?: boolean;
  anonymousPullEnabled?: boolean;
  publicNetworkAccess?: string;
  sku?: { name?: string };
  zoneRedundancy?: string;
  policies?: { retentionPolicy?: { status?: string; days?: number } };
}

export const acr01 = resourcePolicy(
  { id: "ACR-01", seed: "6,15", level: "M", rule: "Registry adminUserEnabled is false" },
  {
    resourceType: REGISTRY,
    validateResource: (args, reportViolation) => {
      const { adminUserEnabled } = args.props as RegistryProps;
      if (adminUserEnabled === false) return;
      reportViolation(
        `registry '${args.name}' has adminUserEnabled=${shown(adminUserEnabled)}; set adminUserEnabled: false (use Entra ID and AcrPull/AcrPush role assignments instead of the shared admin account)`,
      );
    },
  },
);

export const acr02 = resourcePolicy(
  { id: "ACR-02", seed: "15", level: "M", rule: "Registry anonymousPullEnabled is not true" },
  {
    resourceType: REGISTRY,
    validateResource: (args, reportViolation) => {
      if ((args.props as RegistryProps).anonymousPullEnabled !== true) return;
      reportViolation(
        `registry '${args.name}' has anonymousPullEnabled=true, so anyone can pull its images; set anonymousPullEnabled: false (pull with AcrPull role assignments)`,
      );
    },
  },
);

/** Zone redundancy can only be chosen when the registry is created
 * (https://learn.microsoft.com/azure/container-registry/zone-redundancy). */
export const acr06 = resourcePolicy(
  {
    id: "ACR-06",
    seed: "13",
    level: "P",
    rule: "Premium registries are zone redundant (zoneRedundancy: Enabled)",
  },
  {
    resourceType: REGISTRY,
    validateResource: (args, reportViolation) => {
      const props = args.props as RegistryProps;
      if (!equalsIgnoringCase(props.sku?.name, "Premium")) return;
      if (equalsIgnoringCase(props.zoneRedundancy, "Enabled")) return;
      reportViolation(
        `Premium registry '${args.name}' has zoneRedundancy=${shown(props.zoneRedundancy)}; set zoneRedundancy: "Enabled" (only possible when the registry is created, so a zone outage does not stop image pulls)`,
      );
    },
  },
);

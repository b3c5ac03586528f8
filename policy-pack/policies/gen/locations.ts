import type { ResourceValidationArgs } from "@pulumi/policy";
import { isLocatedType } from "../../facts/resources";
import {
  ALLOWED_LOCATIONS_KEY,
  PLATFORM_PROJECT,
  PROVIDER_LOCATION_KEY,
  stackConfigKey,
} from "../../facts/config-keys";
import { AZURE_NATIVE_PROVIDER } from "../../facts/tokens";
import { resourcePolicy } from "../shared/control";

/**
 * The stack config key holding the regions a stack may use (a JSON array, as PULUMI_CONFIG gives
 * it), in the checked project's own namespace: `aks-devsecops:allowedLocations` for this platform,
 * `<project>:allowedLocations` for any other program. The CLI names the project to the pack in its
 * environment (PULUMI_NODEJS_PROJECT, pulumi/pulumi pkg/resource/plugin/analyzer_plugin.go
 * constructEnv; PULUMI_PROJECT in newer CLIs, as the offline check sets it).
 */
function allowedLocationsKey(): string {
  const project =
    process.env.PULUMI_PROJECT || process.env.PULUMI_NODEJS_PROJECT || PLATFORM_PROJECT;
  return stackConfigKey(project, ALLOWED_LOCATIONS_KEY);
}

/** Not a region: private DNS zones and their links live in "global". */
const NON_REGIONAL_LOCATIONS = ["global"];

export interface LocatedProps {
  location?: string;
  tags?: Record<string, unknown>;
}

/** "West Europe", "westeurope" and "WestEurope" are one region. */
function normalizeLocation(location: string): string {
  return location.replace(/\s+/g, "").toLowerCase();
}

type AllowedLocations = { locations: string[] } | { problem: string };

let stackConfig: Record<string, unknown> | undefined;

/** The stack config the CLI hands the pack in PULUMI_CONFIG, read once at the first check. */
function readStackConfig(): Record<string, unknown> {
  if (stackConfig === undefined) {
    try {
      const parsed: unknown = JSON.parse(process.env.PULUMI_CONFIG ?? "{}");
      stackConfig = typeof parsed === "object" && parsed !== null ? { ...parsed } : {};
    } catch {
      stackConfig = {};
    }
  }
  return stackConfig;
}

function parseLocationList(text: unknown): string[] | undefined {
  let parsed: unknown = text;
  if (typeof text === "string") {
    try {
      parsed = JSON.parse(text);
    } catch {
      return undefined;
    }
  }
  if (!Array.isArray(parsed) || !parsed.every((entry) => typeof entry === "string")) {
    return undefined;
  }
  return parsed;
}

/** The stack's allowed list first; the policy config's list when the stack has none. */
function allowedLocations(policyConfigList: string[] | undefined): AllowedLocations {
  const key = allowedLocationsKey();
  const fromStack = readStackConfig()[key];
  if (fromStack !== undefined) {
    const locations = parseLocationList(fromStack);
    if (locations && locations.length > 0) return { locations };
    return {
      problem: `stack config ${key} is not a non-empty JSON array of region names (got ${JSON.stringify(fromStack)})`,
    };
  }
  if (policyConfigList && policyConfigList.length > 0) return { locations: policyConfigList };
  return {
    problem: `no allowed-location list is configured; set stack config ${key} (or policy config allowedLocations for gen-02)`,
  };
}

/** Where a located resource's region comes from, and how a message names it. */
interface Region {
  location: string;
  /** e.g. "has location 'eastus'", "has no location input and takes azure-native:location 'eastus'". */
  described: string;
  fix: string;
}

/**
 * The region of a resource whose type takes a location, as azure-native's Check sets it before
 * `pulumi preview` hands the inputs to the pack (pulumi/pulumi-azure-native
 * provider/pkg/provider/provider.go, applyDefaults and getDefaultLocation): the `location` input;
 * else the provider's `location` config (an explicit provider's input, or the stack config
 * azure-native:location for the default provider, which the CLI gives the pack in PULUMI_CONFIG);
 * else the location of the resource group named by resourceGroupName, looked up in Azure.
 * That last case is undefined here: the group is a resource of the stack and GEN-02 checks it
 * (or an existing group, whose region the pack cannot see offline).
 */
function regionOf(args: ResourceValidationArgs): Region | undefined {
  if ("location" in args.props) {
    const location = (args.props as LocatedProps).location;
    if (typeof location !== "string") return undefined;
    return { location, described: `has location '${location}'`, fix: "set location" };
  }
  const provider = args.provider;
  if (provider?.type === AZURE_NATIVE_PROVIDER && "location" in provider.props) {
    const location = provider.props.location;
    if (typeof location !== "string") return undefined;
    return {
      location,
      described: `has no location input and takes '${location}' from its provider '${provider.name}'`,
      fix: "set location (or the provider's location)",
    };
  }
  const fromStack = readStackConfig()[PROVIDER_LOCATION_KEY];
  if (typeof fromStack !== "string" || fromStack.trim() === "") return undefined;
  return {
    location: fromStack,
    described: `has no location input and takes ${PROVIDER_LOCATION_KEY} '${fromStack}' from the stack config`,
    fix: `set location (or stack config ${PROVIDER_LOCATION_KEY})`,
  };
}

export const gen02 = resourcePolicy(
  { id: "GEN-02", seed: "—", level: "A", rule: "Location is in the stack's allowed list" },
  {
    configSchema: {
      properties: {
        allowedLocations: { type: "array", items: { type: "string" }, default: [] },
      },
    },
    // Located by type (the v3 SDK's Args take a location): facts/azure-native-resources.json.
    resourceTypes: isLocatedType,
    validateResource: (args, reportViolation) => {
      if (!isLocatedType(args.type)) return;
      const region = regionOf(args);
      if (!region) return;
      const { location, described, fix } = region;
      if (NON_REGIONAL_LOCATIONS.includes(normalizeLocation(location))) return;
      const allowed = allowedLocations(
        args.getConfig<{ allowedLocations?: string[] }>().allowedLocations,
      );
      if ("problem" in allowed) {
        reportViolation(`resource '${args.name}' is in '${location}' but ${allowed.problem}`);
        return;
      }
      const permitted = allowed.locations.map(normalizeLocation);
      if (!permitted.includes(normalizeLocation(location))) {
        reportViolation(
          `resource '${args.name}' ${described}, which is not in the allowed list [${allowed.locations.join(", ")}]; ${fix} to one of them`,
        );
      }
    },
  },
);

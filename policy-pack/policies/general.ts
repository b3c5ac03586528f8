import type { ResourceValidationArgs } from "@pulumi/policy";
import { propertyIgnoringCase, resourcePolicy, type ControlPolicy } from "./control";

const RESOURCE_GROUP = "azure-native:resources:ResourceGroup";
const DEFAULT_REQUIRED_TAGS = ["environment", "owner", "managed-by"];
/** The stack config key holding the regions a stack may use (a JSON array, as PULUMI_CONFIG gives it). */
const ALLOWED_LOCATIONS_KEY = "aks-devsecops:allowedLocations";
/**
 * Extension resources that take a location (for a managed identity or a replica) but no tags; the
 * platform's domains could declare these, so GEN-01 leaves them out.
 */
const UNTAGGABLE_WITH_LOCATION = [
  "azure-native:authorization:PolicyAssignment",
  "azure-native:containerregistry:ExportPipeline",
  "azure-native:containerregistry:ImportPipeline",
  "azure-native:containerregistry:TaskRun",
  "azure-native:maintenance:ConfigurationAssignment",
];
/** Not a region: private DNS zones and their links live in "global". */
const NON_REGIONAL_LOCATIONS = ["global"];

interface LocatedProps {
  location?: string;
  tags?: Record<string, unknown>;
}

/** Tracked ARM resources take a location, and every tracked resource takes tags. */
function isTaggable(args: ResourceValidationArgs): boolean {
  if (args.type === RESOURCE_GROUP) return true;
  if (UNTAGGABLE_WITH_LOCATION.includes(args.type)) return false;
  return args.type.startsWith("azure-native:") && "location" in args.props;
}

function isMissingTag(tags: Record<string, unknown> | undefined, key: string): boolean {
  const value = propertyIgnoringCase(tags, key);
  return typeof value !== "string" || value.trim() === "";
}

const gen01 = resourcePolicy(
  {
    id: "GEN-01",
    seed: "—",
    level: "M",
    rule: "Taggable resources carry environment, owner and managed-by tags; ephemeral stacks also expires-at",
  },
  {
    configSchema: {
      properties: {
        requiredTags: {
          type: "array",
          items: { type: "string", minLength: 1 },
          default: DEFAULT_REQUIRED_TAGS,
        },
      },
    },
    validateResource: (args, reportViolation) => {
      if (!isTaggable(args)) return;
      const required =
        args.getConfig<{ requiredTags?: string[] }>().requiredTags ?? DEFAULT_REQUIRED_TAGS;
      const tags = (args.props as LocatedProps).tags;
      const missing = required.filter((key) => isMissingTag(tags, key));
      if (missing.length === 0) return;
      reportViolation(
        `resource '${args.name}' (${args.type}) lacks the tag(s) ${missing.join(", ")} (missing or empty); set tags: { ${missing.map((key) => `"${key}": ...`).join(", ")} }`,
      );
    },
  },
);

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
  const fromStack = readStackConfig()[ALLOWED_LOCATIONS_KEY];
  if (fromStack !== undefined) {
    const locations = parseLocationList(fromStack);
    if (locations && locations.length > 0) return { locations };
    return {
      problem: `stack config ${ALLOWED_LOCATIONS_KEY} is not a non-empty JSON array of region names (got ${JSON.stringify(fromStack)})`,
    };
  }
  if (policyConfigList && policyConfigList.length > 0) return { locations: policyConfigList };
  return {
    problem: `no allowed-location list is configured; set stack config ${ALLOWED_LOCATIONS_KEY} (or policy config allowedLocations for gen-02)`,
  };
}

const gen02 = resourcePolicy(
  { id: "GEN-02", seed: "—", level: "A", rule: "Location is in the stack's allowed list" },
  {
    configSchema: {
      properties: {
        allowedLocations: { type: "array", items: { type: "string" }, default: [] },
      },
    },
    validateResource: (args, reportViolation) => {
      if (!args.type.startsWith("azure-native:") || !("location" in args.props)) return;
      const location = (args.props as LocatedProps).location;
      if (typeof location !== "string") return;
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
          `resource '${args.name}' has location '${location}', which is not in the allowed list [${allowed.locations.join(", ")}]; set location to one of them`,
        );
      }
    },
  },
);

export const generalPolicies: ControlPolicy[] = [gen01, gen02];

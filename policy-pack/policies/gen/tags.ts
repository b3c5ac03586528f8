import { isTaggableType } from "../../facts/resources";
import { REQUIRED_TAGS } from "../../facts/tags";
import { resourcePolicy } from "../shared/control";
import { propertyIgnoringCase } from "../shared/readers";
import type { LocatedProps } from "./locations";

const DEFAULT_REQUIRED_TAGS: string[] = Object.values(REQUIRED_TAGS);

function isMissingTag(tags: Record<string, unknown> | undefined, key: string): boolean {
  const value = propertyIgnoringCase(tags, key);
  return typeof value !== "string" || value.trim() === "";
}

export const gen01 = resourcePolicy(
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
    // Taggable by type (the v3 SDK's Args take a tags map: facts/azure-native-resources.json), so a
    // resource that takes its location from the provider's config is checked too.
    resourceTypes: isTaggableType,
    validateResource: (args, reportViolation) => {
      if (!isTaggableType(args.type)) return;
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

import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../tools/engine";
import { inputsOf, recordedStack, STACKS } from "../support/stacks";

/** Whether the azure-native SDK accepts `tags` for a resource type (read from its typings). */
function isTaggable(type: string): boolean {
  const [, module, kind] = type.split(":");
  const file = path.join(
    PROJECT_ROOT,
    "node_modules/@pulumi/azure-native",
    module,
    `${kind[0].toLowerCase()}${kind.slice(1)}.d.ts`,
  );
  const typings = fs.readFileSync(file, "utf8");
  const args = typings.slice(typings.indexOf(`export interface ${kind}Args {`));
  return /\n\s{4}tags\?:/.test(args.slice(0, args.indexOf("\n}")));
}

describe.each(STACKS)("tags (%s)", (stack) => {
  it("every taggable Azure resource carries environment, owner and managed-by", () => {
    const azure = recordedStack(stack).resources.filter((resource) =>
      resource.type.startsWith("azure-native:"),
    );
    const taggable = azure.filter((resource) => isTaggable(resource.type));
    expect(taggable.length).toBeGreaterThanOrEqual(10);
    for (const resource of taggable) {
      expect(inputsOf(resource).tags, resource.urn).toMatchObject({
        environment: stack,
        owner: "platform-team",
        "managed-by": "pulumi",
      });
    }
  });
});

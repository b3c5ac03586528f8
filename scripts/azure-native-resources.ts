import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * Generates policy-pack/facts/azure-native-resources.json: the azure-native v3 resource tokens whose
 * Args take `tags` (GEN-01 "taggable") and `location` (GEN-02 "located"), read from the installed
 * SDK: each module's `<resource>.d.ts` declares `export interface <Resource>Args { ... }`, and the
 * `<resource>.js` next to it names the token (`static __pulumiType = 'azure-native:<module>:<Resource>'`).
 *
 *   npx tsx scripts/azure-native-resources.ts           writes the file
 *   npx tsx scripts/azure-native-resources.ts --check   exits 1 when the committed file is stale
 *
 * test/policy/facts.test.ts checks that the committed file matches a fresh generation.
 */

const ROOT = path.resolve(__dirname, "..");
export const SDK_DIR = path.join(ROOT, "node_modules/@pulumi/azure-native");
export const OUTPUT = path.join(ROOT, "policy-pack/facts/azure-native-resources.json");

export interface AzureNativeResources {
  /** Where the lists come from (package and version). */
  source: string;
  /** Tokens whose Args have a top-level `tags` input. */
  tagged: string[];
  /** Tokens whose Args have a top-level `location` input. */
  located: string[];
}

const STRING_MAP_TAGS = /^ {4}tags\?: pulumi\.Input<\{\s*\[key: string\]: pulumi\.Input<string>;/m;

function argsBody(text: string, className: string): string {
  const start = text.indexOf(`\nexport interface ${className}Args {\n`);
  const end = text.indexOf("\n}\n", start);
  return text.slice(start, end < 0 ? undefined : end);
}

/** The top-level member names of `export interface <name> { ... }` in a .d.ts text. */
function interfaceMembers(text: string, name: string): string[] | undefined {
  if (!text.includes(`\nexport interface ${name} {\n`)) return undefined;
  const body = argsBody(text, name.replace(/Args$/, ""));
  // Members are indented by four spaces; nested object types and doc comments are deeper.
  return [...body.matchAll(/^ {4}(?:readonly )?"?([A-Za-z_$][\w$]*)"?\??:/gm)].map((m) => m[1]);
}

export function generate(sdkDir: string = SDK_DIR): AzureNativeResources {
  const version = (
    JSON.parse(readFileSync(path.join(sdkDir, "package.json"), "utf8")) as {
      version: string;
    }
  ).version;
  const tagged: string[] = [];
  const located: string[] = [];
  for (const module of readdirSync(sdkDir).sort()) {
    const moduleDir = path.join(sdkDir, module);
    if (module === "types" || module === "node_modules" || !statSync(moduleDir).isDirectory()) {
      continue;
    }
    for (const file of readdirSync(moduleDir).sort()) {
      if (!file.endsWith(".d.ts") || file === "index.d.ts") continue;
      const declaration = readFileSync(path.join(moduleDir, file), "utf8");
      const className = /\nexport declare class (\w+) extends pulumi\.CustomResource \{/.exec(
        declaration,
      )?.[1];
      if (!className) continue; // functions (get*, list*) and enums
      const members = interfaceMembers(declaration, `${className}Args`);
      if (!members) continue;
      const script = readFileSync(path.join(moduleDir, file.replace(/\.d\.ts$/, ".js")), "utf8");
      const token = /__pulumiType = '([^']+)'/.exec(script)?.[1];
      if (!token) throw new Error(`${module}/${file}: no __pulumiType in the .js next to it`);
      // Tags are a string map on tracked resources; a few types have a `tags` list of another kind.
      if (members.includes("tags") && STRING_MAP_TAGS.test(argsBody(declaration, className))) {
        tagged.push(token);
      }
      if (members.includes("location")) located.push(token);
    }
  }
  return {
    source: `@pulumi/azure-native ${version}: <module>/<resource>.d.ts, the <Resource>Args interface (scripts/azure-native-resources.ts)`,
    tagged: tagged.sort(),
    located: located.sort(),
  };
}

export function render(resources: AzureNativeResources): string {
  return `${JSON.stringify(resources, null, 2)}\n`;
}

if (require.main === module) {
  const fresh = render(generate());
  if (process.argv.includes("--check")) {
    const committed = readFileSync(OUTPUT, "utf8");
    if (committed !== fresh) {
      console.error(
        `${path.relative(ROOT, OUTPUT)} is stale: run npx tsx scripts/azure-native-resources.ts`,
      );
      process.exit(1);
    }
  } else {
    writeFileSync(OUTPUT, fresh);
    console.error(`wrote ${path.relative(ROOT, OUTPUT)}`);
  }
}

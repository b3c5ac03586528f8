import * as fs from "node:fs";
import * as path from "node:path";
import { UsageError } from "../errors";

/** The nearest directory with a package.json, from `dir` upwards (run.js does the same). */
export function packageRootOf(dir: string): string | undefined {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    if (fs.existsSync(path.join(current, "package.json"))) return current;
    if (path.dirname(current) === current) return undefined;
  }
}

/** Whether Node's resolution from `root` finds an installed package `name`. */
function isInstalled(name: string, root: string): boolean {
  for (let current = root; ; current = path.dirname(current)) {
    if (fs.existsSync(path.join(current, "node_modules", name, "package.json"))) return true;
    if (path.dirname(current) === current) return false;
  }
}

/**
 * A program's dependencies resolve from its own directory, as under the real CLI, so its pinned
 * SDK versions win over this project's. One that is named but not installed would fail deep inside
 * the run: say so first, with the fix.
 */
export function checkProgramDependencies(programDir: string): void {
  const root = packageRootOf(programDir);
  const manifest = root
    ? (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
        dependencies?: Record<string, string>;
      })
    : {};
  const wanted = Object.keys(manifest.dependencies ?? {});
  if (!wanted.includes("@pulumi/pulumi")) wanted.push("@pulumi/pulumi");
  const missing = wanted.filter((name) => !isInstalled(name, root ?? programDir));
  if (missing.length > 0) {
    const where = root ?? programDir;
    throw new UsageError(
      `the program's dependencies are not installed (${missing.join(", ")} missing from ${where}); ` +
        `run \`npm install\` in ${where}`,
    );
  }
}

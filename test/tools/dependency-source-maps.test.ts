import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");

/** Which of two modules Node keeps a source map for, in a fresh process under tsx. */
function sourceMapsKept(install: boolean): { dependency: boolean; programFile: boolean } {
  const script = `
    const { findSourceMap } = require("node:module");
    if (${install}) require(${JSON.stringify(path.join(ROOT, "tools/engine/dependency-source-maps.ts"))}).mapProgramSourcesOnly();
    // A dependency shipped with a .js.map, and a TypeScript file tsx compiles with an inline map.
    const dependency = require.resolve("@pulumi/pulumi/runtime/asyncIterableUtil");
    require(dependency);
    const programFile = ${JSON.stringify(path.join(ROOT, "test/fixtures/engine/thing.ts"))};
    require(programFile);
    console.log(JSON.stringify({
      dependency: findSourceMap(dependency) !== undefined,
      programFile: findSourceMap(programFile) !== undefined,
      enabled: process.sourceMapsEnabled,
    }));
  `;
  const output = execFileSync(process.execPath, ["--import", "tsx", "-e", script], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: "" },
    encoding: "utf8",
  });
  const state = JSON.parse(output) as {
    dependency: boolean;
    programFile: boolean;
    enabled: boolean;
  };
  expect(state.enabled).toBe(true);
  return { dependency: state.dependency, programFile: state.programFile };
}

describe("source maps for the program's own files only (tools/engine/dependency-source-maps.ts)", () => {
  it("keeps a dependency's source map without it (what the engine no longer pays for)", () => {
    expect(sourceMapsKept(false)).toEqual({ dependency: true, programFile: true });
  });

  it("keeps the program's source maps and skips the dependencies'", () => {
    expect(sourceMapsKept(true)).toEqual({ dependency: false, programFile: true });
  });
});

import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");

/** Runs `body` in a fresh Node process (module state is per process), with the stand-ins installed. */
function inFreshProcess(body: string): Record<string, unknown> {
  const script = `
    const { deferClosureModules } = require(${JSON.stringify(path.join(ROOT, "tools/engine/lazy-closure.cjs"))});
    deferClosureModules();
    const loaded = (name) => Object.keys(require.cache).some((file) => file.includes(name));
    const pulumi = require("@pulumi/pulumi");
    ${body}
  `;
  const output = execFileSync(process.execPath, ["--import", "tsx", "-e", script], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: "" },
    encoding: "utf8",
  });
  return JSON.parse(output) as Record<string, unknown>;
}

describe("the engine's deferred closure modules (tools/engine/lazy-closure.cjs)", () => {
  it("loads @pulumi/pulumi without its function serializer, the TypeScript compiler or arborist", () => {
    const state = inFreshProcess(`
      console.log(JSON.stringify({
        serializer: loaded("runtime/closure/serializeClosure"),
        codePaths: loaded("runtime/closure/codePaths"),
        typescript: loaded("node_modules/typescript/"),
        arborist: loaded("@npmcli/arborist"),
        exported: typeof pulumi.runtime.serializeFunction,
      }));
    `);
    expect(state).toEqual({
      serializer: false,
      codePaths: false,
      typescript: false,
      arborist: false,
      exported: "function",
    });
  });

  it("serializes a function and computes code paths as the real modules do, on first call", () => {
    const state = inFreshProcess(`
      (async () => {
        const answer = 42;
        const serialized = await pulumi.runtime.serializeFunction(() => answer);
        // The real computeCodePaths needs Node 22's fs/promises glob; what matters is that it runs.
        await pulumi.runtime.computeCodePaths({ extraIncludePackages: [] }).catch(() => undefined);
        console.log(JSON.stringify({
          text: serialized.text.includes("42"),
          exportName: serialized.exportName,
          codePaths: loaded("runtime/closure/codePaths"),
          serializer: loaded("runtime/closure/serializeClosure"),
        }));
      })();
    `);
    expect(state).toEqual({
      text: true,
      exportName: "handler",
      codePaths: true,
      serializer: true,
    });
  });

  it("defers them in a process that only preloads it, as the policy pack's (node --require)", () => {
    const preload = path.join(ROOT, "tools/engine/lazy-closure-preload.cjs");
    const script = `
      const pulumi = require("@pulumi/pulumi");
      const loaded = (name) => Object.keys(require.cache).some((file) => file.includes(name));
      console.log(JSON.stringify({
        typescript: loaded("node_modules/typescript/"),
        arborist: loaded("@npmcli/arborist"),
        exported: typeof pulumi.runtime.serializeFunction,
      }));
    `;
    const output = execFileSync(process.execPath, ["--require", preload, "-e", script], {
      cwd: path.join(ROOT, "policy-pack"),
      env: { ...process.env, NODE_OPTIONS: "" },
      encoding: "utf8",
    });
    expect(JSON.parse(output)).toEqual({
      typescript: false,
      arborist: false,
      exported: "function",
    });
  });

  it("still learns the files of scripts parsed before its inspector session opens", () => {
    // v8Hooks maps scriptId to file from Debugger.scriptParsed; opened late, it must still see them.
    const state = inFreshProcess(`
      require("yaml");
      const inspector = require("node:inspector");
      const session = new inspector.Session();
      session.connect();
      const urls = [];
      session.on("Debugger.scriptParsed", (event) => urls.push(event.params.url));
      session.post("Debugger.enable", () => {
        console.log(JSON.stringify({ yaml: urls.some((url) => url.includes("/node_modules/yaml/")) }));
      });
    `);
    expect(state).toEqual({ yaml: true });
  });
});

import * as fs from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { memoizeDeserialization } from "../../policy-pack/fast-path";

describe("memoized deserialization in the pack", () => {
  it("deserializes each properties message once, and again for keepUnknowns", () => {
    const original = vi.fn((struct: object, keepUnknowns?: boolean) => ({ struct, keepUnknowns }));
    const module = { deserializeProperties: original };
    memoizeDeserialization(module);
    const first = {};
    const second = {};
    const a = module.deserializeProperties(first, false);
    expect(module.deserializeProperties(first, false)).toBe(a);
    expect(module.deserializeProperties(second, false)).not.toBe(a);
    module.deserializeProperties(first, true);
    module.deserializeProperties(first, true);
    expect(original).toHaveBeenCalledTimes(4);
  });

  it("wraps only once when called again", () => {
    const original = vi.fn(() => ({}));
    const module = { deserializeProperties: original };
    memoizeDeserialization(module);
    const wrapped = module.deserializeProperties;
    memoizeDeserialization(module);
    expect(module.deserializeProperties).toBe(wrapped);
  });

  it("@pulumi/policy's server still calls it through the module object it replaces", () => {
    const server = fs.readFileSync(require.resolve("@pulumi/policy/server"), "utf8");
    expect(server).toMatch(/const deserialize_1 = require\("\.\/deserialize"\);/);
    expect(server.match(/deserialize_1\.deserializeProperties\(/g)?.length).toBeGreaterThanOrEqual(
      2,
    );
  });
});

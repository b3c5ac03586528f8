import { afterEach, describe, expect, it, vi } from "vitest";
import { formatSdkCapturesUnmapped } from "../../tools/engine/sdk-stacks";

const original = Error.prepareStackTrace;
afterEach(() => {
  Error.prepareStackTrace = original;
});

function frame(functionName: string, file: string): NodeJS.CallSite {
  return {
    getFunctionName: () => functionName,
    getFileName: () => file,
    toString: () => `${functionName} (${file}:1:2)`,
  } as unknown as NodeJS.CallSite;
}

const SDK = "/p/node_modules/@pulumi/pulumi";

describe("formatSdkCapturesUnmapped", () => {
  it("formats the SDK's own stack captures without the source-mapping formatter", () => {
    const mapped = vi.fn(() => "mapped");
    Error.prepareStackTrace = mapped;
    formatSdkCapturesUnmapped();
    const format = Error.prepareStackTrace!;
    const frames = [
      frame("debuggablePromise", `${SDK}/runtime/debuggable.js`),
      frame("f", "/p/a.ts"),
    ];
    expect(format(new Error(), frames)).toBe(
      `Error\n    at debuggablePromise (${SDK}/runtime/debuggable.js:1:2)\n    at f (/p/a.ts:1:2)`,
    );
    expect(format(new Error("x"), [frame("callsites", `${SDK}/resource.js`)])).toBe(
      `Error: x\n    at callsites (${SDK}/resource.js:1:2)`,
    );
    expect(mapped).not.toHaveBeenCalled();
  });

  it("leaves every other stack to the source-mapping formatter (program and SDK errors)", () => {
    const mapped = vi.fn(() => "mapped");
    Error.prepareStackTrace = mapped;
    formatSdkCapturesUnmapped();
    const format = Error.prepareStackTrace!;
    expect(format(new Error(), [frame("main", "/p/index.ts")])).toBe("mapped");
    expect(format(new Error(), [frame("registerResource", `${SDK}/runtime/resource.js`)])).toBe(
      "mapped",
    );
    expect(format(new Error(), [frame("callsites", "/p/resource.js")])).toBe("mapped");
    expect(mapped).toHaveBeenCalledTimes(3);
  });

  it("changes nothing where Node exposes no default formatter", () => {
    delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;
    formatSdkCapturesUnmapped();
    expect(Error.prepareStackTrace).toBeUndefined();
  });
});

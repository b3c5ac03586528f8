import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT, runProgram } from "../../tools/engine";
import { ProgramError } from "../../tools/errors";

/**
 * The engine runs programs as the Pulumi Node.js language host does (@pulumi/pulumi
 * cmd/run/run.js and cmd/run/index.js at the pinned version): every failure of a program is a
 * failure of the run, with the program's own message and file:line, never a silent pass.
 */
const fixture = (name: string) => path.join(PROJECT_ROOT, "test/fixtures/engine", name);
const run = (name: string, timeoutSeconds?: number) =>
  runProgram({ stack: "test", programDir: fixture(name), timeoutSeconds });

async function failureOf(name: string, timeoutSeconds?: number): Promise<ProgramError> {
  const failure = await run(name, timeoutSeconds).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(failure).toBeInstanceOf(ProgramError);
  return failure as ProgramError;
}

describe.concurrent(
  "a program that fails is a failed run, with its own message and file:line",
  () => {
    it.each([
      ["throw-sync", "the program gave up while loading", "throw-sync/index.ts:4"],
      ["reject-input", "the size could not be computed", "reject-input/index.ts:3"],
      ["throw-apply", "the label callback failed", "throw-apply/index.ts:6"],
      ["stray-apply", "an unused apply failed", "stray-apply/index.ts:6"],
      ["unhandled-rejection", "nobody handled this rejection", "unhandled-rejection/index.ts:4"],
      [
        "sdk-validation",
        "Missing required property 'resourceGroupName'",
        "sdk-validation/index.ts:4",
      ],
      [
        "duplicate-urn",
        "Duplicate resource URN 'urn:pulumi:test::duplicate-urn::test:index:Thing::twin'; try giving it a unique name",
        "duplicate-urn/index.ts:4",
      ],
      ["process-exit", "called process.exit(0) before it finished", "process-exit/index.ts:4"],
    ])("%s", async (name, message, where) => {
      const failure = await failureOf(name);
      expect(failure.exitCode).toBe(2);
      expect(failure.message).toContain(message);
      expect(failure.message).toContain(where);
      expect(failure.message).not.toMatch(/tools[\\/]engine/);
    });

    it("a program that never finishes is stopped at the timeout, and its process with it", async () => {
      const started = Date.now();
      const failure = await failureOf("hang", 3);
      expect(failure.message).toMatch(/the program did not finish within 3 s/);
      expect(Date.now() - started).toBeLessThan(15_000);
    });
  },
);

describe.concurrent("programs run as the language host runs them", () => {
  it("an exported async function is called and its result becomes the stack outputs", async () => {
    const recorded = await run("export-function");
    expect(recorded.resources.map((resource) => resource.name)).toContain("made-inside");
    expect(recorded.outputs.answer).toEqual({ value: 42, secret: false });
    expect(recorded.outputs.thingUrn.value).toBe(
      "urn:pulumi:test::export-function::test:index:Thing::made-inside",
    );
  });

  it("an ES module's default export is the program", async () => {
    const recorded = await run("export-default-esm");
    expect(recorded.resources.map((resource) => resource.name)).toContain("from-default");
    expect(Object.keys(recorded.outputs)).toEqual(["thingUrn"]);
  });

  it("a timer the program leaves running does not keep the run alive", async () => {
    // Before, the engine process never exited and the run hung until the test's own timeout.
    const recorded = await run("leftover-timer");
    expect(recorded.outputs.done).toEqual({ value: true, secret: false });
  }, 60_000);
});

describe("large programs", () => {
  it("10,000 resources record whole (the result is handed over before the engine process ends)", async () => {
    const recorded = await run("many-resources");
    expect(recorded.resources).toHaveLength(10_001);
    expect(recorded.resources.at(-1)?.name).toBe("thing-9999");
  }, 180_000);
});

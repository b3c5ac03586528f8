import type { TestProject } from "vitest/node";
import { runProgram, type RecordedStack } from "../../tools/engine";

declare module "vitest" {
  export interface ProvidedContext {
    stacks: Record<string, RecordedStack>;
  }
}

/** Runs the project's program for dev and prod once per test run; tests read the recordings. */
export default async function setup(project: TestProject): Promise<void> {
  const [dev, prod] = await Promise.all([
    runProgram({ stack: "dev" }),
    runProgram({ stack: "prod" }),
  ]);
  project.provide("stacks", { dev, prod });
}

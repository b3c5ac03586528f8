import type { TestProject } from "vitest/node";
import { runProgram, type RecordedStack } from "../../tools/engine";

declare module "vitest" {
  export interface ProvidedContext {
    stacks: Record<string, RecordedStack>;
  }
}

/**
 * Runs the project's program for dev and prod once per test run; tests read the recordings. The
 * infra tests look at the values that flow between resources, so outputs take mock values.
 */
export default async function setup(project: TestProject): Promise<void> {
  const [dev, prod] = await Promise.all([
    runProgram({ stack: "dev", mode: "resolved" }),
    runProgram({ stack: "prod", mode: "resolved" }),
  ]);
  project.provide("stacks", { dev, prod });
}

import { fork } from "node:child_process";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { ProgramError, UsageError } from "../errors";
import { loadProjectStack, OFFLINE_SECRET_PLACEHOLDER, type StackDocument } from "./project";
import type { RecordedStack } from "./record";

export { configText, listStacks, loadProjectStack, OFFLINE_SECRET_PLACEHOLDER } from "./project";
export type { ProjectStack, StackDocument } from "./project";
export { recordProgram } from "./record";
export type { RecordedStack, ResourceRecord, StackOutput } from "./record";

export const PROJECT_ROOT = path.resolve(__dirname, "../..");

export interface RunOptions {
  stack: string;
  /** A Pulumi project directory; defaults to this project. */
  programDir?: string;
  /** The stack file's content when it exists only in memory (e.g. a dry run). */
  stackDocument?: StackDocument;
}

type ChildMessage =
  { ok: true; recorded: RecordedStack } | { ok: false; name: string; message: string };

/**
 * Credentials a real deployment reads from the environment, replaced by the secret placeholder:
 * a program that requires one (the GitHub provider's token) runs offline, and a developer's own
 * token never reaches a recording.
 */
export const OFFLINE_ENVIRONMENT = { GITHUB_TOKEN: OFFLINE_SECRET_PLACEHOLDER } as const;

const tsxLoader = pathToFileURL(require.resolve("tsx", { paths: [PROJECT_ROOT] })).href;

/**
 * Runs a program under mocks in its own process (Pulumi's runtime is global to a process, so each
 * run needs a fresh one) and returns what it registered. Program output goes to our stderr.
 */
export function runProgram(options: RunOptions): Promise<RecordedStack> {
  const programDir = path.resolve(options.programDir ?? PROJECT_ROOT);
  loadProjectStack(programDir, options.stack, options.stackDocument); // fail fast on usage errors
  const documentArg = options.stackDocument ? [JSON.stringify(options.stackDocument)] : [];
  const child = fork(
    path.join(__dirname, "child.ts"),
    [programDir, options.stack, ...documentArg],
    {
      execArgv: ["--import", tsxLoader],
      stdio: ["ignore", "pipe", "inherit", "ipc"],
      env: { ...process.env, NODE_OPTIONS: "", ...OFFLINE_ENVIRONMENT },
    },
  );
  // Program output must not mix with machine-readable stdout: send the child's stdout to stderr.
  child.stdout?.pipe(process.stderr);
  return new Promise((resolve, reject) => {
    let answered = false;
    child.on("message", (message: ChildMessage) => {
      answered = true;
      if (message.ok) resolve(message.recorded);
      else if (message.name === "UsageError") reject(new UsageError(message.message));
      else reject(new ProgramError(message.message));
    });
    child.on("exit", (code, signal) => {
      if (!answered) {
        reject(
          new ProgramError(
            `the engine process for stack '${options.stack}' exited (${signal ?? code}) without a result`,
          ),
        );
      }
    });
  });
}

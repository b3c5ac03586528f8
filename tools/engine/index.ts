import { fork } from "node:child_process";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { ProgramError, UsageError } from "../errors";
import type { ChildMessage } from "./child";
import { checkProgramDependencies } from "./dependencies";
import type { EngineMode } from "./mocks";
import { loadProjectStack, OFFLINE_SECRET_PLACEHOLDER, type StackDocument } from "./project";
import type { RecordedStack, ResourceRecord } from "./record";

export {
  configText,
  listStacks,
  loadProjectName,
  loadProjectStack,
  OFFLINE_SECRET_PLACEHOLDER,
} from "./project";
export type { ProjectStack, StackDocument } from "./project";
export { recordProgram, ROOT_STACK_TYPE } from "./record";
export type { RecordedStack, ResourceRecord, StackOutput } from "./record";
export { ENGINE_MODES, type EngineMode } from "./mocks";

export const PROJECT_ROOT = path.resolve(__dirname, "../..");

/** How long a program may run before the engine gives up on it (`--timeout`). */
export const DEFAULT_TIMEOUT_SECONDS = 300;

export interface RunOptions {
  stack: string;
  /** A Pulumi project directory; defaults to this project. */
  programDir?: string;
  /** The stack file's content when it exists only in memory (e.g. a dry run). */
  stackDocument?: StackDocument;
  /** `preview` (default): computed outputs unknown, as `pulumi preview` of a new stack. */
  mode?: EngineMode;
  timeoutSeconds?: number;
  /**
   * Called with each resource as the program registers it, before the result (the CLI hands
   * each registration to the analyzers during the preview). The result still lists them all.
   */
  onResource?: (resource: ResourceRecord) => void;
}

/**
 * Credentials a real deployment reads from the environment, replaced by the secret placeholder:
 * a program that requires one (the GitHub provider's token) runs offline, and a developer's own
 * token never reaches a recording.
 */
export const OFFLINE_ENVIRONMENT = { GITHUB_TOKEN: OFFLINE_SECRET_PLACEHOLDER } as const;

const tsxLoader = pathToFileURL(require.resolve("tsx", { paths: [PROJECT_ROOT] })).href;

/**
 * Runs a program under mocks in its own process (Pulumi's runtime is global to a process, so each
 * run needs a fresh one) and returns what it registered. The process runs in the program's
 * directory, as the language host runs it; its output goes to our stderr. It is killed once it has
 * answered, or when the timeout expires.
 */
export function runProgram(options: RunOptions): Promise<RecordedStack> {
  const programDir = path.resolve(options.programDir ?? PROJECT_ROOT);
  const mode = options.mode ?? "preview";
  const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  try {
    // Fail fast on usage errors, as a rejection: callers clean up what they started beside it.
    loadProjectStack(programDir, options.stack, options.stackDocument);
    checkProgramDependencies(programDir);
  } catch (err) {
    return Promise.reject(err);
  }
  const documentArg = options.stackDocument ? [JSON.stringify(options.stackDocument)] : [];
  const child = fork(
    path.join(__dirname, "child.ts"),
    [programDir, options.stack, mode, options.onResource ? "stream" : "batch", ...documentArg],
    {
      cwd: programDir,
      execArgv: ["--import", tsxLoader],
      stdio: ["ignore", "pipe", "inherit", "ipc"],
      serialization: "advanced",
      env: { ...process.env, NODE_OPTIONS: "", ...OFFLINE_ENVIRONMENT },
    },
  );
  // Program output must not mix with machine-readable stdout: send the child's stdout to stderr.
  child.stdout?.pipe(process.stderr);
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill("SIGKILL");
      action();
    };
    const timer = setTimeout(
      () =>
        settle(() =>
          reject(
            new ProgramError(
              `the program did not finish within ${timeoutSeconds} s (stack '${options.stack}'); ` +
                "it was stopped. Raise --timeout if it needs longer",
            ),
          ),
        ),
      timeoutSeconds * 1000,
    );
    child.on("message", (message: ChildMessage) => {
      if ("registered" in message) {
        if (!settled) message.registered.forEach((resource) => options.onResource?.(resource));
        return;
      }
      settle(() => {
        if (message.ok) resolve(message.recorded);
        else if (message.name === "UsageError") reject(new UsageError(message.message));
        else reject(new ProgramError(message.message));
      });
    });
    child.on("exit", (code, signal) =>
      settle(() =>
        reject(
          new ProgramError(
            `the engine process for stack '${options.stack}' ended (${signal ?? `exit code ${code}`}) before the program reported a result`,
          ),
        ),
      ),
    );
  });
}

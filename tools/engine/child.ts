/* Runs one program under mocks in a fresh process and sends the recording back over IPC. */
import { errorMessage } from "../errors";
import { programFrames } from "./failure";
import { mapProgramSourcesOnly } from "./dependency-source-maps";
import { deferClosureModules } from "./lazy-closure.cjs";
import type { EngineMode } from "./mocks";
import { loadProjectStack, type StackDocument } from "./project";
import { recordProgram, type ResourceRecord } from "./record";
import { formatSdkCapturesUnmapped } from "./sdk-stacks";

export type ChildMessage =
  | { ok: true; recorded: import("./record").RecordedStack }
  | { ok: false; name: string; message: string }
  /** Resources as they register (when the engine was asked to stream them), before the result. */
  | { registered: ResourceRecord[] };

/** Whether the parent wants each registration as it happens (argv: "stream" or "batch"). */
export type Delivery = "stream" | "batch";

function send(message: ChildMessage): Promise<void> {
  // Wait until the message is handed over: a large recording must not be cut off by the exit.
  return new Promise((resolve) => process.send!(message, () => resolve()));
}

const realExit = process.exit.bind(process);
let reported = false;

/**
 * A program that calls process.exit has not finished: under the real CLI its resources would be
 * missing from the deployment. Report where it was called, then exit.
 */
function interceptExit(programDir: string): void {
  process.exit = ((code?: number | string | null) => {
    if (reported) return realExit(code ?? undefined);
    reported = true;
    const where = programFrames(new Error("process.exit"), programDir);
    void send({
      ok: false,
      name: "ProgramError",
      message:
        `the Pulumi program in ${programDir} called process.exit(${code ?? ""}) before it finished` +
        (where.length ? `\n    ${where.join("\n    ")}` : ""),
    }).then(() => realExit(1));
    return undefined as never;
  }) as typeof process.exit;
}

/**
 * Registrations batched: one IPC message per turn of the event loop, or sooner once a batch is
 * FLUSH_AFTER_MS old. Under mocks a program often registers everything in one long chain of
 * promises that gives the event loop no turn until it ends; the parent's analysis then still
 * starts while the program runs (process.send writes at once when the pipe takes it).
 */
const FLUSH_AFTER_MS = 10;

function streamer(): { onResource: (resource: ResourceRecord) => void; flush: () => void } {
  let batch: ResourceRecord[] = [];
  let batchStartedAt = 0;
  let scheduled = false;
  const flush = () => {
    if (batch.length === 0) return;
    void send({ registered: batch });
    batch = [];
  };
  return {
    onResource(resource) {
      if (batch.length === 0) batchStartedAt = performance.now();
      batch.push(resource);
      if (performance.now() - batchStartedAt >= FLUSH_AFTER_MS) flush();
      if (!scheduled) {
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          flush();
        });
      }
    },
    flush,
  };
}

/**
 * Waits (at most a second) for the file writes still in flight, such as tsx's compile cache: it
 * writes each entry with fs.promises.writeFile (FileCache.set in tsx 4.23.15's
 * dist/register-*.cjs), whose steps need turns of the event loop that a
 * program resolving its resources in one long chain of promises does not give. Killed before they
 * end, the entries stay empty files and every run compiles the program again.
 */
async function fileWritesSettled(): Promise<void> {
  const deadline = Date.now() + 1_000;
  const writing = () =>
    process.getActiveResourcesInfo().some((resource) => resource.startsWith("FSReq"));
  while (writing() && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

async function main(): Promise<void> {
  const [programDir, stack, mode, delivery, documentJson] = process.argv.slice(2);
  const stream = delivery === "stream" ? streamer() : undefined;
  let message: ChildMessage;
  try {
    const document = documentJson ? (JSON.parse(documentJson) as StackDocument) : undefined;
    const project = loadProjectStack(programDir, stack, document);
    interceptExit(project.programDir);
    formatSdkCapturesUnmapped();
    deferClosureModules();
    mapProgramSourcesOnly();
    const recorded = await recordProgram(project, mode as EngineMode, stream?.onResource);
    message = { ok: true, recorded };
  } catch (err) {
    const name = err instanceof Error ? err.name : "Error";
    message = { ok: false, name, message: errorMessage(err) };
  }
  if (reported) return;
  reported = true;
  await fileWritesSettled();
  stream?.flush();
  await send(message);
  // Timers or sockets the program left open must not keep this process alive.
  realExit(0);
}

void main();

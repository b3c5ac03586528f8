/* Runs one program under mocks in a fresh process and sends the recording back over IPC. */
import { errorMessage } from "../errors";
import { programFrames } from "./failure";
import { deferClosureModules } from "./lazy-closure";
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

/** Registrations batched per turn of the event loop: one IPC message per batch, in order. */
function streamer(): { onResource: (resource: ResourceRecord) => void; flush: () => void } {
  let batch: ResourceRecord[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (batch.length === 0) return;
    void send({ registered: batch });
    batch = [];
  };
  return {
    onResource(resource) {
      batch.push(resource);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
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
    const recorded = await recordProgram(project, mode as EngineMode, stream?.onResource);
    message = { ok: true, recorded };
  } catch (err) {
    const name = err instanceof Error ? err.name : "Error";
    message = { ok: false, name, message: errorMessage(err) };
  }
  if (reported) return;
  reported = true;
  stream?.flush();
  await send(message);
  // Timers or sockets the program left open must not keep this process alive.
  realExit(0);
}

void main();

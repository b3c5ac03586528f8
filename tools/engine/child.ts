/* Runs one program under mocks in a fresh process and sends the recording back over IPC. */
import { errorMessage } from "../errors";
import { programFrames } from "./failure";
import type { EngineMode } from "./mocks";
import { loadProjectStack, type StackDocument } from "./project";
import { recordProgram } from "./record";
import { formatSdkCapturesUnmapped } from "./sdk-stacks";

export type ChildMessage =
  | { ok: true; recorded: import("./record").RecordedStack }
  | { ok: false; name: string; message: string };

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

async function main(): Promise<void> {
  const [programDir, stack, mode, documentJson] = process.argv.slice(2);
  let message: ChildMessage;
  try {
    const document = documentJson ? (JSON.parse(documentJson) as StackDocument) : undefined;
    const project = loadProjectStack(programDir, stack, document);
    interceptExit(project.programDir);
    formatSdkCapturesUnmapped();
    const recorded = await recordProgram(project, mode as EngineMode);
    message = { ok: true, recorded };
  } catch (err) {
    const name = err instanceof Error ? err.name : "Error";
    message = { ok: false, name, message: errorMessage(err) };
  }
  if (reported) return;
  reported = true;
  await send(message);
  // Timers or sockets the program left open must not keep this process alive.
  realExit(0);
}

void main();

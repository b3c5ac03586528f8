/* Runs one program under mocks in a fresh process and sends the recording back over IPC. */
import { errorMessage } from "../errors";
import { loadProjectStack, type StackDocument } from "./project";
import { recordProgram } from "./record";

async function main(): Promise<void> {
  const [programDir, stack, documentJson] = process.argv.slice(2);
  try {
    const document = documentJson ? (JSON.parse(documentJson) as StackDocument) : undefined;
    const recorded = await recordProgram(loadProjectStack(programDir, stack, document));
    process.send?.({ ok: true, recorded });
  } catch (err) {
    const name = err instanceof Error ? err.name : "Error";
    process.send?.({ ok: false, name, message: errorMessage(err) });
  }
  process.disconnect?.();
}

void main();

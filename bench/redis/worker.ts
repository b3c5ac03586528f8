/*
 * Runs inside a benchmark namespace: one client variant under a closed-loop write load. Reports
 * events as JSON lines with wall-clock timestamps; the orchestrator injects faults and sends
 * "heal" / "stop" on stdin. Stops by itself after --max-seconds.
 */
import * as readline from "node:readline";
import { createClient, Variant } from "./clients";

const [variant, port, concurrencyText, maxSecondsText, label] = process.argv.slice(2);
const emit = (event: Record<string, unknown>) =>
  process.stdout.write(JSON.stringify({ at: Date.now(), ...event }) + "\n");

async function main(): Promise<void> {
  const client = createClient(variant as Variant, `redis://127.0.0.1:${port}`);
  await client.start();
  const deadline = Date.now() + Number(maxSecondsText) * 1000;
  const acknowledged: string[] = [];
  let running = true;
  let completed = 0;
  let sequence = 0;
  let healedAt = 0;
  let firstFailureAt = 0;
  let notReadyAt = 0;
  let servingAgainAt = 0;

  const loop = async () => {
    while (running && Date.now() < deadline) {
      const key = `${label}:${sequence++}`;
      try {
        await client.write(key);
        acknowledged.push(key);
        completed++;
        if (healedAt && !servingAgainAt) {
          servingAgainAt = Date.now();
          emit({ event: "servingAgain" });
        }
      } catch {
        if (!firstFailureAt) {
          firstFailureAt = Date.now();
          emit({ event: "firstFailure" });
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  };
  const readiness = setInterval(() => {
    if (!notReadyAt && !client.ready()) {
      notReadyAt = Date.now();
      emit({ event: "notReady" });
    }
  }, 10);

  const loops = Array.from({ length: Number(concurrencyText) }, loop);
  emit({ event: "loaded" });
  const input = readline.createInterface({ input: process.stdin });
  input.on("line", (line) => {
    if (line === "heal") healedAt = Date.now();
    if (line === "stop") running = false;
  });
  await Promise.all(loops.map((done) => Promise.race([done, stopped(input)])));
  clearInterval(readiness);
  emit({ event: "done", completed, acknowledged: acknowledged.length, ...client.counters() });
  process.stdout.write(JSON.stringify({ event: "acknowledged", keys: acknowledged }) + "\n");
  input.close();
  client.close();
  setTimeout(() => process.exit(0), 200).unref();
}

/** After "stop", commands still hanging on a dead socket get 5 s; then we report anyway. */
function stopped(input: readline.Interface): Promise<void> {
  return new Promise((resolve) =>
    input.on("line", (line) => {
      if (line === "stop") setTimeout(resolve, 5_000).unref();
    }),
  );
}

void main();

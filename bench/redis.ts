/*
 * npm run bench:redis [-- --cap 60 --healthy-seconds 30 --throughput-seconds 3]
 * Side by side, same server build, same load: how long a silent Redis goes unnoticed by (a) plain
 * ioredis, (b) the seed project's kernel settings, (c) this service's client; the healthy-path
 * throughput of each; and a healthy full-load run of (c) that must raise no false alarm.
 */
import * as path from "node:path";
import { ChildProcess } from "node:child_process";
import { parseFlags, requireChoice, runCli } from "../tools/cli";
import { PROJECT_ROOT } from "../tools/engine";
import { NetnsLab, sleep } from "../test/support/redis-netns";
import { REDIS_PORT, RedisServer } from "../test/support/redis-lab";
import { VARIANT_LABELS, VARIANTS, Variant } from "./redis/clients";
import { clusterBench } from "./redis/cluster";

const USAGE =
  "usage: npm run bench:redis -- [--mode standalone|cluster] [--cap 60] [--healthy-seconds 30] [--throughput-seconds 3] [--concurrency 16]";
const log = (message: string) => process.stderr.write(`bench:redis: ${message}\n`);

interface WorkerEvent {
  event: string;
  at: number;
  [key: string]: unknown;
}

class Worker {
  private readonly events: WorkerEvent[] = [];
  private buffer = "";

  constructor(readonly child: ChildProcess) {
    child.stdout?.on("data", (chunk: Buffer) => {
      this.buffer += chunk.toString("utf8");
      const lines = this.buffer.split("\n");
      this.buffer = lines.pop() ?? "";
      for (const line of lines)
        if (line.startsWith("{")) this.events.push(JSON.parse(line) as WorkerEvent);
    });
  }

  find(event: string): WorkerEvent | undefined {
    return this.events.find((candidate) => candidate.event === event);
  }

  async waitFor(event: string, timeoutMs: number): Promise<WorkerEvent | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.find(event);
      if (found) return found;
      await sleep(10);
    }
    return undefined;
  }

  send(line: string): void {
    this.child.stdin?.write(`${line}\n`);
  }
}

function startWorker(
  lab: NetnsLab,
  variant: Variant,
  concurrency: number,
  maxSeconds: number,
  label: string,
): Worker {
  const script = path.join(PROJECT_ROOT, "bench/redis/worker.ts");
  const args = [
    "--import",
    "tsx",
    script,
    variant,
    String(REDIS_PORT),
    String(concurrency),
    String(maxSeconds),
    label,
  ];
  return new Worker(lab.spawn(process.execPath, args, {}, true));
}

interface FaultFigures {
  firstFailureMs?: number;
  notReadyMs?: number;
  servingAgainMs?: number;
  lostWrites: number;
}

function missingKeys(redis: RedisServer, keys: string[]): number {
  let missing = 0;
  for (let offset = 0; offset < keys.length; offset += 2_000) {
    const batch = keys.slice(offset, offset + 2_000);
    missing += batch.length - Number(redis.cli("EXISTS", ...batch).trim());
  }
  return missing;
}

type Fault = "blackhole" | "freeze";

async function faultRun(
  variant: Variant,
  fault: Fault,
  capMs: number,
  concurrency: number,
): Promise<FaultFigures> {
  const lab = NetnsLab.create(`bench-${fault.slice(0, 5)}-${variant}`);
  try {
    const redis = new RedisServer(lab);
    await redis.start();
    const worker = startWorker(
      lab,
      variant,
      concurrency,
      (capMs * 2) / 1000 + 30,
      `${fault}-${variant}`,
    );
    await worker.waitFor("loaded", 15_000);
    await sleep(1_000);
    const faultAt = Date.now();
    if (fault === "blackhole") lab.blackhole(REDIS_PORT);
    else redis.freeze();
    const firstFailure = worker.waitFor("firstFailure", capMs);
    const notReady = worker.waitFor("notReady", capMs);
    const [failed, unready] = await Promise.all([firstFailure, notReady]);
    const healAt = Date.now();
    if (fault === "blackhole") lab.heal(REDIS_PORT);
    else redis.thaw();
    worker.send("heal");
    const serving = await worker.waitFor("servingAgain", capMs);
    worker.send("stop");
    const acknowledged = await worker.waitFor("acknowledged", 30_000);
    const keys = (acknowledged?.keys as string[] | undefined) ?? [];
    return {
      firstFailureMs: failed && failed.at - faultAt,
      notReadyMs: unready && unready.at - faultAt,
      servingAgainMs: serving && Math.max(0, serving.at - healAt),
      lostWrites: missingKeys(redis, keys),
    };
  } finally {
    await lab.destroy();
  }
}

async function healthyRun(lab: NetnsLab, variant: Variant, seconds: number, concurrency: number) {
  const worker = startWorker(
    lab,
    variant,
    concurrency,
    seconds,
    `healthy-${variant}-${Date.now()}`,
  );
  const loaded = await worker.waitFor("loaded", 15_000);
  const done = await worker.waitFor("done", (seconds + 20) * 1000);
  if (!loaded || !done) throw new Error(`the ${variant} worker did not finish`);
  await worker.waitFor("acknowledged", 10_000);
  return {
    opsPerSecond: (done.completed as number) / ((done.at - loaded.at) / 1000),
    commandTimeouts: done.commandTimeouts as number,
    reconnects: done.reconnects as number,
    wentUnready: worker.find("notReady") !== undefined,
  };
}

const seconds = (ms: number | undefined, capMs: number) =>
  ms === undefined ? `> ${capMs / 1000} s` : `${(ms / 1000).toFixed(2)} s`;
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<number> {
  const flags = parseFlags(
    process.argv.slice(2),
    {
      cap: { type: "string", default: "60" },
      "healthy-seconds": { type: "string", default: "30" },
      "throughput-seconds": { type: "string", default: "3" },
      concurrency: { type: "string", default: "16" },
      mode: { type: "string", default: "standalone" },
    },
    USAGE,
  );
  if (requireChoice("mode", flags.mode, ["standalone", "cluster"]) === "cluster") {
    return clusterBench(log);
  }
  const capMs = Number(flags.cap) * 1000;
  const concurrency = Number(flags.concurrency);
  const faults: Record<Fault, Record<Variant, FaultFigures>> = {
    blackhole: {} as never,
    freeze: {} as never,
  };
  for (const fault of ["blackhole", "freeze"] as const) {
    log(
      `${fault}: the three clients side by side, each with its own Redis (cap ${capMs / 1000} s)...`,
    );
    const figures = await Promise.all(
      VARIANTS.map((variant) => faultRun(variant, fault, capMs, concurrency)),
    );
    VARIANTS.forEach((variant, index) => (faults[fault][variant] = figures[index]));
  }

  log("healthy-path throughput: 3 rounds per client, one client at a time...");
  const lab = NetnsLab.create("bench-healthy");
  const throughput: Record<string, number[]> = {};
  let falseAlarm;
  try {
    const redis = new RedisServer(lab);
    await redis.start();
    for (let round = 0; round < 3; round++) {
      for (const variant of VARIANTS) {
        const run = await healthyRun(
          lab,
          variant,
          Number(flags["throughput-seconds"]),
          concurrency,
        );
        (throughput[variant] ??= []).push(run.opsPerSecond);
        redis.cli("FLUSHALL");
      }
    }
    log(`false-alarm check: (c) at full load for ${flags["healthy-seconds"]} s...`);
    falseAlarm = await healthyRun(
      lab,
      "service",
      Number(flags["healthy-seconds"]),
      concurrency * 4,
    );
  } finally {
    await lab.destroy();
  }

  const baseline = median(throughput.plain);
  const rows = VARIANTS.map((variant) => {
    const blackhole = faults.blackhole[variant];
    const freeze = faults.freeze[variant];
    const ops = median(throughput[variant]);
    return [
      VARIANT_LABELS[variant],
      seconds(blackhole.firstFailureMs, capMs),
      seconds(blackhole.notReadyMs, capMs),
      seconds(blackhole.servingAgainMs, capMs),
      seconds(freeze.firstFailureMs, capMs),
      seconds(freeze.notReadyMs, capMs),
      seconds(freeze.servingAgainMs, capMs),
      `${Math.round(ops)} (${(((ops - baseline) / baseline) * 100).toFixed(1)}%)`,
      String(blackhole.lostWrites + freeze.lostWrites),
    ];
  });
  const header = [
    "client",
    "blackhole: 1st failure",
    "not ready",
    "serving after heal",
    "freeze: 1st failure",
    "not ready",
    "serving after thaw",
    "healthy ops/s (vs a)",
    "acked writes lost",
  ];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells: string[]) =>
    cells.map((cell, column) => cell.padEnd(widths[column])).join(" | ");
  console.log(line(header));
  console.log(widths.map((width) => "-".repeat(width)).join("-|-"));
  for (const row of rows) console.log(line(row));
  console.log("");
  console.log(
    `false-alarm run, (c) at full load (${concurrency * 4} in flight) for ${flags["healthy-seconds"]} s: ` +
      `${Math.round(falseAlarm.opsPerSecond)} ops/s, ${falseAlarm.commandTimeouts} command timeouts, ` +
      `${falseAlarm.reconnects} reconnects, readiness dropped: ${falseAlarm.wentUnready ? "yes" : "no"}`,
  );
  return 0;
}

runCli("bench:redis", main);

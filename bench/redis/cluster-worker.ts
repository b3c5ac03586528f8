/*
 * Runs inside the benchmark namespace against the six-node cluster: one client ("plain": ioredis
 * Cluster with its defaults; "service": the app's ResilientCluster) under a closed-loop write
 * load on every shard, each write optionally followed by WAIT 1 in the same pipeline.
 * - A fault run (seconds given). Commands on stdin: "fault <port>" (the primary the orchestrator is about to fail), "stop". Prints one
 *   JSON line of figures at the end.
 * - Healthy windows (seconds "windows"): the client stays connected and idle until the
 *   orchestrator sends "window <ms>", then writes for that long and prints that window's writes
 *   and CPU; "stop" ends it. Two such workers take turns, so both see the same moments of the
 *   shared machine and no window pays for a process start.
 */
import * as readline from "node:readline";
import { Cluster } from "ioredis";
import pino from "pino";
import { loadConfig } from "../../app/src/config";
import { ResilientCluster } from "../../app/src/redis/cluster";

const [variant, seed, waitText, concurrencyText, maxSecondsText] = process.argv.slice(2);
const wait = waitText === "1";
const emit = (event: Record<string, unknown>) =>
  process.stdout.write(JSON.stringify({ at: Date.now(), ...event }) + "\n");

async function write(client: Cluster, key: string): Promise<void> {
  const pipeline = client.pipeline().set(key, "1");
  if (wait) pipeline.call("WAIT", "1", "500");
  const results = await pipeline.exec();
  if (!results || results.some(([err]) => err)) throw results?.find(([err]) => err)?.[0];
  if (wait && Number(results[1][1]) < 1) throw new Error("not replicated");
}

/** Healthy windows on the orchestrator's word: writes and CPU per write of each window. */
function serveWindows(
  client: Cluster,
  shards: [string, string][],
  close: () => Promise<void>,
): Promise<void> {
  let sequence = 0;
  const window = async (ms: number) => {
    const until = Date.now() + ms;
    let completed = 0;
    let failed = 0;
    const cpuAtStart = process.cpuUsage();
    const loop = async (index: number) => {
      const tag = shards[index % shards.length][1];
      while (Date.now() < until) {
        try {
          await write(client, `${tag}:${index}:${sequence++}`);
          completed++;
        } catch {
          failed++;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }
    };
    await Promise.all(Array.from({ length: Number(concurrencyText) }, (_, index) => loop(index)));
    const cpu = process.cpuUsage(cpuAtStart);
    emit({
      event: "window",
      perSecond: (completed * 1000) / ms,
      failed,
      cpuMicrosPerWrite: completed ? (cpu.user + cpu.system) / completed : 0,
    });
  };
  emit({ event: "loaded", shards: shards.map(([owner]) => owner) });
  const input = readline.createInterface({ input: process.stdin });
  return new Promise((resolve) => {
    input.on("line", (line) => {
      const [command, argument] = line.split(" ");
      if (command === "window") void window(Number(argument));
      if (command === "stop") {
        input.close();
        void close().then(() => {
          setTimeout(() => process.exit(0), 200).unref();
          resolve();
        });
      }
    });
  });
}

async function main(): Promise<void> {
  const url = new URL(seed);
  let client: Cluster;
  let close: () => Promise<void>;
  if (variant === "service") {
    const resilient = new ResilientCluster({
      url: seed,
      role: "bench",
      credentials: { kind: "none" },
      logger: pino({ level: "silent" }),
      // The Redis timings only: the worker serves no HTTP, so no token settings.
      timings: loadConfig({ REDIS_URL: seed, AUTH_DISABLED: "true" }).redis.timings,
    });
    await resilient.start();
    client = resilient.client;
    close = () => resilient.close();
  } else {
    client = new Cluster([{ host: url.hostname, port: Number(url.port) }]);
    await new Promise((resolve) => client.once("ready", resolve));
    close = async () => client.disconnect();
  }
  // One hash tag per primary: {s<n>} whose slot that primary serves.
  const tagOf = new Map<string, string>();
  for (let n = 0; tagOf.size < 3 && n < 10_000; n++) {
    const slot = Number(await client.cluster("KEYSLOT", `{s${n}}`));
    const owner = (client as unknown as { slots: string[][] }).slots[slot]?.[0];
    if (owner && !tagOf.has(owner)) tagOf.set(owner, `{s${n}}`);
  }
  const shards = [...tagOf.entries()];
  if (maxSecondsText === "windows") return serveWindows(client, shards, close);
  let victim = "";
  let faultAt = 0;
  let firstFailureAt = 0;
  let servingAgainAt = 0;
  let otherErrors = 0;
  let slowestMs = 0;
  let running = true;
  const acknowledged: string[] = [];
  const deadline = Date.now() + Number(maxSecondsText) * 1000;
  let sequence = 0;
  const loop = async (shardIndex: number) => {
    const [owner, tag] = shards[shardIndex % shards.length];
    while (running && Date.now() < deadline) {
      const key = `${tag}:${shardIndex}:${sequence++}`;
      // Whether the write's shard is the failed one, read when the write ends: a write in flight
      // when "fault" arrives belongs to the victim's shard, not to the other shards.
      const isOnVictim = () => owner === victim;
      const startedAt = Date.now();
      try {
        await write(client, key);
        const onVictim = isOnVictim();
        acknowledged.push(key);
        // Serving again: the first write started after the fault that succeeds on its shard.
        if (onVictim && faultAt && startedAt > faultAt && !servingAgainAt) {
          servingAgainAt = Date.now();
        }
        if (onVictim && faultAt) slowestMs = Math.max(slowestMs, Date.now() - startedAt);
      } catch {
        const onVictim = isOnVictim();
        if (onVictim && faultAt) slowestMs = Math.max(slowestMs, Date.now() - startedAt);
        if (onVictim && faultAt && !firstFailureAt) firstFailureAt = Date.now();
        if (!onVictim && faultAt) otherErrors++;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  };
  const loops = Array.from({ length: Number(concurrencyText) }, (_, index) => loop(index));
  emit({ event: "loaded", shards: shards.map(([owner]) => owner) });
  const input = readline.createInterface({ input: process.stdin });
  input.on("line", (line) => {
    const [command, argument] = line.split(" ");
    if (command === "fault") {
      victim = `127.0.0.1:${argument}`;
      faultAt = Date.now();
    }
    if (command === "stop") running = false;
  });
  await Promise.race([Promise.all(loops), new Promise((r) => setTimeout(r, 60_000 * 5))]);
  // Read back what was acknowledged (the cluster has healed by now).
  let lost = 0;
  for (let from = 0; from < acknowledged.length; from += 500) {
    const values = await Promise.all(
      acknowledged.slice(from, from + 500).map((key) => client.get(key).catch(() => null)),
    );
    lost += values.filter((value) => value === null).length;
  }
  emit({
    event: "done",
    faultAt,
    firstFailureAt,
    servingAgainAt,
    slowestMs,
    otherErrors,
    lost,
  });
  input.close();
  await close();
  setTimeout(() => process.exit(0), 200).unref();
}

void main();

/*
 * npm run bench:redis -- --mode cluster: a six-node Redis Cluster (test/support/redis-cluster.ts)
 * and, side by side, the plain ioredis Cluster client with its defaults and the app's client,
 * each with and without WAIT 1: time to the first failed write on a killed primary's shard, time
 * from the replica's promotion until that shard takes writes again, errors on the other shards,
 * acknowledged writes lost, healthy writes/s and the cost of WAIT.
 */
import * as path from "node:path";
import { ChildProcess } from "node:child_process";
import { PROJECT_ROOT } from "../../tools/engine";
import { eventually, NetnsLab, sleep } from "../../test/support/redis-netns";
import { RedisClusterLab } from "../../test/support/redis-cluster";

const NODE_TIMEOUT_MS = 700;
const CLIENTS = ["plain", "service"] as const;
const LABELS: Record<(typeof CLIENTS)[number], string> = {
  plain: "(a) ioredis Cluster, defaults",
  service: "(b) this client (ResilientCluster)",
};

interface Done {
  faultAt: number;
  firstFailureAt: number;
  servingAgainAt: number;
  slowestMs: number;
  otherErrors: number;
  completed: number;
  cpuMicrosPerWrite: number;
  lost: number;
}

function worker(
  lab: NetnsLab,
  seed: string,
  client: string,
  wait: boolean,
  seconds: number,
  warmupSeconds = 0,
) {
  const script = path.join(PROJECT_ROOT, "bench/redis/cluster-worker.ts");
  const args = [client, seed, wait ? "1" : "0", "6", String(seconds), String(warmupSeconds)];
  const child: ChildProcess = lab.spawn(
    process.execPath,
    ["--import", "tsx", script, ...args],
    {},
    true,
  );
  const events: Record<string, unknown>[] = [];
  let buffer = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    const lines = buffer.split("\n");
    buffer = lines.pop() ?? "";
    for (const line of lines) if (line.startsWith("{")) events.push(JSON.parse(line));
  });
  // Read stderr too (a full pipe would stall the worker) and keep its end for the error.
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-2_000);
  });
  const next = (event: string, timeoutMs: number) =>
    eventually(`worker event ${event}`, timeoutMs, async () =>
      events.find((candidate) => candidate.event === event),
    ).catch((err: Error) => {
      throw new Error(`${client}: ${err.message}${stderr ? `; its stderr: ${stderr}` : ""}`);
    });
  return { child, next, send: (line: string) => child.stdin?.write(`${line}\n`) };
}

const HEALTHY_ROUNDS = 3;
const HEALTHY_SECONDS = 3;
const WARMUP_SECONDS = 1;

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Healthy writes/s of each client and WAIT setting: the median of HEALTHY_ROUNDS runs, the
 * clients alternating round by round so that a busy moment of the shared machine falls on both.
 */
async function healthyRates(
  lab: NetnsLab,
  seed: string,
  log: (message: string) => void,
): Promise<Record<string, number[]>> {
  const rates: Record<string, number[]> = {};
  for (let round = 1; round <= HEALTHY_ROUNDS; round++) {
    for (const wait of [false, true]) {
      for (const client of CLIENTS) {
        log(`healthy round ${round}/${HEALTHY_ROUNDS}: ${client}, WAIT ${wait ? "1" : "off"}...`);
        const run = worker(lab, seed, client, wait, HEALTHY_SECONDS, WARMUP_SECONDS);
        const done = (await run.next("done", 30_000)) as unknown as Done;
        (rates[`${client}:${wait}`] ??= []).push(done.completed / HEALTHY_SECONDS);
        (rates[`${client}:${wait}:cpu`] ??= []).push(done.cpuMicrosPerWrite);
      }
    }
  }
  return rates;
}

export async function clusterBench(log: (message: string) => void): Promise<number> {
  const lab = NetnsLab.create("bench-cluster");
  const cluster = new RedisClusterLab(lab, NODE_TIMEOUT_MS);
  const rows: string[] = [];
  try {
    await cluster.create();
    const rates = await healthyRates(lab, cluster.seedUrl, log);
    const plainOps = median(rates["plain:false"]);
    const plainCpu = median(rates["plain:false:cpu"]);
    for (const client of CLIENTS) {
      const figures: Record<string, string> = {};
      const ops = median(rates[`${client}:false`]);
      const opsWait = median(rates[`${client}:true`]);
      figures.ops = `${ops.toFixed(0)} (${((1 - ops / plainOps) * 100).toFixed(1)}% below (a))`;
      const cpu = median(rates[`${client}:false:cpu`]);
      figures.cpu = `${cpu.toFixed(1)} µs (${((cpu / plainCpu - 1) * 100).toFixed(1)}% above (a))`;
      figures.opsWait = `${opsWait.toFixed(0)} (${((1 - opsWait / ops) * 100).toFixed(1)}% less)`;
      for (const wait of [false, true]) {
        log(`${client}, WAIT ${wait ? "1" : "off"}: kill a primary under load...`);
        const run = worker(lab, cluster.seedUrl, client, wait, 40);
        const loaded = (await run.next("loaded", 15_000)) as { shards: string[] };
        await sleep(1_000);
        const victimPort = Number(loaded.shards[0].split(":")[1]);
        const victim = cluster.node(victimPort);
        const replica = cluster.nodes.find(
          (node) => node.running && node.primaryPort() === victimPort,
        )!;
        run.send(`fault ${victimPort}`);
        await victim.kill();
        const promotedAt = await eventually("promotion", 15_000, async () =>
          replica.role() === "master" ? Date.now() : undefined,
        );
        await sleep(3_000);
        await victim.start();
        await eventually("old primary rejoined", 15_000, async () =>
          victim.primaryPort() === replica.port &&
          victim.cli("INFO", "replication").includes("master_link_status:up")
            ? true
            : undefined,
        );
        await cluster.settled();
        await sleep(500);
        run.send("stop");
        const done = (await run.next("done", 60_000)) as unknown as Done;
        const suffix = wait ? "Wait" : "";
        figures[`first${suffix}`] = done.firstFailureAt
          ? `${((done.firstFailureAt - done.faultAt) / 1000).toFixed(2)} s`
          : "none";
        figures[`again${suffix}`] = done.servingAgainAt
          ? `${((done.servingAgainAt - promotedAt) / 1000).toFixed(2)} s`
          : "not within run";
        figures[`other${suffix}`] = String(done.otherErrors);
        figures[`slowest${suffix}`] = `${(done.slowestMs / 1000).toFixed(2)} s`;
        figures[`lost${suffix}`] = String(done.lost);
      }
      rows.push(
        `| ${LABELS[client]} | ${figures.first} | ${figures.slowest} | ${figures.again} | ${figures.other} / ${figures.otherWait} | ${figures.lost} | ${figures.lostWait} | ${figures.ops} | ${figures.cpu} | ${figures.opsWait} |`,
      );
    }
  } finally {
    await cluster.destroyNodes();
    await lab.destroy();
  }
  console.log(
    [
      `Redis Cluster, 3 primaries + 3 replicas, cluster-node-timeout ${NODE_TIMEOUT_MS} ms; a primary killed under load (6 writers over 3 shards)`,
      "",
      `healthy writes/s: median of ${HEALTHY_ROUNDS} runs of ${HEALTHY_SECONDS} s per client and WAIT setting (after ${WARMUP_SECONDS} s of warm-up), the clients alternating; client CPU per write: the worker process's user + system CPU over the counted writes, no WAIT`,
      "",
      "| client | 1st failure on its shard | slowest write on its shard | serving again after promotion | errors on other shards (no WAIT / WAIT) | acked writes lost (no WAIT) | acked writes lost (WAIT 1) | healthy writes/s | client CPU per write | with WAIT 1 |",
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
      ...rows,
    ].join("\n"),
  );
  return 0;
}

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
  lost: number;
}

function worker(lab: NetnsLab, seed: string, client: string, wait: boolean, seconds: number) {
  const script = path.join(PROJECT_ROOT, "bench/redis/cluster-worker.ts");
  const child: ChildProcess = lab.spawn(
    process.execPath,
    ["--import", "tsx", script, client, seed, wait ? "1" : "0", "6", String(seconds)],
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
  const next = (event: string, timeoutMs: number) =>
    eventually(`worker event ${event}`, timeoutMs, async () =>
      events.find((candidate) => candidate.event === event),
    );
  return { child, next, send: (line: string) => child.stdin?.write(`${line}\n`) };
}

export async function clusterBench(log: (message: string) => void): Promise<number> {
  const lab = NetnsLab.create("bench-cluster");
  const cluster = new RedisClusterLab(lab, NODE_TIMEOUT_MS);
  const rows: string[] = [];
  try {
    await cluster.create();
    for (const client of CLIENTS) {
      const figures: Record<string, string> = {};
      for (const wait of [false, true]) {
        log(`${client}, WAIT ${wait ? "1" : "off"}: healthy 3 s...`);
        const healthy = worker(lab, cluster.seedUrl, client, wait, 3);
        await healthy.next("loaded", 15_000);
        const healthyDone = (await healthy.next("done", 30_000)) as unknown as Done;
        figures[wait ? "opsWait" : "ops"] = (healthyDone.completed / 3).toFixed(0);

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
      const cost = (1 - Number(figures.opsWait) / Number(figures.ops)) * 100;
      rows.push(
        `| ${LABELS[client]} | ${figures.first} | ${figures.slowest} | ${figures.again} | ${figures.other} / ${figures.otherWait} | ${figures.lost} | ${figures.lostWait} | ${figures.ops} | ${figures.opsWait} (${cost.toFixed(1)}% less) |`,
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
      "| client | 1st failure on its shard | slowest write on its shard | serving again after promotion | errors on other shards (no WAIT / WAIT) | acked writes lost (no WAIT) | acked writes lost (WAIT 1) | healthy writes/s | with WAIT 1 |",
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
      ...rows,
    ].join("\n"),
  );
  return 0;
}

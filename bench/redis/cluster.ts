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
import { median, medianInterval } from "../stats";

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
  lost: number;
}

function worker(
  lab: NetnsLab,
  seed: string,
  client: string,
  wait: boolean,
  seconds: number | "windows",
) {
  const script = path.join(PROJECT_ROOT, "bench/redis/cluster-worker.ts");
  const args = [client, seed, wait ? "1" : "0", "6", String(seconds)];
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
  // Each event is taken once: the next "window" is the next window's figures.
  const next = (event: string, timeoutMs: number) =>
    eventually(`worker event ${event}`, timeoutMs, async () => {
      const index = events.findIndex((candidate) => candidate.event === event);
      return index < 0 ? undefined : events.splice(index, 1)[0];
    }).catch((err: Error) => {
      throw new Error(`${client}: ${err.message}${stderr ? `; its stderr: ${stderr}` : ""}`);
    });
  return { child, next, send: (line: string) => child.stdin?.write(`${line}\n`) };
}

/** Healthy throughput: windows of WINDOW_MS per client, the two clients taking turns. */
const WINDOWS = { withoutWait: 96, withWait: 12 } as const;
const WINDOW_MS = 1_000;

interface Window {
  perSecond: number;
  failed: number;
  cpuMicrosPerWrite: number;
}

/**
 * Healthy windows of each client, for one WAIT setting: both workers connect and stay idle, warm
 * up with one window each, then take turns (the order flipping every round) so that a busy moment
 * of the shared machine falls on both; window i of one client is paired with window i of the other.
 */
async function healthyWindows(
  lab: NetnsLab,
  seed: string,
  wait: boolean,
  log: (message: string) => void,
): Promise<Record<(typeof CLIENTS)[number], Window[]>> {
  const rounds = wait ? WINDOWS.withWait : WINDOWS.withoutWait;
  const runs = CLIENTS.map((client) => worker(lab, seed, client, wait, "windows"));
  const windows = { plain: [] as Window[], service: [] as Window[] };
  try {
    await Promise.all(runs.map((run) => run.next("loaded", 15_000)));
    const measure = async (index: number) => {
      runs[index].send(`window ${WINDOW_MS}`);
      return (await runs[index].next("window", WINDOW_MS + 30_000)) as unknown as Window;
    };
    for (let index = 0; index < CLIENTS.length; index++) await measure(index);
    log(`healthy, WAIT ${wait ? "1" : "off"}: ${rounds} windows of ${WINDOW_MS} ms per client...`);
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 ? [1, 0] : [0, 1];
      for (const index of order) windows[CLIENTS[index]].push(await measure(index));
    }
  } finally {
    for (const run of runs) run.send("stop");
  }
  return windows;
}

type Healthy = Record<(typeof CLIENTS)[number], Record<"ops" | "cpu" | "opsWait", string>>;

/**
 * Healthy figures per client: writes/s (the median of its windows) and, for this client, the
 * overhead against (a): the median of the paired windows' ratios with its 95% interval.
 */
function healthyFigures(
  withoutWait: Record<(typeof CLIENTS)[number], Window[]>,
  withWait: Record<(typeof CLIENTS)[number], Window[]>,
): Healthy {
  const rate = (windows: Window[]) => median(windows.map((window) => window.perSecond));
  const cpu = (windows: Window[]) => median(windows.map((window) => window.cpuMicrosPerWrite));
  const ratios = withoutWait.service.map(
    (window, index) => window.perSecond / withoutWait.plain[index].perSecond,
  );
  const [low, high] = medianInterval(ratios);
  const below = (ratio: number) => `${((1 - ratio) * 100).toFixed(1)}%`;
  const cpuAbove = (cpu(withoutWait.service) / cpu(withoutWait.plain) - 1) * 100;
  const waitCost = (client: (typeof CLIENTS)[number]) =>
    `${rate(withWait[client]).toFixed(0)} (${below(rate(withWait[client]) / rate(withoutWait[client]))} less)`;
  return {
    plain: {
      ops: rate(withoutWait.plain).toFixed(0),
      cpu: `${cpu(withoutWait.plain).toFixed(1)} µs`,
      opsWait: waitCost("plain"),
    },
    service: {
      ops: `${rate(withoutWait.service).toFixed(0)} (overhead ${below(median(ratios))}, 95% CI ${below(high)} to ${below(low)})`,
      cpu: `${cpu(withoutWait.service).toFixed(1)} µs (${cpuAbove.toFixed(1)}% above (a))`,
      opsWait: waitCost("service"),
    },
  };
}

export async function clusterBench(log: (message: string) => void): Promise<number> {
  const lab = NetnsLab.create("bench-cluster");
  const cluster = new RedisClusterLab(lab, NODE_TIMEOUT_MS);
  const rows: string[] = [];
  try {
    await cluster.create();
    const withoutWait = await healthyWindows(lab, cluster.seedUrl, false, log);
    const withWait = await healthyWindows(lab, cluster.seedUrl, true, log);
    const failedWindows = [...Object.values(withoutWait), ...Object.values(withWait)]
      .flat()
      .reduce((sum, window) => sum + window.failed, 0);
    if (failedWindows) throw new Error(`${failedWindows} writes failed on a healthy cluster`);
    const healthy = healthyFigures(withoutWait, withWait);
    for (const client of CLIENTS) {
      const figures: Record<string, string> = { ...healthy[client] };
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
      `healthy writes/s: the median of ${WINDOWS.withoutWait} windows of ${WINDOW_MS} ms per client (${WINDOWS.withWait} with WAIT 1), after one window of warm-up, the two clients connected throughout and taking turns; this client's overhead is 1 minus the median of the paired windows' ratios (negative: faster than (a)), with its 95% confidence interval; client CPU per write: the worker process's user + system CPU over a window's writes, no WAIT`,
      "",
      "| client | 1st failure on its shard | slowest write on its shard | serving again after promotion | errors on other shards (no WAIT / WAIT) | acked writes lost (no WAIT) | acked writes lost (WAIT 1) | healthy writes/s | client CPU per write | with WAIT 1 |",
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
      ...rows,
    ].join("\n"),
  );
  return 0;
}

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLoad } from "../support/redis-load";
import { ClusterNode, idsByPrimary, RedisClusterLab } from "../support/redis-cluster";
import { eventually, NetnsLab, request, sleep } from "../support/redis-netns";
import { runProbe, RunningApp, startApp } from "../support/redis-lab";

/*
 * A real six-node Redis Cluster (three primaries, three replicas, `redis-cli --cluster create`)
 * in the test's network namespace, the app in REDIS_MODE=cluster in front of it. Bounds are loose
 * enough for a busy CI machine; `npm run bench:redis -- --mode cluster` measures the figures.
 */
const NODE_TIMEOUT_MS = 700;
/** The bound: the failed shard serves again this soon after the replica's promotion. */
const SERVE_AGAIN_BOUND_MS = NODE_TIMEOUT_MS + 2_000;
/** A request for the failed shard waits at most about one command timeout (1 s). */
const FAIL_FAST_BOUND_MS = 2_500;

let lab: NetnsLab;
let cluster: RedisClusterLab;
let app: RunningApp;
let waitApp: RunningApp;

beforeAll(async () => {
  lab = NetnsLab.create("cluster");
  cluster = new RedisClusterLab(lab, NODE_TIMEOUT_MS);
  await cluster.create();
  const target = { url: cluster.seedUrl, caFile: undefined };
  [app, waitApp] = await Promise.all([
    startApp(lab, target, { REDIS_MODE: "cluster", LOG_LEVEL: "warn" }),
    startApp(lab, target, {
      REDIS_MODE: "cluster",
      REDIS_WAIT_REPLICAS: "1",
      REDIS_WAIT_TIMEOUT_MS: "500",
      LOG_LEVEL: "warn",
    }),
  ]);
}, 60_000);

afterAll(async () => {
  try {
    await Promise.all([app?.stop(), waitApp?.stop()]);
  } finally {
    await cluster?.destroyNodes();
    await lab?.destroy();
  }
});

interface Outcome {
  id: string;
  startedAt: number;
  elapsedMs: number;
  status: number;
  retryAfter?: string;
}

/** PUTs round-robin over `ids` from `workers` loops until stopped. */
function loadOn(socketPath: string, ids: string[], workers = 2) {
  const outcomes: Outcome[] = [];
  let running = true;
  let next = 0;
  const loop = async () => {
    while (running) {
      const id = ids[next++ % ids.length];
      const startedAt = Date.now();
      const answer = await request(socketPath, "PUT", `/api/items/${id}`, {
        body: JSON.stringify({ at: startedAt }),
        timeoutMs: 10_000,
      });
      const retryAfter = answer.headers["retry-after"];
      outcomes.push({
        id,
        startedAt,
        elapsedMs: answer.elapsedMs,
        status: answer.status,
        retryAfter: typeof retryAfter === "string" ? retryAfter : undefined,
      });
      if (answer.status >= 500) await sleep(20);
    }
  };
  const loops = Array.from({ length: workers }, loop);
  return {
    outcomes,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

const ok = (status: number) => status >= 200 && status < 300;

function replicaOf(primary: number): ClusterNode {
  const replica = cluster.nodes.find((node) => node.running && node.primaryPort() === primary);
  if (!replica) throw new Error(`no replica follows ${primary}`);
  return replica;
}

/** The old primary is back as a replica of the promoted node, and the link is up. */
async function rejoined(old: ClusterNode, promoted: ClusterNode): Promise<void> {
  await eventually(`${old.port} replicating ${promoted.port}`, 15_000, async () =>
    old.primaryPort() === promoted.port &&
    old.cli("INFO", "replication").includes("master_link_status:up")
      ? true
      : undefined,
  );
  await cluster.settled();
}

interface FaultFigures {
  promotionMs: number;
  servedAgainMs: number;
  slowestFailedMs: number;
  failedShardErrors: number;
  otherShardErrors: number;
}

async function primaryFault(
  label: string,
  inject: (node: ClusterNode) => void | Promise<void>,
  repair: (node: ClusterNode) => void | Promise<void>,
): Promise<FaultFigures> {
  const ids = idsByPrimary(cluster, label, 6);
  const [victimPort] = [...ids.keys()];
  const victim = cluster.node(victimPort);
  const replica = replicaOf(victimPort);
  const failedIds = ids.get(victimPort)!;
  const otherIds = [...ids.entries()].filter(([port]) => port !== victimPort).flatMap(([, v]) => v);
  const failed = loadOn(app.socketPath, failedIds);
  const others = loadOn(app.socketPath, otherIds);
  let repaired = false;
  try {
    await sleep(500);
    const faultAt = Date.now();
    await inject(victim);
    const promotedAt = await eventually("the replica's promotion", 15_000, async () =>
      replica.role() === "master" ? Date.now() : undefined,
    );
    const servedAt = await eventually("the failed shard serving again", 15_000, async () => {
      const answer = await request(app.socketPath, "PUT", `/api/items/${failedIds[0]}`, {
        body: "{}",
        timeoutMs: 5_000,
      });
      return ok(answer.status) ? Date.now() : undefined;
    });
    repaired = true;
    await repair(victim);
    await rejoined(victim, replica);
    // Healed by itself: both shards serve with the old primary now a replica.
    for (const id of [failedIds[1], otherIds[0]]) {
      const answer = await request(app.socketPath, "GET", `/api/items/${id}`, { timeoutMs: 5_000 });
      expect(answer.status, id).toBe(200);
    }
    await sleep(200);
    const failedDuring = failed.outcomes.filter(
      (outcome) => outcome.startedAt >= faultAt && outcome.startedAt < servedAt,
    );
    const failures = failedDuring.filter((outcome) => !ok(outcome.status));
    for (const failure of failures) {
      expect(failure.status).toBe(503);
      expect(failure.retryAfter).toBe("1");
    }
    return {
      promotionMs: promotedAt - faultAt,
      servedAgainMs: servedAt - promotedAt,
      slowestFailedMs: Math.max(0, ...failedDuring.map((outcome) => outcome.elapsedMs)),
      failedShardErrors: failures.length,
      otherShardErrors: others.outcomes.filter((outcome) => !ok(outcome.status)).length,
    };
  } finally {
    if (!repaired) await repair(victim);
    await Promise.all([failed.stop(), others.stop()]);
  }
}

function expectBounds(figures: FaultFigures): void {
  console.log(JSON.stringify(figures));
  expect(figures.otherShardErrors).toBe(0);
  expect(figures.failedShardErrors).toBeGreaterThan(0);
  expect(figures.slowestFailedMs).toBeLessThan(FAIL_FAST_BOUND_MS);
  expect(figures.servedAgainMs).toBeLessThanOrEqual(SERVE_AGAIN_BOUND_MS);
}

describe("REDIS_MODE=cluster against a six-node Redis Cluster", () => {
  it("sets keepalive and TCP_USER_TIMEOUT on every primary's live socket", async () => {
    const probe = runProbe(lab, "cluster-socket-options", cluster.seedUrl);
    const { sockets } = (await probe.line(0)) as {
      sockets: { node: string; keepAliveIntervalMs: number; tcpUserTimeoutMs: number }[];
    };
    expect(sockets).toHaveLength(3);
    for (const socket of sockets) {
      expect(socket).toMatchObject({ keepAliveIntervalMs: 5_000, tcpUserTimeoutMs: 5_000 });
    }
    probe.child.kill("SIGTERM");
  });

  it("serves items on every shard, lists them across shards, applies an Idempotency-Key once", async () => {
    const ids = [...idsByPrimary(cluster, "basic", 2).values()].flat();
    for (const id of ids) {
      const put = await request(app.socketPath, "PUT", `/api/items/${id}`, {
        body: `{"id":"${id}"}`,
      });
      expect(ok(put.status), id).toBe(true);
    }
    const listed = await request(app.socketPath, "GET", "/api/items?cursor=basic-&limit=100");
    const page = JSON.parse(listed.body) as { items: { id: string }[] };
    expect(page.items.map((item) => item.id).filter((id) => id.startsWith("basic-"))).toEqual(
      [...ids].sort(),
    );
    const headers = { "idempotency-key": "cluster-key-0001" };
    const first = await request(app.socketPath, "PUT", "/api/items/idem", { body: "{}", headers });
    const again = await request(app.socketPath, "PUT", "/api/items/idem", { body: "{}", headers });
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect((await request(app.socketPath, "GET", "/readyz")).status).toBe(200);
  });

  it("a killed primary: other shards serve throughout, its shard fails fast and serves again", async () => {
    expectBounds(
      await primaryFault(
        "kill",
        (node) => node.kill(),
        (node) => node.start(),
      ),
    );
  });

  it("a frozen primary (SIGSTOP): the same", async () => {
    expectBounds(
      await primaryFault(
        "freeze",
        (node) => node.freeze(),
        (node) => node.thaw(),
      ),
    );
  });

  it("a blackholed primary (iptables DROP): the same", async () => {
    expectBounds(
      await primaryFault(
        "blackhole",
        (node) => node.blackhole(),
        (node) => node.heal(),
      ),
    );
  });

  it("REDIS_WAIT_REPLICAS=1: no acknowledged write is lost across 20 failovers", async () => {
    const started = Date.now();
    const withWait = startLoad(waitApp.socketPath, "wait", 3, 80_000);
    const withoutWait = startLoad(app.socketPath, "nowait", 3, 80_000);
    try {
      // A forced failover (CLUSTER FAILOVER TAKEOVER on the replica): the replica takes over at
      // once, neither waiting to catch up nor for the primaries' votes (which a primary refuses
      // within 2 x cluster-node-timeout of its last vote), and the old primary becomes its
      // replica and drops what it had not replicated. Kills are covered above; this makes 20
      // failovers fit the suite.
      for (let failover = 0; failover < 20; failover++) {
        const primaries = cluster.primaries().sort();
        const victim = cluster.node(primaries[failover % primaries.length]);
        // After the previous failover the old primary may still be attaching as a replica.
        const replica = await eventually(`a replica following ${victim.port}`, 15_000, async () =>
          replicaOf(victim.port),
        );
        await sleep(300);
        replica.cli("CLUSTER", "FAILOVER", "TAKEOVER");
        await rejoined(victim, replica);
      }
    } finally {
      await Promise.all([withWait.stop(), withoutWait.stop()]);
    }
    const failoversMs = Date.now() - started;
    /** Acknowledged ids that are gone, read back 50 at a time. */
    const lost = async (acknowledged: string[]) => {
      let missing = 0;
      for (let from = 0; from < acknowledged.length; from += 50) {
        const answers = await Promise.all(
          acknowledged
            .slice(from, from + 50)
            .map((id) => request(app.socketPath, "GET", `/api/items/${id}`)),
        );
        for (const answer of answers) {
          if (answer.status === 404) missing++;
          else expect(answer.status).toBe(200);
        }
      }
      return missing;
    };
    const figures = {
      failoversMs,
      acknowledgedWithWait: withWait.acknowledged.length,
      lostWithWait: await lost(withWait.acknowledged),
      acknowledgedWithoutWait: withoutWait.acknowledged.length,
      lostWithoutWait: await lost(withoutWait.acknowledged),
    };
    // Without WAIT the loss is measured, not asserted: asynchronous replication may drop writes
    // a primary acknowledged just before it died.
    console.log(JSON.stringify(figures));
    expect(figures.acknowledgedWithWait).toBeGreaterThan(100);
    expect(figures.lostWithWait).toBe(0);
  }, 90_000);
});

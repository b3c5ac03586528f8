import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, NetnsLab, request, sleep } from "../support/redis-netns";
import { RedisServer, RunningApp, startApp, tearDown } from "../support/redis-lab";

/*
 * How a non-clustered managed cache fails over: clients know one endpoint; behind it a primary
 * and its replica. The primary dies or freezes, the replica is promoted (REPLICAOF NO ONE) and
 * the endpoint moves to it (an iptables DNAT rule inside the namespace, on 127.0.0.1). New
 * connections reach the new primary; the old ones point at the dead or frozen process, so the
 * app must notice and reconnect by itself.
 */
const ENDPOINT_PORT = 6390;
const SERVE_AGAIN_BOUND_MS = 3_000;
const FAIL_FAST_BOUND_MS = 2_500;

let lab: NetnsLab;
let app: RunningApp;
let servers: RedisServer[];

const endpointRule = (action: "-A" | "-D", port: number) => [
  "-t",
  "nat",
  action,
  "OUTPUT",
  "-p",
  "tcp",
  "-d",
  "127.0.0.1",
  "--dport",
  String(ENDPOINT_PORT),
  "-j",
  "DNAT",
  "--to-destination",
  `127.0.0.1:${port}`,
];

/** A primary on `primary` and its replica on `replica`, the endpoint in front of the primary. */
async function pair(primary: RedisServer, replica: RedisServer): Promise<void> {
  replica.cli("REPLICAOF", "127.0.0.1", String(primary.port));
  await eventually("the replica in sync", 10_000, async () =>
    replica.cli("INFO", "replication").includes("master_link_status:up") ? true : undefined,
  );
}

beforeAll(async () => {
  lab = NetnsLab.create("endpoint");
  servers = [new RedisServer(lab, 6391), new RedisServer(lab, 6392)];
  await Promise.all(servers.map((server) => server.start()));
  await pair(servers[0], servers[1]);
  lab.run("iptables", endpointRule("-A", servers[0].port));
  app = await startApp(
    lab,
    { url: `redis://127.0.0.1:${ENDPOINT_PORT}`, caFile: undefined },
    {
      LOG_LEVEL: "warn",
    },
  );
});

afterAll(() => tearDown(lab, app));

async function failover(
  label: string,
  fault: (primary: RedisServer) => void | Promise<void>,
  recover: (primary: RedisServer) => void | Promise<void>,
): Promise<void> {
  const primary = servers.find((server) => server.cli("ROLE").startsWith("master"))!;
  const replica = servers.find((server) => server !== primary)!;
  const outcomes: { startedAt: number; elapsedMs: number; status: number; retry?: unknown }[] = [];
  let running = true;
  const load = (async () => {
    for (let n = 0; running; n++) {
      const startedAt = Date.now();
      const answer = await request(app.socketPath, "PUT", `/api/items/${label}-${n}`, {
        body: "{}",
        timeoutMs: 10_000,
      });
      outcomes.push({
        startedAt,
        elapsedMs: answer.elapsedMs,
        status: answer.status,
        retry: answer.headers["retry-after"],
      });
      if (answer.status >= 500) await sleep(20);
    }
  })();
  try {
    await sleep(500);
    const faultAt = Date.now();
    await fault(primary);
    await sleep(1_000);
    replica.cli("REPLICAOF", "NO", "ONE");
    lab.run("iptables", endpointRule("-D", primary.port));
    lab.run("iptables", endpointRule("-A", replica.port));
    const movedAt = Date.now();
    const servedAt = await eventually("serving again", 10_000, async () =>
      outcomes.some((outcome) => outcome.startedAt >= movedAt && outcome.status === 201)
        ? Date.now()
        : undefined,
    );
    // Requests in flight at any time between the fault and the move: the load is sequential, so
    // the one that started just before the fault may be the only one the fault hits.
    const during = outcomes.filter(
      (o) => o.startedAt + o.elapsedMs >= faultAt && o.startedAt < movedAt,
    );
    const failures = during.filter((o) => o.status !== 201);
    console.log(
      JSON.stringify({
        label,
        servedAgainMs: servedAt - movedAt,
        failures: failures.length,
        slowestMs: Math.max(0, ...during.map((o) => o.elapsedMs)),
      }),
    );
    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) {
      expect(failure.status).toBe(503);
      expect(failure.retry).toBe("1");
      expect(failure.elapsedMs).toBeLessThan(FAIL_FAST_BOUND_MS);
    }
    expect(servedAt - movedAt).toBeLessThanOrEqual(SERVE_AGAIN_BOUND_MS);
  } finally {
    running = false;
    await load;
  }
  // The old primary comes back as the new primary's replica; the app keeps serving.
  await recover(primary);
  await pair(replica, primary);
  const after = await request(app.socketPath, "PUT", `/api/items/${label}-after`, { body: "{}" });
  expect(after.status).toBe(201);
}

describe("one endpoint in front of a primary and its replica (DNAT)", () => {
  it("the primary dies: requests fail fast, the app follows the endpoint to the promoted replica", () =>
    failover(
      "kill",
      (primary) => primary.crash(),
      (primary) => primary.start(),
    ));

  it("the primary freezes: the heartbeat drops the old connection and the app follows", () =>
    failover(
      "freeze",
      (primary) => primary.freeze(),
      (primary) => primary.thaw(),
    ));
});

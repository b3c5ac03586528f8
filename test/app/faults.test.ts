import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLoad } from "../support/redis-load";
import { eventually, NetnsLab, request, sleep } from "../support/redis-netns";
import { REDIS_PORT, RedisServer, RunningApp, startApp, tearDown } from "../support/redis-lab";

/*
 * Real faults under a steady write load. Bounds asserted here are loose enough for a busy CI
 * machine; npm run bench:redis measures the actual figures.
 */
const DETECTION_BOUND_MS = 3_000;
const RECOVERY_BOUND_MS = 3_000;
/** A request may wait for one command timeout (1 s), never for the kernel's retransmissions. */
const REQUEST_BOUND_MS = 2_500;

let lab: NetnsLab;
let redis: RedisServer;
let app: RunningApp;
const acknowledged: string[] = [];

const readyStatus = async () =>
  (await request(app.socketPath, "GET", "/readyz", { timeoutMs: 5_000 })).status;

interface FaultResult {
  detectionMs: number;
  recoveryMs: number;
  slowestMs: number;
  failures: number;
  statuses: Set<number>;
}

/** While Redis is out: the process is alive, and a read fails at once with 503 + Retry-After. */
async function expectFailFastWhileDown(): Promise<void> {
  expect((await request(app.socketPath, "GET", "/healthz", { timeoutMs: 5_000 })).status).toBe(200);
  const read = await request(app.socketPath, "GET", "/api/items/any", { timeoutMs: 5_000 });
  expect(read.status).toBe(503);
  expect(read.headers["retry-after"]).toBe("1");
  expect(read.elapsedMs).toBeLessThan(500);
}

/** Healthy load, then the fault until readiness drops plus a while, then the repair. */
async function underLoad(
  label: string,
  inject: () => void | Promise<void>,
  repair: () => void | Promise<void>,
): Promise<FaultResult> {
  const load = startLoad(app.socketPath, label);
  let injected = false;
  let repaired = false;
  try {
    await sleep(800);
    expect(await readyStatus()).toBe(200);
    const faultAt = Date.now();
    injected = true;
    await inject();
    await eventually("readiness 503", 10_000, async () =>
      (await readyStatus()) === 503 ? true : undefined,
    );
    const detectionMs = Date.now() - faultAt;
    await expectFailFastWhileDown();
    await sleep(1_500);
    const repairAt = Date.now();
    repaired = true;
    await repair();
    await eventually("serving again", 10_000, async () => {
      const answer = await request(app.socketPath, "PUT", `/api/items/${label}-probe`, {
        body: "{}",
        timeoutMs: 5_000,
      });
      return answer.status === 200 || answer.status === 201 ? true : undefined;
    });
    const recoveryMs = Date.now() - repairAt;
    await sleep(300);
    const during = load.outcomes.filter(
      (outcome) => outcome.startedAt >= faultAt && outcome.startedAt < repairAt,
    );
    return {
      detectionMs,
      recoveryMs,
      slowestMs: Math.max(...during.map((outcome) => outcome.elapsedMs)),
      failures: during.filter((outcome) => outcome.status >= 500).length,
      statuses: new Set(during.map((outcome) => outcome.status)),
    };
  } finally {
    // A failed assertion must not leave the fault in place for the next test.
    if (injected && !repaired) await Promise.resolve(repair()).catch(() => undefined);
    await load.stop();
    acknowledged.push(...load.acknowledged);
  }
}

beforeAll(async () => {
  lab = NetnsLab.create("faults");
  redis = new RedisServer(lab);
  await redis.start();
  app = await startApp(lab, redis, { LOG_LEVEL: "warn" });
});

afterAll(() => tearDown(lab, app));

describe("the app under real faults", () => {
  it("blackholed Redis: requests fail fast, readiness drops, the app heals by itself", async () => {
    const result = await underLoad(
      "blackhole",
      () => lab.blackhole(REDIS_PORT),
      () => lab.heal(REDIS_PORT),
    );
    expect(result.detectionMs).toBeLessThan(DETECTION_BOUND_MS);
    expect(result.recoveryMs).toBeLessThan(RECOVERY_BOUND_MS);
    expect(result.slowestMs).toBeLessThan(REQUEST_BOUND_MS);
    expect(result.failures).toBeGreaterThan(0);
    expect([...result.statuses].filter((status) => status !== 201 && status !== 503)).toEqual([]);
    expect(await readyStatus()).toBe(200);
  });

  it("frozen Redis (SIGSTOP): a timed-out write is reported as unknown, and its retry applies once", async () => {
    const result = await underLoad(
      "freeze",
      async () => {
        redis.freeze();
        const unknown = await request(app.socketPath, "PUT", "/api/items/freeze-idem", {
          body: '{"v":1}',
          headers: { "Idempotency-Key": "freeze-idem-key-1" },
        });
        expect(unknown.status).toBe(503);
        expect(JSON.parse(unknown.body).error).toMatch(/outcome is unknown/);
      },
      () => redis.thaw(),
    );
    expect(result.detectionMs).toBeLessThan(DETECTION_BOUND_MS);
    expect(result.recoveryMs).toBeLessThan(RECOVERY_BOUND_MS);
    expect(result.slowestMs).toBeLessThan(REQUEST_BOUND_MS);
    // Redis ran the write when it woke up; the client's retry must not apply it a second time.
    const retry = await request(app.socketPath, "PUT", "/api/items/freeze-idem", {
      body: '{"v":1}',
      headers: { "Idempotency-Key": "freeze-idem-key-1" },
    });
    expect(retry.status).toBe(201);
    expect(retry.headers["idempotent-replayed"]).toBe("true");
  });

  it.each([
    ["stopped (SIGTERM)", "restart-term", () => redis.stop()],
    ["crashed (SIGKILL)", "restart-kill", () => redis.crash()],
  ])("%s and restarted Redis: the app reconnects by itself", async (_how, label, takeDown) => {
    const result = await underLoad(label, takeDown, () => redis.start());
    expect(result.detectionMs).toBeLessThan(DETECTION_BOUND_MS);
    expect(result.recoveryMs).toBeLessThan(RECOVERY_BOUND_MS + 1_000);
    expect(result.slowestMs).toBeLessThan(REQUEST_BOUND_MS);
  });

  it("loses no acknowledged write across all the faults", async () => {
    expect(acknowledged.length).toBeGreaterThan(300);
    const missing: string[] = [];
    for (let offset = 0; offset < acknowledged.length; offset += 400) {
      const batch = acknowledged.slice(offset, offset + 400);
      const stored = redis.cli("MGET", ...batch.map((id) => `item:${id}`)).split("\n");
      batch.forEach((id, index) => {
        if ((JSON.parse(stored[index] || "{}") as { id?: string }).id !== id) missing.push(id);
      });
    }
    expect(missing).toEqual([]);
  });

  it("counted what happened in its metrics", async () => {
    const metrics = (await request(app.metricsSocketPath, "GET", "/metrics")).body;
    expect(Number(/^redis_reconnects_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
    expect(Number(/^redis_command_timeouts_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
    expect(Number(/^redis_heartbeat_failures_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
  });
});

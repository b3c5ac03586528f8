import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NetnsLab, request } from "../support/redis-netns";
import { RedisServer, RunningApp, startApp, tearDown } from "../support/redis-lab";

/* REDIS_WAIT_REPLICAS against a primary that has no replica: WAIT confirms 0 of 1. */
let lab: NetnsLab;
let redis: RedisServer;
let app: RunningApp;

beforeAll(async () => {
  lab = NetnsLab.create("wait");
  redis = new RedisServer(lab);
  await redis.start();
  app = await startApp(lab, redis, { REDIS_WAIT_REPLICAS: "1", REDIS_WAIT_TIMEOUT_MS: "200" });
});

afterAll(() => tearDown(lab, app));

describe("REDIS_WAIT_REPLICAS", () => {
  it("answers a write no replica confirmed with 503 'outcome unknown', never 2xx", async () => {
    const put = await request(app.socketPath, "PUT", "/api/items/unconfirmed", { body: "{}" });
    expect(put.status).toBe(503);
    expect(put.headers["retry-after"]).toBe("1");
    expect(put.body).toContain("outcome is unknown");
    // WAIT waited its timeout, no longer.
    expect(put.elapsedMs).toBeLessThan(1_500);
    expect(redis.cli("INFO", "commandstats")).toMatch(/cmdstat_wait:calls=1,/);
    const removed = await request(app.socketPath, "DELETE", "/api/items/unconfirmed");
    expect(removed.status).toBe(503);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, NetnsLab, request } from "../support/redis-netns";
import {
  makeTestCertificates,
  REDIS_PORT,
  RedisServer,
  runProbe,
  RunningApp,
  startApp,
  tearDown,
} from "../support/redis-lab";

/* Azure Cache for Redis is reached over TLS (rediss://, port 6380): the same promises must hold there. */
let lab: NetnsLab;
let redis: RedisServer;
let app: RunningApp;

beforeAll(async () => {
  lab = NetnsLab.create("tls");
  redis = new RedisServer(lab, REDIS_PORT, makeTestCertificates(lab.dir));
  await redis.start();
  app = await startApp(lab, redis);
});

afterAll(() => tearDown(lab, app));

describe("over TLS", () => {
  it("sets keepalive and TCP_USER_TIMEOUT on the TCP socket under the TLS stream", async () => {
    const probe = runProbe(lab, "socket-options", redis.url, redis.caFile!);
    const options = await probe.line(0);
    expect(options).toMatchObject({
      keepAliveIntervalMs: 5_000,
      keepAliveProbes: 3,
      tcpUserTimeoutMs: 5_000,
    });
    probe.child.kill("SIGTERM");
  });

  it("serves items from a TLS-only Redis", async () => {
    const put = await request(app.socketPath, "PUT", "/api/items/tls-1", {
      body: '{"secure":true}',
    });
    expect(put.status).toBe(201);
    expect(JSON.parse((await request(app.socketPath, "GET", "/api/items/tls-1")).body)).toEqual({
      secure: true,
    });
    expect(redis.cli("GET", "item:tls-1").trim()).toBe('{"secure":true}');
  });

  it("notices a blackhole and heals by itself", async () => {
    const ready = async () =>
      (await request(app.socketPath, "GET", "/readyz", { timeoutMs: 5_000 })).status;
    lab.blackhole(REDIS_PORT);
    const blackholedAt = Date.now();
    await eventually("readiness 503", 5_000, async () =>
      (await ready()) === 503 ? true : undefined,
    );
    expect(Date.now() - blackholedAt).toBeLessThan(3_000);
    lab.heal(REDIS_PORT);
    await eventually("readiness 200 again", 5_000, async () =>
      (await ready()) === 200 ? true : undefined,
    );
  });
});

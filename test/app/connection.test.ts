import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, NetnsLab, request } from "../support/redis-netns";
import { RedisServer, runProbe, startApp, tearDown } from "../support/redis-lab";

let lab: NetnsLab;
let redis: RedisServer;

beforeAll(async () => {
  lab = NetnsLab.create("conn");
  redis = new RedisServer(lab);
  await redis.start();
});

afterAll(() => tearDown(lab));

describe("the Redis connection", () => {
  it("sets keepalive 15 s / 5 s / 3 probes and TCP_USER_TIMEOUT on the live socket", async () => {
    const probe = runProbe(lab, "socket-options", redis.url);
    const options = await probe.line(0);
    expect(options).toMatchObject({
      keepAliveIntervalMs: 5_000,
      keepAliveProbes: 3,
      tcpUserTimeoutMs: 5_000,
    });
    // The kernel's own view: SO_KEEPALIVE armed with the 15 s idle time.
    const sockets = lab.run("ss", [
      "-tno",
      "state",
      "established",
      `( sport = :${options.localPort} )`,
    ]);
    expect(sockets).toMatch(/timer:\(keepalive,1[0-5](\.\d+)?sec,0\)/);
    probe.child.kill("SIGTERM");
  });

  it("re-authenticates with a new Entra ID token before the old one expires", async () => {
    redis.cli(
      "ACL",
      "SETUSER",
      "app-object-id",
      "on",
      ">token-1",
      ">token-2",
      ">token-3",
      ">token-4",
      "~*",
      "+@all",
    );
    redis.cli("CONFIG", "RESETSTAT");
    const probe = runProbe(lab, "entra-reauth", redis.url);
    const renewed = await probe.line(0);
    expect(renewed).toMatchObject({ event: "renewed", firstPing: "PONG", issuedBeforeExpiry: 2 });
    // The renewed token is sent on the live connection (AUTH), well before the first one expires.
    await eventually("AUTH with the renewed token", 2_000, async () =>
      /cmdstat_auth:calls=2,/.test(redis.cli("INFO", "commandstats")) ? true : undefined,
    );
    // Revoke the first token and drop the connection: the reconnect must log in with the new one.
    redis.cli("ACL", "SETUSER", "app-object-id", "<token-1");
    redis.cli("CLIENT", "KILL", "USER", "app-object-id");
    probe.child.stdin?.write("go\n");
    const reconnected = await probe.line(1);
    expect(reconnected).toMatchObject({ event: "reconnected", pingAfterReconnect: "PONG" });
  });

  it("re-reads REDIS_PASSWORD_FILE when it reconnects (a rotated access key needs no restart)", async () => {
    const keyFile = path.join(lab.dir, "redis-access-key");
    fs.writeFileSync(keyFile, "key-1\n");
    redis.cli("ACL", "SETUSER", "rotating-app", "on", ">key-1", "~*", "&*", "+@all");
    const app = await startApp(lab, redis, {
      REDIS_USERNAME: "rotating-app",
      REDIS_PASSWORD_FILE: keyFile,
      LOG_LEVEL: "warn",
    });
    const put = () =>
      request(app.socketPath, "PUT", "/api/items/rotated", { body: "{}", timeoutMs: 5_000 });
    try {
      expect((await put()).status).toBe(201);
      // The Key Vault CSI driver writes the new key; Redis accepts only it and drops the sessions.
      fs.writeFileSync(keyFile, "key-2\n");
      redis.cli("ACL", "SETUSER", "rotating-app", "resetpass", ">key-2");
      redis.cli("CLIENT", "KILL", "USER", "rotating-app");
      await eventually("serving again with the rotated key", 5_000, async () =>
        (await put()).status === 200 ? true : undefined,
      );
      const metrics = (await request(app.metricsSocketPath, "GET", "/metrics")).body;
      expect(Number(/^redis_reconnects_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
    } finally {
      await app.stop();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, NetnsLab, request, sleep, waitForExit } from "../support/redis-netns";
import { RedisServer, RunningApp, startApp, tearDown } from "../support/redis-lab";

let lab: NetnsLab;
let redis: RedisServer;
let app: RunningApp;

const call = (method: string, path: string, options?: Parameters<typeof request>[3]) =>
  request(app.socketPath, method, path, options);
const put = (id: string, value: unknown, headers?: Record<string, string>) =>
  call("PUT", `/api/items/${id}`, { body: JSON.stringify(value), headers });

beforeAll(async () => {
  lab = NetnsLab.create("api");
  redis = new RedisServer(lab);
  await redis.start();
  app = await startApp(lab, redis, { MAX_BODY_BYTES: "1024", MAINTENANCE_MAX_MS: "5000" });
});

afterAll(() => tearDown(lab, app));

describe("items API against a real Redis", () => {
  it("creates, replaces, reads and deletes an item", async () => {
    expect((await put("book-1", { title: "Dune" })).status).toBe(201);
    expect((await put("book-1", { title: "Dune", year: 1965 })).status).toBe(200);
    const read = await call("GET", "/api/items/book-1");
    expect(read.status).toBe(200);
    expect(JSON.parse(read.body)).toEqual({ title: "Dune", year: 1965 });
    expect((await call("DELETE", "/api/items/book-1")).status).toBe(204);
    expect((await call("GET", "/api/items/book-1")).status).toBe(404);
    expect((await call("DELETE", "/api/items/book-1")).status).toBe(404);
  });

  it("pages through items with a cursor, without KEYS", async () => {
    for (let i = 0; i < 7; i++) expect((await put(`page-${i}`, { n: i })).status).toBe(201);
    redis.cli("CONFIG", "RESETSTAT");
    const seen: string[] = [];
    let cursor = "";
    for (let pages = 0; pages < 10; pages++) {
      const answer = await call("GET", `/api/items?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      const page = JSON.parse(answer.body) as {
        items: { id: string }[];
        nextCursor: string | null;
      };
      seen.push(...page.items.map((item) => item.id).filter((id) => id.startsWith("page-")));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(["page-0", "page-1", "page-2", "page-3", "page-4", "page-5", "page-6"]);
    expect(redis.cli("INFO", "commandstats")).not.toMatch(/cmdstat_keys:/);
  });

  it("answers bad input with 400 and a message, never 500", async () => {
    const malformed = await call("PUT", "/api/items/x1", { body: '{"a":' });
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.body).error).toMatch(/not valid JSON/);
    const tooLarge = await put("x1", { blob: "x".repeat(2048) });
    expect(tooLarge.status).toBe(400);
    expect(JSON.parse(tooLarge.body).error).toMatch(/larger than 1024 bytes/);
    const badId = await put("-bad!", { a: 1 });
    expect(badId.status).toBe(400);
    expect(JSON.parse(badId.body).error).toMatch(/^id must be/);
    expect((await put("x1", [1, 2])).status).toBe(400);
    expect((await call("GET", "/api/items?limit=1000")).status).toBe(400);
    expect((await put("x1", { a: 1 }, { "Idempotency-Key": "short" })).status).toBe(400);
  });

  it("applies a retried PUT with the same Idempotency-Key once", async () => {
    const key = { "Idempotency-Key": "retry-0001-abcdef" };
    const first = await put("idem-1", { v: 1 }, key);
    expect(first.status).toBe(201);
    await put("idem-1", { v: 2 }); // someone else changes the item in between
    const retry = await put("idem-1", { v: 1 }, key);
    expect(retry.status).toBe(201);
    expect(retry.headers["idempotent-replayed"]).toBe("true");
    expect(JSON.parse((await call("GET", "/api/items/idem-1")).body)).toEqual({ v: 2 });
    expect((await put("idem-1", { v: 3 }, key)).status).toBe(422);
  });

  it("arms keepalive on the app's own Redis connections (the kernel's view, ss)", async () => {
    const sockets = lab
      .run("ss", ["-tnop", "state", "established", `( dport = :${redis.port} )`])
      .split("\n")
      .filter((line) => line.includes(`pid=${app.process.pid},`));
    expect(sockets).toHaveLength(2); // commands and maintenance events
    for (const socket of sockets) expect(socket).toMatch(/timer:\(keepalive,1[0-5](\.\d+)?sec,0\)/);
  });

  it("has liveness, readiness and Prometheus metrics", async () => {
    expect((await call("GET", "/healthz")).status).toBe(200);
    expect((await call("GET", "/readyz")).status).toBe(200);
    const metrics = (await request(app.metricsSocketPath, "GET", "/metrics")).body;
    // Not on the API's listener, which the Ingress routes.
    expect((await call("GET", "/metrics")).status).toBe(404);
    expect(metrics).toMatch(
      /^http_requests_total\{method="PUT",route="\/api\/items\/:id",status="201"\} \d+$/m,
    );
    expect(metrics).toMatch(/^http_request_duration_seconds_bucket\{/m);
    expect(metrics).toMatch(/^redis_reconnects_total \d+$/m);
    expect(metrics).toMatch(/^redis_command_timeouts_total \d+$/m);
  });

  it("refuses writes from NodeMaintenanceStart to NodeMaintenanceFailoverComplete, keeps reads", async () => {
    await put("maint-1", { v: 1 });
    const publish = (type: string, replica = "False") =>
      redis.cli(
        "PUBLISH",
        "AzureRedisEvents",
        `NotificationType|${type}|StartTimeInUTC|2026-11-23T00:00:00|IsReplica|${replica}|IPAddress|127.0.0.1|SSLPort|6380|NonSSLPort|6379`,
      );
    expect(Number(publish("NodeMaintenanceStarting"))).toBe(1);
    expect((await put("maint-1", { v: 2 })).status).toBe(200);
    publish("NodeMaintenanceStart", "True"); // a replica's maintenance leaves the primary alone
    expect((await put("maint-1", { v: 3 })).status).toBe(200);
    publish("NodeMaintenanceStart");
    const blocked = await eventually("writes blocked", 2_000, async () => {
      const answer = await put("maint-1", { v: 4 });
      return answer.status === 503 ? answer : undefined;
    });
    expect(blocked.headers["retry-after"]).toBe("1");
    expect(JSON.parse(blocked.body).error).toMatch(/maintenance/);
    expect((await call("DELETE", "/api/items/maint-1")).status).toBe(503);
    expect(JSON.parse((await call("GET", "/api/items/maint-1")).body)).toEqual({ v: 3 });
    expect((await request(app.metricsSocketPath, "GET", "/metrics")).body).toMatch(
      /^redis_maintenance_active 1$/m,
    );
    publish("NodeMaintenanceFailoverComplete");
    await eventually("writes resumed", 2_000, async () =>
      (await put("maint-1", { v: 5 })).status === 200 ? true : undefined,
    );
    expect(app.logs.join("\n")).toMatch(/azure redis maintenance notice: NodeMaintenanceStarting/);
  });

  it("lifts a maintenance block whose end notice never came", async () => {
    redis.cli(
      "PUBLISH",
      "AzureRedisEvents",
      "NotificationType|NodeMaintenanceStart|IsReplica|False",
    );
    await eventually("writes blocked", 2_000, async () =>
      (await put("maint-2", { v: 1 })).status === 503 ? true : undefined,
    );
    await eventually("block lifted by MAINTENANCE_MAX_MS", 8_000, async () =>
      (await put("maint-2", { v: 1 })).status === 201 ? true : undefined,
    );
  });

  it("shuts down gracefully on SIGTERM: in-flight requests finish, then the process exits 0", async () => {
    redis.freeze(); // makes the next request wait for its command timeout
    const inFlight = call("GET", "/api/items/book-2");
    await sleep(150);
    app.process.kill("SIGTERM");
    const answer = await inFlight;
    redis.thaw();
    expect(answer.status).toBe(503); // answered, not cut off
    await waitForExit(app.process, 10_000);
    expect(app.process.exitCode).toBe(0);
    expect(app.logs.join("\n")).toMatch(/"msg":"stopped"/);
    expect((await call("GET", "/healthz", { timeoutMs: 1_000 })).status).toBe(0);
  });
});

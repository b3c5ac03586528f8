import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../tools/engine";
import { eventually, NetnsLab, request, sleep, waitForExit } from "../support/redis-netns";
import { RedisServer, RunningApp, startApp, tearDown } from "../support/redis-lab";

/* What a hostile caller or a failing Redis did to the service, each answered as documented. */

let lab: NetnsLab;
let redis: RedisServer;
let app: RunningApp;

const call = (method: string, urlPath: string, body?: string) =>
  request(app.socketPath, method, urlPath, { body });
const metrics = async () => (await request(app.metricsSocketPath, "GET", "/metrics")).body;
const logLines = () => app.logs.map((line) => line);
const json = (line: string): Record<string, unknown> => {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return {};
  }
};

/** Raw bytes to the app's socket; the first answer line back. */
function raw(text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(app.socketPath);
    let answer = "";
    socket.on("data", (chunk) => (answer += chunk.toString("utf8")));
    socket.on("close", () => resolve(answer.split("\r\n")[0]));
    socket.on("error", () => resolve(answer.split("\r\n")[0]));
    socket.write(text);
    setTimeout(() => socket.destroy(), 2_000).unref();
  });
}

const main = path.join(PROJECT_ROOT, "app/dist/main.js");

beforeAll(async () => {
  lab = NetnsLab.create("hostile");
  redis = new RedisServer(lab);
  await redis.start();
  app = await startApp(lab, redis);
});

afterAll(() => tearDown(lab, app));

describe("hostile input", () => {
  it("accepts ids of up to 128 characters, as documented; longer ones are a 400 with the rule", async () => {
    for (const length of [100, 101, 128]) {
      const id = "i".repeat(length);
      expect((await call("PUT", `/api/items/${id}`, '{"v":1}')).status, `${length}`).toBe(201);
      expect((await call("GET", `/api/items/${id}`)).status).toBe(200);
    }
    const tooLong = await call("PUT", `/api/items/${"i".repeat(129)}`, '{"v":1}');
    expect(tooLong.status).toBe(400);
    expect(JSON.parse(tooLong.body).error).toMatch(/^id must be 1-128 characters/);
  });

  it("answers a body nested thousands of levels deep with 400, not 503 'outcome unknown'", async () => {
    const deep = `{"a":${"[".repeat(4200)}${"]".repeat(4200)}}`;
    const answer = await call("PUT", "/api/items/deep-1", deep);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error).toMatch(/deeper than 64 levels/);
    const fine = `{"a":${"[".repeat(60)}${"]".repeat(60)}}`;
    expect((await call("PUT", "/api/items/deep-2", fine)).status).toBe(201);
  });

  it("counts the answers of the HTTP layer (400, 414, 431) in http_requests_total", async () => {
    expect(await raw("GARBAGE\r\n\r\n")).toMatch(/^HTTP\/1.1 400/);
    expect(await raw(`GET /x HTTP/1.1\r\nHost: a\r\nX-Big: ${"b".repeat(20_000)}\r\n\r\n`)).toMatch(
      /^HTTP\/1.1 431/,
    );
    expect((await call("GET", `/api/items/${"i".repeat(600)}`)).status).toBe(414);
    const text = await metrics();
    expect(text).toMatch(
      /^http_requests_total\{method="UNKNOWN",route="unparsed",status="400"\} 1$/m,
    );
    expect(text).toMatch(
      /^http_requests_total\{method="UNKNOWN",route="unparsed",status="431"\} 1$/m,
    );
    expect(text).toMatch(/^http_requests_total\{method="GET",route="unmatched",status="414"\} 1$/m);
  });
});

describe("failures of Redis", () => {
  it("answers a write Redis refused (OOM, READONLY) as definitely not applied", async () => {
    redis.cli("CONFIG", "SET", "maxmemory-policy", "noeviction");
    redis.cli("CONFIG", "SET", "maxmemory", "1");
    const oom = await call("PUT", "/api/items/oom-1", '{"v":1}');
    redis.cli("CONFIG", "SET", "maxmemory", "0");
    expect(oom.status).toBe(503);
    expect(JSON.parse(oom.body)).toMatchObject({ outcome: "not-applied", reason: "OOM" });
    expect(JSON.parse(oom.body).error).toMatch(/refused the write \(OOM\); it was not applied/);

    redis.cli("REPLICAOF", "127.0.0.1", "1"); // a replica: rejects writes with READONLY
    const readonly = await call("PUT", "/api/items/ro-1", '{"v":1}');
    redis.cli("REPLICAOF", "NO", "ONE");
    expect(readonly.status).toBe(503);
    expect(JSON.parse(readonly.body)).toMatchObject({ outcome: "not-applied", reason: "READONLY" });
    expect((await call("GET", "/api/items/ro-1")).status).toBe(404);
    const reasons = logLines().map((line) => json(line).reason);
    expect(reasons, logLines().join("\n")).toContain(
      "storage refused the write (OOM); it was not applied",
    );
  });

  it("logs a refused authentication with its reason at warn", async () => {
    redis.cli("CONFIG", "SET", "requirepass", "rotated-elsewhere");
    redis.cli("-a", "rotated-elsewhere", "--no-auth-warning", "CLIENT", "KILL", "TYPE", "normal");
    try {
      await eventually("NOAUTH logged at warn", 5_000, async () =>
        logLines().some((line) => json(line).level === 40 && json(line).reason === "NOAUTH")
          ? true
          : undefined,
      );
    } finally {
      redis.cli("-a", "rotated-elsewhere", "--no-auth-warning", "CONFIG", "SET", "requirepass", "");
    }
    await eventually("ready again", 5_000, async () =>
      (await call("GET", "/readyz")).status === 200 ? true : undefined,
    );
  });

  it("logs an outage under load in a few lines, without stacks, with the refusal's reason", async () => {
    const before = app.logs.length;
    await redis.crash();
    const statuses: number[] = [];
    const deadline = Date.now() + 3_000;
    while (Date.now() < deadline) {
      const batch = await Promise.all(
        Array.from({ length: 20 }, (_, i) => call("PUT", `/api/items/outage-${i}`, '{"v":1}')),
      );
      statuses.push(...batch.map((answer) => answer.status));
    }
    await redis.start();
    await eventually("ready again", 10_000, async () =>
      (await call("GET", "/readyz")).status === 200 ? true : undefined,
    );
    const lines = app.logs.slice(before);
    expect(statuses.length).toBeGreaterThan(200);
    expect(
      statuses.filter((status) => status !== 503),
      lines.slice(0, 5).join("\n"),
    ).toEqual([]);
    expect(lines.length, lines.join("\n")).toBeLessThanOrEqual(12);
    expect(lines.join("\n")).not.toMatch(/"stack"/);
    const refused = lines.filter((line) => json(line).reason === "ECONNREFUSED");
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeLessThanOrEqual(2); // once per connection (commands, events)
    expect(refused.every((line) => json(line).level === 40)).toBe(true);
  });
});

describe("start-up and shutdown", () => {
  const start = (env: Record<string, string>) =>
    spawnSync("ip", ["netns", "exec", lab.name, process.execPath, main], {
      env: { PATH: process.env.PATH, REDIS_URL: redis.url, AUTH_DISABLED: "true", ...env },
      encoding: "utf8",
      timeout: 20_000,
    });

  it("exits 2 with one clear line when it cannot listen (socket path taken, host unknown)", () => {
    const taken = path.join(lab.dir, "taken");
    fs.writeFileSync(taken, "");
    for (const env of <Record<string, string>[]>[
      { LISTEN_PATH: taken, METRICS_LISTEN_PATH: path.join(lab.dir, "m1.sock") },
      { HOST: "no-such-host.invalid", PORT: "18080", METRICS_PORT: "19090" },
    ]) {
      const result = start(env);
      expect(result.status, result.stderr).toBe(2);
      expect(result.stderr).toMatch(
        /^items-api: failed to start: cannot listen: .*(EADDRINUSE|ENOTFOUND|EAI_AGAIN)/m,
      );
      expect(result.stderr).not.toMatch(/^\s+at /m);
    }
  });

  it("drains behind readiness on SIGTERM: not ready at once, still serving, then exits 0", async () => {
    const draining = await startApp(lab, redis, { SHUTDOWN_DRAIN_MS: "1500" });
    draining.process.kill("SIGTERM");
    await sleep(200);
    expect((await request(draining.socketPath, "GET", "/readyz")).status).toBe(503);
    const served = await request(draining.socketPath, "PUT", "/api/items/drain-1", {
      body: '{"v":1}',
    });
    expect(served.status).toBe(201);
    await waitForExit(draining.process, 10_000);
    expect(draining.process.exitCode).toBe(0);
  });
});

import Redis from "ioredis";
import * as net from "node:net";
import pino from "pino";
import { describe, expect, it, vi } from "vitest";
import {
  AccessToken,
  REDIS_TOKEN_SCOPE,
  refreshDelay,
  WorkloadIdentityTokenSource,
} from "../../app/src/redis/auth";
import { backoffDelay } from "../../app/src/redis/backoff";
import { isCommandTimeout } from "../../app/src/redis/connection";
import { CommandDeadlines } from "../../app/src/redis/deadlines";
import { MaintenanceWindow, parseNotice } from "../../app/src/maintenance";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

describe("reconnect backoff", () => {
  it("grows exponentially from the base, capped, with half of it random", () => {
    expect([1, 2, 3, 4, 5, 10].map((attempt) => backoffDelay(attempt, 50, 1_000, () => 1))).toEqual(
      [50, 100, 200, 400, 800, 1_000],
    );
    expect([1, 2, 3, 4, 5, 10].map((attempt) => backoffDelay(attempt, 50, 1_000, () => 0))).toEqual(
      [25, 50, 100, 200, 400, 500],
    );
  });
});

describe("Azure maintenance notices", () => {
  const silent = pino({ level: "silent" });

  it("parses pipe-delimited key/value pairs", () => {
    expect(
      parseNotice(
        "NotificationType|NodeMaintenanceStart|StartTimeInUTC|2026-11-23T00:00:00|IsReplica|False",
      ),
    ).toEqual({
      NotificationType: "NodeMaintenanceStart",
      StartTimeInUTC: "2026-11-23T00:00:00",
      IsReplica: "False",
    });
  });

  it("blocks writes from Start to FailoverComplete, at most maxBlockMs", () => {
    let now = 1_000;
    const changes: boolean[] = [];
    const window = new MaintenanceWindow(
      60_000,
      silent,
      (active) => changes.push(active),
      () => now,
    );
    window.handle("NotificationType|NodeMaintenanceScheduled");
    expect(window.writesBlocked()).toBe(false);
    window.handle("NotificationType|NodeMaintenanceStart|IsReplica|False");
    expect(window.writesBlocked()).toBe(true);
    window.handle("NotificationType|NodeMaintenanceFailoverComplete");
    expect(window.writesBlocked()).toBe(false);
    window.handle("NotificationType|NodeMaintenanceStart");
    now += 60_001;
    expect(window.writesBlocked()).toBe(false);
    expect(changes).toEqual([true, false, true]);
  });
});

describe("Entra ID tokens", () => {
  const token = (inMs: number): AccessToken => ({
    token: "t",
    expiresOnTimestamp: 1_000_000 + inMs,
  });

  it("renews three minutes (plus jitter) before expiry, never in under a second", () => {
    expect(refreshDelay(token(3_600_000), 180_000, 1_000_000, () => 0)).toBe(3_420_000);
    expect(refreshDelay(token(3_600_000), 180_000, 1_000_000, () => 1)).toBe(3_375_000);
    expect(refreshDelay(token(10_000), 180_000, 1_000_000, () => 0)).toBe(1_000);
  });

  it("exchanges the workload identity's federated token for a Redis token", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "wi-")), "token");
    fs.writeFileSync(file, "federated-jwt\n");
    const calls: { url: string; body: URLSearchParams }[] = [];
    const fakeFetch = (async (url: string, init: { body: URLSearchParams }) => {
      calls.push({ url, body: init.body });
      return new Response(JSON.stringify({ access_token: "redis-token", expires_in: 3600 }), {
        status: 200,
      });
    }) as unknown as typeof fetch;
    const source = new WorkloadIdentityTokenSource(
      { AZURE_CLIENT_ID: "client", AZURE_TENANT_ID: "tenant", AZURE_FEDERATED_TOKEN_FILE: file },
      fakeFetch,
    );
    const issued = await source.getToken();
    expect(issued.token).toBe("redis-token");
    expect(calls[0].url).toBe("https://login.microsoftonline.com/tenant/oauth2/v2.0/token");
    expect(calls[0].body.get("scope")).toBe(REDIS_TOKEN_SCOPE);
    expect(calls[0].body.get("client_assertion")).toBe("federated-jwt");
    await expect(new WorkloadIdentityTokenSource({}, fakeFetch).getToken()).rejects.toThrow(
      /AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE/,
    );
  });
});

describe("per-command deadlines (CommandDeadlines)", () => {
  /** A server that accepts connections and never answers: a frozen Redis. */
  async function silentServer(): Promise<{ port: number; close(): void }> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
      port: (server.address() as net.AddressInfo).port,
      close() {
        for (const socket of sockets) socket.destroy();
        server.close();
      },
    };
  }

  async function timedCommand(readyCheck: boolean, timeoutMs: number) {
    const server = await silentServer();
    const client = new Redis({
      host: "127.0.0.1",
      port: server.port,
      lazyConnect: true,
      enableReadyCheck: readyCheck,
      enableOfflineQueue: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on("error", () => undefined);
    const deadlines = new CommandDeadlines(timeoutMs, () => [client]);
    deadlines.start();
    try {
      void client.connect().catch(() => undefined);
      await new Promise((resolve) => client.once("connect", resolve));
      const started = Date.now();
      const error = await client.set("k", "v").then(
        () => undefined,
        (err: Error) => err,
      );
      return { error, elapsedMs: Date.now() - started, tickMs: deadlines.tickMs };
    } finally {
      deadlines.stop();
      client.disconnect();
      server.close();
    }
  }

  it("fails a written, unanswered command with ioredis' timeout error, never early", async () => {
    const { error, elapsedMs, tickMs } = await timedCommand(false, 200);
    expect(isCommandTimeout(error)).toBe(true);
    expect(elapsedMs).toBeGreaterThanOrEqual(200);
    expect(elapsedMs).toBeLessThan(200 + 2 * tickMs + 150);
  });

  it("also fails a command queued behind a handshake that never completes (offline queue)", async () => {
    const { error, elapsedMs } = await timedCommand(true, 200);
    expect(isCommandTimeout(error)).toBe(true);
    expect(elapsedMs).toBeGreaterThanOrEqual(200);
  });

  it("counts from the first sweep that saw a command and skips settled ones", () => {
    const waiting = { isSettled: false, reject: vi.fn() };
    const answered = { isSettled: true, reject: vi.fn() };
    const queue = [{ command: waiting }, { command: answered }];
    const connection = {
      commandQueue: { length: queue.length, peekAt: (index: number) => queue[index] },
    } as unknown as Redis;
    const deadlines = new CommandDeadlines(1_000, () => [connection]);
    deadlines.sweep(5_000);
    deadlines.sweep(5_999);
    expect(waiting.reject).not.toHaveBeenCalled();
    deadlines.sweep(6_000);
    expect(waiting.reject).toHaveBeenCalledWith(new Error("Command timed out"));
    expect(answered.reject).not.toHaveBeenCalled();
  });
});

import pino from "pino";
import { describe, expect, it } from "vitest";
import {
  AccessToken,
  REDIS_TOKEN_SCOPE,
  refreshDelay,
  WorkloadIdentityTokenSource,
} from "../../app/src/redis/auth";
import { backoffDelay } from "../../app/src/redis/backoff";
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

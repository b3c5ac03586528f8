import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { AppConfigError, loadConfig } from "../../app/src/config";
import { PROJECT_ROOT } from "../../tools/engine";

/** Suites about Redis settings run without tokens; the AUTH_* rules have tests of their own. */
const noAuth = { AUTH_DISABLED: "true" };

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig({ ...noAuth, ...env });
  } catch (err) {
    expect(err).toBeInstanceOf(AppConfigError);
    return (err as AppConfigError).problems;
  }
  throw new Error("expected the environment to be rejected");
}

describe("app configuration", () => {
  it("has defaults tuned for seconds", () => {
    const config = loadConfig({
      ...noAuth,
      REDIS_URL: "rediss://cache.redis.cache.windows.net:6380",
    });
    expect(config.listen).toEqual({ port: 8080, host: "0.0.0.0" });
    expect(config.redis.auth).toBe("none");
    expect(config.redis.timings).toEqual({
      connectTimeoutMs: 1_500,
      commandTimeoutMs: 1_000,
      heartbeatIntervalMs: 500,
      heartbeatTimeoutMs: 1_000,
      tcpUserTimeoutMs: 5_000,
      keepAliveIdleMs: 15_000,
      keepAliveIntervalMs: 5_000,
      keepAliveProbes: 3,
      reconnectBaseMs: 50,
      reconnectMaxMs: 1_000,
    });
  });

  it("overrides every timing from the environment", () => {
    const config = loadConfig({
      ...noAuth,
      REDIS_URL: "redis://localhost:6379",
      REDIS_COMMAND_TIMEOUT_MS: "250",
      REDIS_KEEPALIVE_PROBES: "5",
    });
    expect(config.redis.timings.commandTimeoutMs).toBe(250);
    expect(config.redis.timings.keepAliveProbes).toBe(5);
  });

  it("names the variable, the bad value and what is allowed", () => {
    expect(problems({})).toEqual(["REDIS_URL: is required (got unset)"]);
    expect(problems({ REDIS_URL: "http://cache:6379" })).toEqual([
      'REDIS_URL: expected redis://host:port or rediss://host:6380 (got "http://cache:6379")',
    ]);
    expect(problems({ REDIS_URL: "redis://c:1", PORT: "70000", LOG_LEVEL: "loud" })).toEqual([
      'PORT: Too big: expected number to be <=65535 (got "70000")',
      'LOG_LEVEL: Invalid option: expected one of "fatal"|"error"|"warn"|"info"|"debug"|"trace"|"silent" (got "loud")',
    ]);
  });

  it("checks the credentials that the chosen authentication needs", () => {
    expect(problems({ REDIS_URL: "redis://c:1", REDIS_AUTH: "entra" })).toEqual([
      "REDIS_USERNAME: is required when REDIS_AUTH=entra (the identity's object id) (got unset)",
    ]);
    expect(problems({ REDIS_URL: "redis://c:1", REDIS_PASSWORD_FILE: "/no/such/file" })).toEqual([
      'REDIS_PASSWORD_FILE: no such file (got "/no/such/file")',
    ]);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cfg-")), "redis-access-key");
    fs.writeFileSync(file, "secret\n");
    expect(
      loadConfig({ ...noAuth, REDIS_URL: "rediss://c:6380", REDIS_PASSWORD_FILE: file }).redis,
    ).toMatchObject({ auth: "password", passwordFile: file });
  });

  it("reads the cluster mode and WAIT durability, standalone without WAIT by default", () => {
    expect(loadConfig({ ...noAuth, REDIS_URL: "rediss://c:10000" }).redis).toMatchObject({
      mode: "standalone",
      wait: { replicas: 0, timeoutMs: 500 },
    });
    expect(
      loadConfig({
        ...noAuth,
        REDIS_URL: "rediss://c:10000",
        REDIS_MODE: "cluster",
        REDIS_WAIT_REPLICAS: "1",
        REDIS_WAIT_TIMEOUT_MS: "200",
      }).redis,
    ).toMatchObject({ mode: "cluster", wait: { replicas: 1, timeoutMs: 200 } });
    expect(problems({ REDIS_URL: "redis://c:1", REDIS_MODE: "sentinel" })[0]).toMatch(
      /^REDIS_MODE: /,
    );
    expect(
      problems({
        REDIS_URL: "redis://c:1",
        REDIS_WAIT_REPLICAS: "1",
        REDIS_WAIT_TIMEOUT_MS: "1000",
      }),
    ).toEqual([
      'REDIS_WAIT_TIMEOUT_MS: must be less than REDIS_COMMAND_TIMEOUT_MS (WAIT runs under the command timeout) (got "1000")',
    ]);
  });

  it("takes a private CA for rediss:// only", () => {
    expect(problems({ REDIS_URL: "redis://c:1", REDIS_TLS_CA_FILE: "/etc/hostname" })).toEqual([
      'REDIS_TLS_CA_FILE: only applies to rediss:// URLs (got "/etc/hostname")',
    ]);
    expect(problems({ REDIS_URL: "rediss://c:6380", REDIS_TLS_CA_FILE: "/no/ca.pem" })).toEqual([
      'REDIS_TLS_CA_FILE: no such file (got "/no/ca.pem")',
    ]);
  });

  it("re-AUTHs Entra ID tokens at least three minutes before they expire", () => {
    expect(
      problems({ REDIS_URL: "rediss://c:6380", REDIS_TOKEN_REFRESH_MARGIN_MS: "60000" }),
    ).toEqual([
      'REDIS_TOKEN_REFRESH_MARGIN_MS: must be at least 180000 (re-AUTH at least 3 minutes before expiry) (got "60000")',
    ]);
  });

  it("rejects timings that contradict each other", () => {
    expect(
      problems({
        REDIS_URL: "redis://c:1",
        REDIS_HEARTBEAT_INTERVAL_MS: "2000",
        REDIS_HEARTBEAT_TIMEOUT_MS: "500",
      }),
    ).toEqual([
      'REDIS_HEARTBEAT_TIMEOUT_MS: must be at least REDIS_HEARTBEAT_INTERVAL_MS (got "500")',
    ]);
  });

  it("never prints a credential, from any variable", () => {
    const shown = problems({
      REDIS_URL: "rediss://items:hunter2@cache.redis.cache.windows.net:6380/db",
      HOST: "http://admin:s3cret@proxy",
      PORT: "https://u:p4ss@x",
      REDIS_USERNAME: "",
    }).join("\n");
    expect(shown).not.toMatch(/hunter2|s3cret|p4ss/);
    expect(shown).toMatch(
      /REDIS_URL: .*\(got "rediss:\/\/\[hidden\]@cache.redis.cache.windows.net:6380\/db"\)/,
    );
    expect(shown).toMatch(/PORT: .*\(got "https:\/\/\[hidden\]@x"\)/);
  });

  it("rejects a Redis port outside 1-65535 at start instead of failing later", () => {
    expect(problems({ REDIS_URL: "redis://cache:70000" })).toEqual([
      'REDIS_URL: the port must be 1-65535 (got "redis://cache:70000")',
    ]);
  });

  it("requires the tenant and audience of the API's tokens unless AUTH_DISABLED=true", () => {
    const url = "rediss://c:6380";
    expect(problems({ REDIS_URL: url, AUTH_DISABLED: undefined })).toEqual([
      "AUTH_AUDIENCE: is required unless AUTH_DISABLED=true (the API's client id) (got unset)",
      "AUTH_TENANT_ID: is required unless AUTH_DISABLED=true (or set both AUTH_ISSUER and AUTH_JWKS_URL) (got unset)",
    ]);
    expect(
      problems({
        REDIS_URL: url,
        AUTH_DISABLED: "yes",
        AUTH_TENANT_ID: "contoso",
        AUTH_JWKS_URL: "http://keys.example.com/keys",
      }),
    ).toEqual([
      'AUTH_DISABLED: Invalid option: expected one of "true"|"false" (got "yes")',
      'AUTH_TENANT_ID: expected the tenant id (a GUID) (got "contoso")',
      'AUTH_JWKS_URL: must be https:// (http:// only for 127.0.0.1 or localhost) (got "http://keys.example.com/keys")',
    ]);
    const tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    expect(
      loadConfig({ REDIS_URL: url, AUTH_TENANT_ID: tenant, AUTH_AUDIENCE: "api-client-id" }).auth,
    ).toEqual({
      disabled: false,
      issuer: `https://login.microsoftonline.com/${tenant}/v2.0`,
      audience: "api-client-id",
      jwksUrl: `https://login.microsoftonline.com/${tenant}/discovery/v2.0/keys`,
      jwksCooldownMs: 60_000,
    });
    expect(loadConfig({ REDIS_URL: url, AUTH_DISABLED: "true" }).auth).toEqual({ disabled: true });
  });

  it("stops the service at start with exit code 2 and the message", () => {
    const main = path.join(PROJECT_ROOT, "app/dist/main.js");
    const result = spawnSync(process.execPath, [main], {
      env: { REDIS_URL: "http://x", AUTH_DISABLED: "true" },
      encoding: "utf8",
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      'items-api: invalid configuration:\n  - REDIS_URL: expected redis://host:port or rediss://host:6380 (got "http://x")\n',
    );
  });
});

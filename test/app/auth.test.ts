import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { exportJWK, generateKeyPair, JWK, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ITEMS_SCOPES } from "../../app/src/auth/scopes";
import { eventually, NetnsLab, request, sleep } from "../support/redis-netns";
import { RedisServer, RunningApp, runProbe, startApp, tearDown } from "../support/redis-lab";

/*
 * The API against a stand-in for the tenant's key endpoint (test/support/probes/jwks-server.ts) in
 * the test's namespace, with keys this test generates. Every refused request must be answered
 * before anything reaches Redis.
 */

const TENANT = "11111111-2222-3333-4444-555555555555";
const ISSUER = `https://login.microsoftonline.com/${TENANT}/v2.0`;
const AUDIENCE = "6b8a3c2e-0000-4000-8000-00000000abcd";
const JWKS_PORT = 8443;
const COOLDOWN_MS = 1_500;

let lab: NetnsLab;
let redis: RedisServer;
let app: RunningApp;
let jwksFile: string;
let fetchLog: string;
let jwksProbe: ReturnType<typeof runProbe>;

type Key = {
  kid: string;
  privateKey: crypto.webcrypto.CryptoKey;
  publicJwk: JWK;
  publicPem: string;
};
const keys: Record<"current" | "next" | "unknown", Key> = {} as never;

async function makeKey(kid: string): Promise<Key> {
  const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  const publicPem = crypto.KeyObject.from(publicKey).export({ type: "spki", format: "pem" });
  return { kid, privateKey, publicJwk, publicPem: String(publicPem) };
}

const publish = (...published: Key[]) =>
  fs.writeFileSync(jwksFile, JSON.stringify({ keys: published.map((key) => key.publicJwk) }));
const fetches = () =>
  fs.existsSync(fetchLog)
    ? fs.readFileSync(fetchLog, "utf8").split("\n").filter(Boolean).length
    : 0;

let subjects = 0;
interface TokenOptions {
  key?: Key;
  scp?: string;
  roles?: string[];
  audience?: string;
  issuer?: string;
  expiresIn?: number;
  notBefore?: number;
  subject?: string;
}

/** An Entra-shaped v2.0 access token. */
async function token(options: TokenOptions = {}): Promise<string> {
  const key = options.key ?? keys.current;
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    oid: options.subject ?? `user-${++subjects}`,
    azp: "client-app",
    tid: TENANT,
    ver: "2.0",
  };
  if (options.scp !== undefined) claims.scp = options.scp;
  if (options.roles) claims.roles = options.roles;
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: key.kid })
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt(now - 10)
    .setExpirationTime(now + (options.expiresIn ?? 3600));
  if (options.notBefore !== undefined) jwt.setNotBefore(now + options.notBefore);
  return jwt.sign(key.privateKey);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString("utf8")) as Record<
    string,
    unknown
  >;

function call(method: string, urlPath: string, bearer?: string, body?: unknown) {
  return request(app.socketPath, method, urlPath, {
    headers: bearer === undefined ? {} : { authorization: `Bearer ${bearer}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Commands Redis ran for the items API since the last reset (heartbeats and pub/sub aside). */
function itemCommands(): string[] {
  return redis
    .cli("INFO", "commandstats")
    .split("\n")
    .map((line) => /^cmdstat_([a-z|]+):calls=(\d+)/.exec(line.trim()))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => match[1])
    .filter(
      (command) =>
        !["ping", "info", "subscribe", "client|setname", "config|resetstat"].includes(command),
    );
}

beforeAll(async () => {
  lab = NetnsLab.create("auth");
  jwksFile = path.join(lab.dir, "jwks.json");
  fetchLog = path.join(lab.dir, "jwks-fetches.log");
  keys.current = await makeKey("key-2026-a");
  keys.next = await makeKey("key-2026-b");
  keys.unknown = await makeKey("key-never-published");
  publish(keys.current);
  jwksProbe = runProbe(lab, "jwks-server", jwksFile, fetchLog, String(JWKS_PORT));
  await jwksProbe.line(0);
  redis = new RedisServer(lab);
  await redis.start();
  app = await startApp(lab, redis, {
    AUTH_DISABLED: "false",
    AUTH_TENANT_ID: TENANT,
    AUTH_AUDIENCE: AUDIENCE,
    AUTH_JWKS_URL: `http://127.0.0.1:${JWKS_PORT}/keys`,
    AUTH_JWKS_COOLDOWN_MS: String(COOLDOWN_MS),
    RATE_LIMIT_MAX: "20",
  });
});

afterAll(() => tearDown(lab, app));

describe("bearer-token authentication (Entra ID access tokens)", () => {
  it("keeps the probes open and sets security headers", async () => {
    expect((await call("GET", "/healthz")).status).toBe(200);
    const ready = await call("GET", "/readyz");
    expect(ready.status).toBe(200);
    expect(ready.headers["strict-transport-security"]).toMatch(/max-age=\d+/);
    expect(ready.headers["x-content-type-options"]).toBe("nosniff");
  });

  it("serves a caller with the right permission: Items.Write to write, Items.Read to read", async () => {
    const writer = await token({ scp: ITEMS_SCOPES.write });
    expect((await call("PUT", "/api/items/auth-1", writer, { v: 1 })).status).toBe(201);
    const reader = await token({ scp: `openid ${ITEMS_SCOPES.read}` });
    const read = await call("GET", "/api/items/auth-1", reader);
    expect(read.status).toBe(200);
    expect(JSON.parse(read.body)).toEqual({ v: 1 });
    // An application token carries app roles instead of scopes.
    const daemon = await token({ roles: [ITEMS_SCOPES.write] });
    expect((await call("DELETE", "/api/items/auth-1", daemon)).status).toBe(204);
  });

  it("refuses every bad token with 401 (or a missing permission with 403), never reaching Redis", async () => {
    const valid = await token({ scp: ITEMS_SCOPES.write });
    const [header, , signature] = valid.split(".");
    const tampered = `${header}.${b64({ ...claimsOf(valid), oid: "someone-else" })}.${signature}`;
    const unsigned = `${b64({ alg: "none", typ: "JWT" })}.${b64(claimsOf(valid))}.`;
    // The classic key-confusion attack: HS256 with the server's public key as the HMAC secret.
    const hmacWithPublicKey = await new SignJWT(claimsOf(valid))
      .setProtectedHeader({ alg: "HS256", typ: "JWT", kid: keys.current.kid })
      .sign(new TextEncoder().encode(keys.current.publicPem));
    const cases: [string, string | undefined, number, RegExp][] = [
      ["no token", undefined, 401, /^Bearer realm="items-api"$/],
      ["not a bearer token", "", 401, /error="invalid_request"/],
      ["expired", await token({ scp: ITEMS_SCOPES.write, expiresIn: -120 }), 401, /expired/],
      [
        "not yet valid",
        await token({ scp: ITEMS_SCOPES.write, notBefore: 600 }),
        401,
        /not valid yet/,
      ],
      [
        "wrong audience",
        await token({ scp: ITEMS_SCOPES.write, audience: "api://other" }),
        401,
        /'aud'/,
      ],
      [
        "wrong issuer",
        await token({
          scp: ITEMS_SCOPES.write,
          issuer: "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0",
        }),
        401,
        /'iss'/,
      ],
      ["alg none", unsigned, 401, /error="invalid_token"/],
      ["HS256 with the public key", hmacWithPublicKey, 401, /algorithm/],
      ["tampered payload", tampered, 401, /signature/],
      [
        "missing scope",
        await token({ scp: ITEMS_SCOPES.read }),
        403,
        /error="insufficient_scope".*scope="Items.Write"/,
      ],
    ];
    redis.cli("CONFIG", "RESETSTAT");
    for (const [what, bearer, status, challenge] of cases) {
      const answer =
        bearer === ""
          ? await request(app.socketPath, "PUT", "/api/items/auth-2", {
              headers: { authorization: "Basic dXNlcjpwYXNz" },
              body: "{}",
            })
          : await call("PUT", "/api/items/auth-2", bearer, { v: 2 });
      expect({ what, status: answer.status }).toEqual({ what, status });
      expect(answer.headers["www-authenticate"], what).toMatch(challenge);
      expect(JSON.parse(answer.body).error, what).toEqual(expect.any(String));
    }
    // GET without a token, and a token for reading used to delete.
    expect((await call("GET", "/api/items?limit=5")).status).toBe(401);
    expect(
      (await call("DELETE", "/api/items/auth-2", await token({ scp: ITEMS_SCOPES.read }))).status,
    ).toBe(403);
    expect(itemCommands()).toEqual([]);
  });

  it("refetches the key set for an unknown kid at most once per cooldown, and follows a key rotation", async () => {
    await sleep(COOLDOWN_MS + 100); // the earlier fetches are out of the cooldown
    const before = fetches();
    const stranger = await token({ key: keys.unknown, scp: ITEMS_SCOPES.read });
    for (let i = 0; i < 5; i++)
      expect((await call("GET", "/api/items/auth-3", stranger)).status).toBe(401);
    expect(fetches() - before).toBe(1);

    // The tenant rotates: the new key is published, tokens start carrying its kid.
    publish(keys.current, keys.next);
    const rotated = await token({ key: keys.next, scp: ITEMS_SCOPES.read });
    await sleep(COOLDOWN_MS + 100);
    expect((await call("GET", "/api/items/auth-3", rotated)).status).toBe(404);
    expect(fetches() - before).toBe(2);
    // The old key still works while it is published.
    expect(
      (await call("GET", "/api/items/auth-3", await token({ scp: ITEMS_SCOPES.read }))).status,
    ).toBe(404);
  });

  it("limits the rate per caller (by token subject) with 429", async () => {
    const flood = await token({ scp: ITEMS_SCOPES.read, subject: "flooding-client" });
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++)
      statuses.push((await call("GET", "/api/items/auth-4", flood)).status);
    expect(statuses.slice(0, 20).every((status) => status === 404)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429]);
    // Another caller is not affected.
    expect(
      (await call("GET", "/api/items/auth-4", await token({ scp: ITEMS_SCOPES.read }))).status,
    ).toBe(404);
  });

  it("answers 503, not 401, while the key endpoint cannot be reached", async () => {
    jwksProbe.child.kill("SIGKILL");
    await eventually("the key server gone", 5_000, async () =>
      jwksProbe.child.exitCode !== null || jwksProbe.child.signalCode !== null ? true : undefined,
    );
    await sleep(COOLDOWN_MS + 100);
    const answer = await call(
      "GET",
      "/api/items/auth-5",
      await token({ key: keys.unknown, scp: ITEMS_SCOPES.read }),
    );
    expect(answer.status).toBe(503);
    expect(answer.headers["retry-after"]).toBe("1");
    // Keys already cached still verify.
    expect(
      (await call("GET", "/api/items/auth-5", await token({ scp: ITEMS_SCOPES.read }))).status,
    ).toBe(404);
  });
});

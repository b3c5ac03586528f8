/*
 * Run inside the test's namespace: an Entra ID style connection with a fake token source whose
 * tokens live 2.5 s. Prints how often a token was fetched and whether the connection still works
 * after the first token was revoked and the connection dropped.
 */
import pino from "pino";
import { loadConfig } from "../../../app/src/config";
import type { AccessToken, TokenSource } from "../../../app/src/redis/auth";
import { ResilientConnection } from "../../../app/src/redis/connection";

class FakeTokens implements TokenSource {
  issued: string[] = [];
  async getToken(): Promise<AccessToken> {
    const token = `token-${this.issued.length + 1}`;
    this.issued.push(token);
    return { token, expiresOnTimestamp: Date.now() + 2_500 };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const url = process.argv[2];
  const tokens = new FakeTokens();
  const connection = new ResilientConnection({
    url,
    role: "entra-probe",
    credentials: { kind: "entra", username: "app-object-id", tokens, refreshMarginMs: 1_000 },
    logger: pino({ level: "silent" }),
    timings: loadConfig({ REDIS_URL: url, REDIS_RECONNECT_MAX_MS: "500", AUTH_DISABLED: "true" })
      .redis.timings,
  });
  await connection.start();
  const firstPing = await connection.client.ping();
  for (let waited = 0; tokens.issued.length < 2 && waited < 5_000; waited += 100) await sleep(100);
  const issuedBeforeExpiry = tokens.issued.length;
  process.stdout.write(JSON.stringify({ event: "renewed", firstPing, issuedBeforeExpiry }) + "\n");
  // The test now revokes token-1 and kills the connection; the reconnect must use the new token.
  await new Promise((resolve) => process.stdin.once("data", resolve));
  let pingAfterReconnect = "none";
  for (let attempt = 0; attempt < 40 && pingAfterReconnect !== "PONG"; attempt++) {
    await sleep(100);
    pingAfterReconnect = await connection.client.ping().catch((err: Error) => err.message);
  }
  process.stdout.write(
    JSON.stringify({ event: "reconnected", pingAfterReconnect, issued: tokens.issued.length }) +
      "\n",
  );
  await connection.close();
}

void main();

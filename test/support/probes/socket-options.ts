/* Run inside the test's namespace: connects like the app (TLS too) and prints the live socket's options. */
import * as fs from "node:fs";
import pino from "pino";
import { loadConfig } from "../../../app/src/config";
import { ResilientConnection } from "../../../app/src/redis/connection";
import { readSocketOptions } from "../../../app/src/redis/socket-options";

async function main(): Promise<void> {
  const [url, caFile] = process.argv.slice(2);
  const connection = new ResilientConnection({
    url,
    tlsCa: caFile ? fs.readFileSync(caFile, "utf8") : undefined,
    role: "probe",
    credentials: { kind: "none" },
    logger: pino({ level: "silent" }),
    timings: loadConfig({ REDIS_URL: url, AUTH_DISABLED: "true" }).redis.timings,
  });
  await connection.start();
  const stream = connection.client.stream;
  process.stdout.write(
    JSON.stringify({ localPort: stream.localPort, ...readSocketOptions(stream) }) + "\n",
  );
  // Stay connected until the test has looked at the socket with ss.
  await new Promise((resolve) => process.stdin.once("data", resolve));
  await connection.close();
}

void main();

/* Run inside the test's namespace: a cluster client like the app's; prints each node's live socket options. */
import pino from "pino";
import { loadConfig } from "../../../app/src/config";
import { ResilientCluster } from "../../../app/src/redis/cluster";
import { readSocketOptions } from "../../../app/src/redis/socket-options";

async function main(): Promise<void> {
  const [url] = process.argv.slice(2);
  const cluster = new ResilientCluster({
    url,
    role: "probe",
    credentials: { kind: "none" },
    logger: pino({ level: "silent" }),
    timings: loadConfig({ REDIS_URL: url, AUTH_DISABLED: "true" }).redis.timings,
  });
  await cluster.start();
  // Touch every shard so the client holds a live socket to each primary (a node still
  // connecting refuses commands: try again shortly).
  for (let n = 0; n < 64; n++) {
    for (let attempt = 0; ; attempt++) {
      try {
        await cluster.client.set(`probe:${n}`, String(n));
        break;
      } catch (err) {
        if (attempt > 50) throw err;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }
  const sockets = cluster.client
    .nodes("master")
    .filter((node) => node.stream)
    .map((node) => ({
      node: `${node.options.host}:${node.options.port}`,
      localPort: node.stream.localPort,
      ...readSocketOptions(node.stream),
    }));
  process.stdout.write(JSON.stringify({ sockets }) + "\n");
  await new Promise((resolve) => process.stdin.once("data", resolve));
  await cluster.close();
}

void main();

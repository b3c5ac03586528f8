import Redis from "ioredis";
import * as keepalive from "net-keepalive";
import pino from "pino";
import { loadConfig } from "../../app/src/config";
import { ResilientConnection } from "../../app/src/redis/connection";

/** A client under test: how it sends a write and how an app built on it would judge readiness. */
export interface BenchClient {
  start(): Promise<void>;
  write(key: string): Promise<void>;
  ready(): boolean;
  counters(): { commandTimeouts: number; reconnects: number };
  close(): void;
}

export const VARIANTS = ["plain", "seed", "service"] as const;
export type Variant = (typeof VARIANTS)[number];

export const VARIANT_LABELS: Record<Variant, string> = {
  plain: "(a) ioredis defaults",
  seed: "(b) seed: keepalive 15/5/3 + TCP_USER_TIMEOUT 100 s",
  service: "(c) this service's client",
};

/** ioredis as most apps use it: defaults, readiness = "the client says ready". */
function plainClient(url: string, configure?: (client: Redis) => void): BenchClient {
  const client = new Redis(url, { lazyConnect: true });
  let reconnects = 0;
  client.on("reconnecting", () => reconnects++);
  client.on("error", () => undefined);
  configure?.(client);
  return {
    start: async () => void (await client.connect()),
    write: async (key) => void (await client.set(key, "v")),
    ready: () => client.status === "ready",
    counters: () => ({ commandTimeouts: 0, reconnects }),
    close: () => client.disconnect(),
  };
}

/** The fix from the seed project: kernel-level detection only (about two minutes). */
function seedClient(url: string): BenchClient {
  return plainClient(url, (client) => {
    client.options.keepAlive = 15_000;
    client.on("connect", () => {
      keepalive.setKeepAliveInterval(client.stream, 5_000);
      keepalive.setKeepAliveProbes(client.stream, 3);
      keepalive.setUserTimeout(client.stream, 100_000);
    });
  });
}

/** The service's own connection with its default settings, failing fast while not ready. */
function serviceClient(url: string): BenchClient {
  const config = loadConfig({ REDIS_URL: url, AUTH_DISABLED: "true" });
  const connection = new ResilientConnection({
    url,
    role: "bench",
    timings: config.redis.timings,
    credentials: { kind: "none" },
    logger: pino({ level: "silent" }),
  });
  let commandTimeouts = 0;
  let reconnects = 0;
  connection.on("reconnecting", () => reconnects++);
  return {
    start: () => connection.start(),
    async write(key) {
      if (!connection.isReady()) throw new Error("not ready");
      try {
        await connection.client.set(key, "v");
      } catch (err) {
        if ((err as Error).message.includes("timed out")) commandTimeouts++;
        throw err;
      }
    },
    ready: () => connection.isReady(),
    counters: () => ({ commandTimeouts, reconnects }),
    close: () => void connection.close(),
  };
}

export function createClient(variant: Variant, url: string): BenchClient {
  if (variant === "plain") return plainClient(url);
  if (variant === "seed") return seedClient(url);
  return serviceClient(url);
}

import * as fs from "node:fs";
import pino, { Logger } from "pino";
import type { AppConfig } from "./config";
import { AZURE_REDIS_EVENTS_CHANNEL, MaintenanceWindow } from "./maintenance";
import { Metrics } from "./metrics";
import { TokenSource, WorkloadIdentityTokenSource } from "./redis/auth";
import { ResilientCluster } from "./redis/cluster";
import { Credentials, ResilientConnection } from "./redis/connection";
import { buildServer } from "./server";
import { CLUSTER_LAYOUT, ItemStore, STANDALONE_LAYOUT } from "./store";

export interface AppOptions {
  logger?: Logger;
  /** Entra ID token source; defaults to the AKS workload identity. */
  tokens?: TokenSource;
}

function credentials(config: AppConfig, tokens: TokenSource | undefined): Credentials {
  const { redis } = config;
  if (redis.auth === "password")
    return { kind: "password", file: redis.passwordFile!, username: redis.username };
  if (redis.auth === "entra") {
    return {
      kind: "entra",
      username: redis.username!,
      tokens: tokens ?? new WorkloadIdentityTokenSource(),
      refreshMarginMs: redis.tokenRefreshMarginMs,
    };
  }
  return { kind: "none" };
}

/** The whole service wired together: two Redis connections (commands, maintenance events) and HTTP. */
export async function startApp(config: AppConfig, options: AppOptions = {}) {
  const logger = options.logger ?? pino({ level: config.logLevel, base: { service: "items-api" } });
  const metrics = new Metrics();
  const connectionOptions = {
    url: config.redis.url,
    timings: config.redis.timings,
    credentials: credentials(config, options.tokens),
    tlsCa: config.redis.tlsCaFile ? fs.readFileSync(config.redis.tlsCaFile, "utf8") : undefined,
    logger,
  };
  const cluster = config.redis.mode === "cluster";
  const connection = cluster
    ? new ResilientCluster({ ...connectionOptions, role: "app" })
    : new ResilientConnection({ ...connectionOptions, role: "app" });
  // AzureRedisEvents is Azure Cache for Redis' channel; Azure Managed Redis (the cluster mode's
  // service) has none, so a cluster client subscribes to nothing.
  const events = cluster
    ? undefined
    : new ResilientConnection({ ...connectionOptions, role: "events" });
  const maintenance = new MaintenanceWindow(config.maintenanceMaxMs, logger, (active) =>
    metrics.maintenanceActive.set(active ? 1 : 0),
  );

  connection.on("up", () => metrics.redisUp.set(1));
  connection.on("down", () => metrics.redisUp.set(0));
  connection.on("reconnecting", () => metrics.redisReconnects.inc());
  connection.on("heartbeatFailed", () => metrics.redisHeartbeatFailures.inc());
  events?.client.on("message", (_channel: string, message: string) => maintenance.handle(message));
  // ioredis re-subscribes after every reconnect (autoResubscribe).
  events?.on(
    "up",
    () => void events.client.subscribe(AZURE_REDIS_EVENTS_CHANNEL).catch(() => undefined),
  );

  let shuttingDown = false;
  const server = buildServer({
    logger,
    store: new ItemStore(connection.client, {
      idempotencyTtlSeconds: config.idempotencyTtlSeconds,
      layout: cluster ? CLUSTER_LAYOUT : STANDALONE_LAYOUT,
      wait: config.redis.wait,
    }),
    connection,
    maintenance,
    metrics,
    maxBodyBytes: config.maxBodyBytes,
    retryAfterSeconds: config.retryAfterSeconds,
    isShuttingDown: () => shuttingDown,
  });

  await Promise.all([connection.start(), events?.start()]);
  const address = await server.listen(
    "path" in config.listen ? { path: config.listen.path } : config.listen,
  );
  logger.info({ address }, "items-api listening");

  /** Stop accepting, let in-flight requests finish (bounded), then close Redis. */
  async function stop(): Promise<void> {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info("shutting down");
    await Promise.race([
      server.close(),
      new Promise((resolve) => setTimeout(resolve, config.shutdownTimeoutMs).unref()),
    ]);
    await Promise.all([connection.close(), events?.close()]);
    logger.info("stopped");
  }

  return { server, connection, events, maintenance, metrics, logger, stop };
}

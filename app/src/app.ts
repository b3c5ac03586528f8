import * as fs from "node:fs";
import pino, { Logger } from "pino";
import type { AppConfig } from "./config";
import { AZURE_REDIS_EVENTS_CHANNEL, MaintenanceWindow } from "./maintenance";
import { Metrics } from "./metrics";
import { TokenSource, WorkloadIdentityTokenSource } from "./redis/auth";
import { ResilientCluster } from "./redis/cluster";
import { Credentials, ResilientConnection } from "./redis/connection";
import { buildMetricsServer, buildServer } from "./server";
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

/** A start-up failure outside config validation (a port in use, a host that does not resolve). */
export class StartupError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StartupError";
  }
}

function listenOptions(listen: AppConfig["listen"]) {
  return "path" in listen ? { path: listen.path } : listen;
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

  if (config.auth.disabled)
    logger.warn("AUTH_DISABLED=true: the items API accepts requests without a token");

  let shuttingDown = false;
  const server = await buildServer({
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
    auth: config.auth,
    rateLimit: config.rateLimit,
    isShuttingDown: () => shuttingDown,
  });
  const metricsServer = buildMetricsServer(metrics, logger);

  await Promise.all([connection.start(), events?.start()]);
  let address: string;
  let metricsAddress: string;
  try {
    address = await server.listen(listenOptions(config.listen));
    metricsAddress = await metricsServer.listen(listenOptions(config.metricsListen));
  } catch (err) {
    await Promise.all([server.close(), metricsServer.close(), connection.close(), events?.close()]);
    throw new StartupError(`cannot listen: ${(err as Error).message}`, { cause: err });
  }
  logger.info({ address, metricsAddress }, "items-api listening");

  /**
   * Drain behind readiness, then stop: /readyz answers 503 at once while requests are still served
   * for SHUTDOWN_DRAIN_MS (endpoints need a moment to drop the pod; the Deployment's preStop delay
   * covers the same gap before SIGTERM), then the listener closes, in-flight requests finish
   * (bounded by SHUTDOWN_TIMEOUT_MS) and Redis closes.
   */
  async function stop(): Promise<void> {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ drainMs: config.shutdownDrainMs }, "shutting down: draining");
    await new Promise((resolve) => setTimeout(resolve, config.shutdownDrainMs));
    await Promise.race([
      Promise.all([server.close(), metricsServer.close()]),
      new Promise((resolve) => setTimeout(resolve, config.shutdownTimeoutMs).unref()),
    ]);
    await Promise.all([connection.close(), events?.close()]);
    logger.info("stopped");
  }

  return { server, metricsServer, connection, events, maintenance, metrics, logger, stop };
}

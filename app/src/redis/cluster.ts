import { EventEmitter } from "node:events";
import * as fs from "node:fs";
import Redis, { Cluster, ClusterOptions } from "ioredis";
import type { Logger } from "pino";
import type { RedisTimings } from "../config";
import { refreshDelay } from "./auth";
import { backoffDelay } from "./backoff";
import type { ConnectionEvents, Credentials } from "./connection";
import { delay, withDeadline } from "./connection";
import { CommandDeadlines } from "./deadlines";
import { applySocketOptions } from "./socket-options";

export interface ClusterConnectionOptions {
  /** A seed node: `redis(s)://host:port`; the client learns the others from CLUSTER SLOTS. */
  url: string;
  role: string;
  timings: RedisTimings;
  credentials: Credentials;
  tlsCa?: string;
  logger: Logger;
  /** How often the client re-reads the slot map even when nothing failed (promotions). */
  slotsRefreshIntervalMs?: number;
}

/**
 * The ioredis Cluster options that keep each promise of ResilientConnection, per node:
 * - every node's connection: no re-send of unanswered commands, keepalive (TCP_USER_TIMEOUT is
 *   set on each node's socket on "connect"); the per-command timeout is ResilientCluster's
 *   CommandDeadlines sweep over every node, not ioredis' `commandTimeout`. ioredis gives a lost node no
 *   reconnect (ConnectionPool: retryStrategy null) and, with the cluster's offline queue off,
 *   rejects a command for a node that is not connected at once: its shard fails fast;
 * - cluster level: no offline queue, and `retryDelayOnFailover: 0` and `retryDelayOnClusterDown: 0`.
 *   With ioredis' defaults (100 ms each) a command whose connection closed before its reply is
 *   sent again to another node ("Connection is closed." -> handleError -> tryConnection in
 *   ioredis/built/cluster/index.js): a write the old primary may have applied would be applied
 *   twice. A MOVED/ASK/TRYAGAIN reply is still followed: the server did not run the command.
 * - slots re-read every second (ioredis has no periodic refresh by default), after MOVED, after
 *   a node's failure, so a promoted replica serves as soon as the cluster knows it.
 */
export function clusterOptions(options: ClusterConnectionOptions): ClusterOptions {
  const { timings, credentials } = options;
  const url = new URL(options.url);
  const tls = url.protocol === "rediss:";
  return {
    enableOfflineQueue: false,
    enableReadyCheck: true,
    scaleReads: "master",
    maxRedirections: 16,
    retryDelayOnFailover: 0,
    retryDelayOnClusterDown: 0,
    retryDelayOnTryAgain: 100,
    slotsRefreshTimeout: timings.commandTimeoutMs,
    slotsRefreshInterval: options.slotsRefreshIntervalMs ?? 1_000,
    clusterRetryStrategy: (attempt) =>
      backoffDelay(attempt, timings.reconnectBaseMs, timings.reconnectMaxMs),
    // Nodes are announced by IP; TLS still checks the certificate against the seed's name.
    ...(tls ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
    redisOptions: {
      connectionName: `items-api-${options.role}`,
      connectTimeout: timings.connectTimeoutMs,
      keepAlive: timings.keepAliveIdleMs,
      noDelay: true,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      username: credentials.kind === "none" ? undefined : credentials.username,
      ...(tls
        ? {
            tls: {
              servername: url.hostname,
              ...(options.tlsCa ? { ca: options.tlsCa } : {}),
            },
          }
        : {}),
    },
  };
}

/**
 * A Redis Cluster client with the standalone connection's promises per node: a PING heartbeat
 * with its own deadline on every primary (a frozen node still ACKs TCP), a dropped socket and a
 * slot refresh when one fails. Ready while the cluster answers at all: a shard that is down makes
 * requests for its keys fail fast (503) while the other shards keep serving.
 */
export class ResilientCluster extends EventEmitter<ConnectionEvents> {
  readonly client: Cluster;
  private heartbeatTimer?: NodeJS.Timeout;
  private tokenTimer?: NodeJS.Timeout;
  private heartbeatInFlight = false;
  private healthy = false;
  private closing = false;
  private readonly downNodes = new Set<string>();
  private password?: string;
  private readonly deadlines: CommandDeadlines;

  constructor(private readonly options: ClusterConnectionOptions) {
    super();
    const url = new URL(options.url);
    this.client = new Cluster([{ host: url.hostname, port: Number(url.port || 6379) }], {
      ...clusterOptions(options),
      lazyConnect: true,
    });
    this.deadlines = new CommandDeadlines(options.timings.commandTimeoutMs, () =>
      this.client.nodes("all"),
    );
    this.client.on("+node", (node: Redis) => this.watchNode(node));
    this.client.on("ready", () => this.markUp());
    this.client.on("end", () => this.markDown("cluster connection ended"));
    this.client.on("close", () => this.markDown("cluster connection closed"));
    this.client.on("reconnecting", (delayMs: number) => this.emit("reconnecting", delayMs));
    this.client.on("error", (err: Error) =>
      options.logger.debug({ role: options.role, err: err.message }, "redis cluster error"),
    );
  }

  /** The cluster is reachable and at least one primary answers its heartbeat. */
  isReady(): boolean {
    if (!this.healthy || this.client.status !== "ready") return false;
    const primaries = this.client.nodes("master");
    return primaries.some((node) => !this.downNodes.has(nodeKey(node)));
  }

  /** Primaries whose heartbeat failed, as host:port. */
  failedPrimaries(): string[] {
    return [...this.downNodes];
  }

  async start(): Promise<void> {
    await this.loadCredentials();
    this.deadlines.start();
    this.heartbeatTimer = setInterval(
      () => void this.heartbeat(),
      this.options.timings.heartbeatIntervalMs,
    );
    this.heartbeatTimer.unref();
    // Not `await connect()`: when ioredis' first ready check fails it reconnects and the first
    // promise never settles. Listen for "ready" instead, bounded; the app serves 503 until then.
    const ready = new Promise<void>((resolve) => this.client.once("ready", () => resolve()));
    this.client
      .connect()
      .catch((err: Error) =>
        this.options.logger.warn(
          { role: this.options.role, err: err.message },
          "redis cluster not reachable yet",
        ),
      );
    await Promise.race([ready, delay(2 * this.options.timings.connectTimeoutMs)]);
    if (this.client.status === "ready") await this.nodesConnected();
  }

  /**
   * Waits (at most one connect timeout) until every primary's connection is up. With the offline
   * queue off, ioredis rejects a command for a node still connecting, so the first requests after
   * start would fail for no reason.
   */
  private async nodesConnected(): Promise<void> {
    const pending = this.client
      .nodes("master")
      .filter((node) => node.status !== "ready")
      .map(
        (node) =>
          new Promise<void>((resolve) => {
            node.once("ready", () => resolve());
            node.once("end", () => resolve());
          }),
      );
    await Promise.race([Promise.all(pending), delay(this.options.timings.connectTimeoutMs)]);
  }

  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.tokenTimer);
    if (this.client.status === "ready") {
      await Promise.race([
        this.client.quit().catch(() => undefined),
        delay(this.options.timings.commandTimeoutMs),
      ]);
    }
    this.client.disconnect();
    this.deadlines.stop();
  }

  /** Every node's socket gets keepalive and TCP_USER_TIMEOUT, on every (re)connect. */
  private watchNode(node: Redis): void {
    if (this.password !== undefined) node.options.password = this.password;
    // Connect a node as soon as the slot map names it, not on the first request for its keys
    // (which, with no offline queue, would be refused while the connection is being made).
    if (node.status === "wait") {
      setImmediate(() => {
        if (node.status === "wait") node.connect().catch(() => undefined);
      });
    }
    node.on("connect", () => {
      try {
        applySocketOptions(node.stream, this.options.timings);
      } catch (err) {
        this.options.logger.error(
          { role: this.options.role, node: nodeKey(node), err: (err as Error).message },
          "cannot set TCP keepalive options",
        );
      }
    });
  }

  /** PING every primary with a deadline; a silent one loses its socket and the slots are re-read. */
  private async heartbeat(): Promise<void> {
    if (this.heartbeatInFlight || this.closing || this.client.status !== "ready") return;
    this.heartbeatInFlight = true;
    try {
      const primaries = this.client.nodes("master");
      const results = await Promise.all(primaries.map((node) => this.ping(node)));
      if (results.some((ok) => !ok)) void this.client.refreshSlotsCache();
    } finally {
      this.heartbeatInFlight = false;
    }
  }

  private async ping(node: Redis): Promise<boolean> {
    const key = nodeKey(node);
    const started = Date.now();
    try {
      if (node.status !== "ready") throw new Error(`node is ${node.status}`);
      await withDeadline(node.ping(), this.options.timings.heartbeatTimeoutMs, "PING timed out");
      if (this.downNodes.delete(key)) {
        this.options.logger.info({ role: this.options.role, node: key }, "redis node is up");
      }
      return true;
    } catch (err) {
      const reason = `${(err as Error).message} after ${Date.now() - started} ms`;
      if (!this.downNodes.has(key)) {
        this.downNodes.add(key);
        this.emit("heartbeatFailed", `${key}: ${reason}`);
        this.options.logger.warn(
          { role: this.options.role, node: key, reason },
          "redis node is down; dropping its connection",
        );
      }
      // destroy(), not a polite FIN: a blackholed peer would never acknowledge it.
      if (node.status === "ready") node.stream?.destroy();
      return false;
    }
  }

  private markUp(): void {
    if (this.healthy) return;
    this.healthy = true;
    this.options.logger.info({ role: this.options.role }, "redis cluster is up");
    this.emit("up");
  }

  private markDown(reason: string): void {
    if (!this.healthy || this.closing) return;
    this.healthy = false;
    this.options.logger.warn({ role: this.options.role, reason }, "redis cluster is down");
    this.emit("down", reason);
  }

  private async loadCredentials(): Promise<void> {
    const { credentials } = this.options;
    if (credentials.kind === "password") {
      this.setPassword(fs.readFileSync(credentials.file, "utf8").trim());
    }
    if (credentials.kind === "entra") await this.renewToken(false);
  }

  /** New nodes and reconnects use the current secret; ioredis copies redisOptions per node. */
  private setPassword(password: string): void {
    this.password = password;
    const redisOptions = this.client.options.redisOptions ?? {};
    redisOptions.password = password;
    this.client.options.redisOptions = redisOptions;
    for (const node of this.client.nodes("all")) node.options.password = password;
  }

  /** Every node's live connection is re-AUTHed before its Entra ID token expires. */
  private async renewToken(reauthenticate = true): Promise<void> {
    const { credentials } = this.options;
    if (credentials.kind !== "entra" || this.closing) return;
    try {
      const token = await credentials.tokens.getToken();
      this.setPassword(token.token);
      if (reauthenticate) {
        await Promise.all(
          this.client
            .nodes("all")
            .filter((node) => node.status === "ready")
            .map((node) => node.auth(credentials.username, token.token)),
        );
        this.options.logger.info(
          { role: this.options.role },
          "re-authenticated every node with a new Entra ID token",
        );
      }
      const renewInMs = refreshDelay(token, credentials.refreshMarginMs, Date.now());
      this.tokenTimer = setTimeout(() => void this.renewToken(), renewInMs);
      this.tokenTimer.unref();
    } catch (err) {
      this.options.logger.error(
        { role: this.options.role, err: (err as Error).message },
        "token renewal failed; retrying",
      );
      this.tokenTimer = setTimeout(() => void this.renewToken(), 5_000);
      this.tokenTimer.unref();
      if (!reauthenticate) throw err;
    }
  }
}

function nodeKey(node: Redis): string {
  return `${node.options.host}:${node.options.port}`;
}

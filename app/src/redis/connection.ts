import { EventEmitter } from "node:events";
import * as fs from "node:fs";
import Redis from "ioredis";
import type { Logger } from "pino";
import type { RedisTimings } from "../config";
import { AccessToken, refreshDelay, TokenSource } from "./auth";
import { backoffDelay } from "./backoff";
import { CommandDeadlines, TIMEOUT_MESSAGE } from "./deadlines";
import { applySocketOptions } from "./socket-options";

export type Credentials =
  | { kind: "none" }
  | { kind: "password"; file: string; username?: string }
  | { kind: "entra"; username: string; tokens: TokenSource; refreshMarginMs: number };

export interface ConnectionOptions {
  url: string;
  /** Shown in CLIENT LIST and in logs ("app", "events"). */
  role: string;
  timings: RedisTimings;
  credentials: Credentials;
  /** CA bundle (PEM) to trust for rediss:// instead of the system store. */
  tlsCa?: string;
  logger: Logger;
}

export interface ConnectionEvents {
  /** Redis answers again (after start or an outage). */
  up: [];
  /** Redis stopped answering, with the reason. */
  down: [reason: string];
  reconnecting: [delayMs: number];
  heartbeatFailed: [reason: string];
}

export function isCommandTimeout(err: unknown): boolean {
  return err instanceof Error && err.message.includes(TIMEOUT_MESSAGE);
}

/**
 * One ioredis connection that notices a dead or frozen server within seconds:
 * - SO_KEEPALIVE and TCP_USER_TIMEOUT on every socket (the kernel gives up on a blackholed peer);
 * - a PING heartbeat with its own deadline (a frozen process still gets its packets ACKed);
 * - a watchdog on the handshake (a frozen server accepts TCP but never answers INFO/AUTH);
 * - no offline queue and no re-sending of unanswered commands: while down, calls fail at once,
 *   and a write whose reply was lost is never silently applied twice.
 */
export class ResilientConnection extends EventEmitter<ConnectionEvents> {
  readonly client: Redis;
  private healthy = false;
  private heartbeatTimer?: NodeJS.Timeout;
  private handshakeTimer?: NodeJS.Timeout;
  private tokenTimer?: NodeJS.Timeout;
  private heartbeatInFlight = false;
  private closing = false;
  private lastErrorReason?: string;
  private readonly deadlines: CommandDeadlines;

  constructor(private readonly options: ConnectionOptions) {
    super();
    const { timings } = options;
    this.client = new Redis(options.url, {
      lazyConnect: true,
      connectionName: `items-api-${options.role}`,
      connectTimeout: timings.connectTimeoutMs,
      keepAlive: timings.keepAliveIdleMs,
      noDelay: true,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      enableReadyCheck: true,
      retryStrategy: (attempt) =>
        backoffDelay(attempt, timings.reconnectBaseMs, timings.reconnectMaxMs),
      username: options.credentials.kind === "none" ? undefined : options.credentials.username,
      ...(options.tlsCa ? { tls: { ca: options.tlsCa } } : {}),
    });
    this.deadlines = new CommandDeadlines(timings.commandTimeoutMs, () => [this.client]);
    this.client.on("connect", () => this.onConnect());
    this.client.on("ready", () => this.onReady());
    this.client.on("close", () => this.markDown("connection closed"));
    this.client.on("reconnecting", (delayMs: number) => this.onReconnecting(delayMs));
    this.client.on("error", (err: Error) => this.onError(err));
  }

  isReady(): boolean {
    return this.healthy && this.client.status === "ready";
  }

  async start(): Promise<void> {
    await this.loadCredentials();
    this.deadlines.start();
    this.heartbeatTimer = setInterval(
      () => void this.heartbeat(),
      this.options.timings.heartbeatIntervalMs,
    );
    this.heartbeatTimer.unref();
    // The first connection may fail (Redis not up yet); ioredis keeps retrying in the background.
    await this.client
      .connect()
      .catch((err: Error) =>
        this.options.logger.warn(
          { role: this.options.role, err: err.message },
          "redis not reachable yet",
        ),
      );
  }

  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.handshakeTimer);
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

  private onConnect(): void {
    const stream = this.client.stream;
    try {
      applySocketOptions(stream, this.options.timings);
    } catch (err) {
      this.options.logger.error(
        { role: this.options.role, err: (err as Error).message },
        "cannot set TCP keepalive options",
      );
    }
    // A frozen server accepts the TCP connection but never answers the handshake.
    clearTimeout(this.handshakeTimer);
    this.handshakeTimer = setTimeout(() => {
      if (this.client.status !== "ready") this.restart("handshake timed out");
    }, this.options.timings.connectTimeoutMs);
    this.handshakeTimer.unref();
  }

  /**
   * The real reason (WRONGPASS, NOAUTH, OOM, ECONNREFUSED, ...) at warn, once per change of reason:
   * a reconnect loop against a refusing server repeats the same error every backoff step.
   */
  private onError(err: Error): void {
    const reason = errorReason(err);
    const level = reason === this.lastErrorReason ? "debug" : "warn";
    this.lastErrorReason = reason;
    this.options.logger[level](
      { role: this.options.role, reason, err: err.message },
      "redis error",
    );
  }

  private onReady(): void {
    this.lastErrorReason = undefined;
    clearTimeout(this.handshakeTimer);
    this.markUp();
  }

  private onReconnecting(delayMs: number): void {
    this.emit("reconnecting", delayMs);
    if (this.options.credentials.kind === "password") this.readPasswordFile();
  }

  private async heartbeat(): Promise<void> {
    if (this.heartbeatInFlight || this.closing || this.client.status !== "ready") return;
    this.heartbeatInFlight = true;
    const started = Date.now();
    try {
      await withDeadline(
        this.client.ping(),
        this.options.timings.heartbeatTimeoutMs,
        "heartbeat PING timed out",
      );
      this.markUp();
    } catch (err) {
      const reason = `${(err as Error).message} after ${Date.now() - started} ms`;
      this.emit("heartbeatFailed", reason);
      this.restart(reason);
    } finally {
      this.heartbeatInFlight = false;
    }
  }

  /**
   * Drops the socket and lets ioredis reconnect with backoff. destroy(), not a polite FIN: a
   * blackholed peer would never acknowledge it and the reconnect would wait for the kernel.
   */
  private restart(reason: string): void {
    if (this.closing) return;
    this.markDown(reason);
    this.options.logger.warn({ role: this.options.role, reason }, "dropping the redis connection");
    this.client.stream?.destroy();
  }

  private markUp(): void {
    if (this.healthy) return;
    this.healthy = true;
    this.options.logger.info({ role: this.options.role }, "redis is up");
    this.emit("up");
  }

  private markDown(reason: string): void {
    if (!this.healthy) return;
    this.healthy = false;
    this.options.logger.warn({ role: this.options.role, reason }, "redis is down");
    this.emit("down", reason);
  }

  private async loadCredentials(): Promise<void> {
    const { credentials } = this.options;
    if (credentials.kind === "password") this.readPasswordFile();
    if (credentials.kind === "entra") this.useToken(await credentials.tokens.getToken());
  }

  /** The CSI driver rotates the mounted secret; every reconnect uses the current file. */
  private readPasswordFile(): void {
    const { credentials } = this.options;
    if (credentials.kind !== "password") return;
    this.client.options.password = fs.readFileSync(credentials.file, "utf8").trim();
  }

  private useToken(token: AccessToken): void {
    const { credentials } = this.options;
    if (credentials.kind !== "entra") return;
    this.client.options.password = token.token;
    const renewInMs = refreshDelay(token, credentials.refreshMarginMs, Date.now());
    this.tokenTimer = setTimeout(() => void this.renewToken(), renewInMs);
    this.tokenTimer.unref();
  }

  /** Azure closes connections whose token expired: re-AUTH the live connection before that. */
  private async renewToken(): Promise<void> {
    const { credentials } = this.options;
    if (credentials.kind !== "entra" || this.closing) return;
    try {
      const token = await credentials.tokens.getToken();
      this.useToken(token);
      if (this.client.status === "ready") await this.client.auth(credentials.username, token.token);
      this.options.logger.info(
        { role: this.options.role },
        "re-authenticated with a new Entra ID token",
      );
    } catch (err) {
      this.options.logger.error(
        { role: this.options.role, err: (err as Error).message },
        "token renewal failed; retrying",
      );
      this.tokenTimer = setTimeout(() => void this.renewToken(), 5_000);
      this.tokenTimer.unref();
    }
  }
}

/** A short, stable reason: the errno code of a socket error, or the first word of a Redis error reply. */
export function errorReason(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (typeof code === "string") return code;
  return /^([A-Z][A-Z_]+)\b/.exec(err.message)?.[1] ?? err.message;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export function withDeadline<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

import * as fs from "node:fs";
import { z } from "zod";
import {
  AuthConfig,
  authConfig,
  authEnvShape,
  checkAuthEnv,
  RateLimitConfig,
  rateLimitConfig,
} from "./auth/config";
import { redact } from "./redact";

/**
 * The service's configuration, from environment variables, validated at start. Timings are in
 * milliseconds and tuned so that a dead or frozen Redis is noticed within about two seconds while a
 * busy but healthy one never trips them.
 */

/** The port of a redis:// URL, when it has one, is a TCP port (the regex alone accepts :99999). */
function hasValidPort(url: string): boolean {
  const port = /:(\d+)(\/\d+)?$/.exec(url.replace(/^rediss?:\/\//, ""))?.[1];
  return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
}

const milliseconds = (fallback: number, min = 1, max = 600_000) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const envSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    HOST: z.string().default("0.0.0.0"),
    /** Listen on a unix socket instead of PORT (tests, sidecars). */
    LISTEN_PATH: z.string().min(1).optional(),
    /** /metrics on a port of its own, which the Service exposes to Prometheus and the Ingress never routes. */
    METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9090),
    /** Metrics on a unix socket instead of METRICS_PORT (tests). */
    METRICS_LISTEN_PATH: z.string().min(1).optional(),
    LOG_LEVEL: z
      .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
      .default("info"),
    REDIS_URL: z
      .string({ error: "is required" })
      .regex(
        /^rediss?:\/\/[^\s/]+(:\d+)?(\/\d+)?$/,
        "expected redis://host:port or rediss://host:6380",
      )
      .refine(hasValidPort, "the port must be 1-65535"),
    /** cluster: REDIS_URL names a seed node of a Redis Cluster (Azure Managed Redis, OSS policy). */
    REDIS_MODE: z.enum(["standalone", "cluster"]).default("standalone"),
    /** Acknowledge a write only after WAIT confirms this many replicas have it (0: no WAIT). */
    REDIS_WAIT_REPLICAS: z.coerce.number().int().min(0).max(5).default(0),
    REDIS_WAIT_TIMEOUT_MS: milliseconds(500, 10),
    /** password: REDIS_PASSWORD_FILE (Key Vault CSI mount); entra: workload identity token; none. */
    REDIS_AUTH: z.enum(["password", "entra", "none"]).optional(),
    REDIS_PASSWORD_FILE: z.string().min(1).optional(),
    /** PEM file with the CA(s) to trust for rediss:// instead of the system store (private CAs). */
    REDIS_TLS_CA_FILE: z.string().min(1).optional(),
    /** For entra: the identity's object (principal) id. For password: an ACL user, if any. */
    REDIS_USERNAME: z.string().min(1).optional(),
    /** Azure closes a connection whose token expired; it asks for re-AUTH at least 3 min ahead. */
    REDIS_TOKEN_REFRESH_MARGIN_MS: z.coerce
      .number()
      .int()
      .min(180_000, "must be at least 180000 (re-AUTH at least 3 minutes before expiry)")
      .max(3_600_000)
      .default(180_000),
    REDIS_CONNECT_TIMEOUT_MS: milliseconds(1_500, 100),
    REDIS_COMMAND_TIMEOUT_MS: milliseconds(1_000, 50),
    REDIS_HEARTBEAT_INTERVAL_MS: milliseconds(500, 50),
    REDIS_HEARTBEAT_TIMEOUT_MS: milliseconds(1_000, 50),
    REDIS_TCP_USER_TIMEOUT_MS: milliseconds(5_000, 1_000),
    REDIS_KEEPALIVE_IDLE_MS: milliseconds(15_000, 1_000),
    REDIS_KEEPALIVE_INTERVAL_MS: milliseconds(5_000, 1_000),
    REDIS_KEEPALIVE_PROBES: z.coerce.number().int().min(1).max(20).default(3),
    REDIS_RECONNECT_BASE_MS: milliseconds(50, 1),
    REDIS_RECONNECT_MAX_MS: milliseconds(1_000, 10),
    /** How long a maintenance notice may block writes when its end notice never arrives. */
    MAINTENANCE_MAX_MS: milliseconds(120_000, 1_000, 3_600_000),
    RETRY_AFTER_SECONDS: z.coerce.number().int().min(1).max(600).default(1),
    IDEMPOTENCY_TTL_SECONDS: z.coerce.number().int().min(60).max(604_800).default(86_400),
    MAX_BODY_BYTES: z.coerce.number().int().min(64).max(10_485_760).default(65_536),
    SHUTDOWN_TIMEOUT_MS: milliseconds(10_000, 100),
    /** After SIGTERM: how long /readyz says 503 while requests are still served, before the listener closes. */
    SHUTDOWN_DRAIN_MS: milliseconds(5_000, 0, 120_000),
    ...authEnvShape,
  })
  .superRefine((env, ctx) => {
    checkAuthEnv(env, ctx);
    const auth = env.REDIS_AUTH ?? (env.REDIS_PASSWORD_FILE ? "password" : "none");
    if (auth === "password" && !env.REDIS_PASSWORD_FILE) {
      ctx.addIssue({
        code: "custom",
        path: ["REDIS_PASSWORD_FILE"],
        message: "is required when REDIS_AUTH=password",
      });
    }
    if (auth === "entra" && !env.REDIS_USERNAME) {
      ctx.addIssue({
        code: "custom",
        path: ["REDIS_USERNAME"],
        message: "is required when REDIS_AUTH=entra (the identity's object id)",
      });
    }
    if (env.REDIS_TLS_CA_FILE && !env.REDIS_URL.startsWith("rediss://")) {
      ctx.addIssue({
        code: "custom",
        path: ["REDIS_TLS_CA_FILE"],
        message: "only applies to rediss:// URLs",
      });
    }
    if (env.REDIS_HEARTBEAT_TIMEOUT_MS < env.REDIS_HEARTBEAT_INTERVAL_MS) {
      ctx.addIssue({
        code: "custom",
        path: ["REDIS_HEARTBEAT_TIMEOUT_MS"],
        message: "must be at least REDIS_HEARTBEAT_INTERVAL_MS",
      });
    }
    // WAIT runs under the command timeout; a longer WAIT would always end as a timeout.
    if (env.REDIS_WAIT_REPLICAS > 0 && env.REDIS_WAIT_TIMEOUT_MS >= env.REDIS_COMMAND_TIMEOUT_MS) {
      ctx.addIssue({
        code: "custom",
        path: ["REDIS_WAIT_TIMEOUT_MS"],
        message: "must be less than REDIS_COMMAND_TIMEOUT_MS (WAIT runs under the command timeout)",
      });
    }
    if (env.REDIS_RECONNECT_MAX_MS < env.REDIS_RECONNECT_BASE_MS) {
      ctx.addIssue({
        code: "custom",
        path: ["REDIS_RECONNECT_MAX_MS"],
        message: "must be at least REDIS_RECONNECT_BASE_MS",
      });
    }
  });

export type AppEnv = z.output<typeof envSchema>;

export interface RedisTimings {
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  tcpUserTimeoutMs: number;
  keepAliveIdleMs: number;
  keepAliveIntervalMs: number;
  keepAliveProbes: number;
  reconnectBaseMs: number;
  reconnectMaxMs: number;
}

export interface AppConfig {
  listen: { port: number; host: string } | { path: string };
  metricsListen: { port: number; host: string } | { path: string };
  auth: AuthConfig;
  rateLimit: RateLimitConfig;
  logLevel: AppEnv["LOG_LEVEL"];
  redis: {
    url: string;
    mode: AppEnv["REDIS_MODE"];
    /** WAIT after each write: replicas that must confirm it, and how long to wait for them. */
    wait: { replicas: number; timeoutMs: number };
    auth: "password" | "entra" | "none";
    passwordFile?: string;
    tlsCaFile?: string;
    username?: string;
    tokenRefreshMarginMs: number;
    timings: RedisTimings;
  };
  maintenanceMaxMs: number;
  retryAfterSeconds: number;
  idempotencyTtlSeconds: number;
  maxBodyBytes: number;
  shutdownTimeoutMs: number;
  shutdownDrainMs: number;
}

export class AppConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "AppConfigError";
  }
}

function describe(issue: z.core.$ZodIssue, env: NodeJS.ProcessEnv): string {
  const name = String(issue.path[0] ?? "environment");
  return `${name}: ${issue.message} (got ${redact(name, env[name])})`;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success)
    throw new AppConfigError(parsed.error.issues.map((issue) => describe(issue, env)));
  const e = parsed.data;
  const missingFiles = (["REDIS_PASSWORD_FILE", "REDIS_TLS_CA_FILE"] as const)
    .filter((name) => e[name] !== undefined && !fs.existsSync(e[name]))
    .map((name) => `${name}: no such file (got ${redact(name, e[name])})`);
  if (missingFiles.length) throw new AppConfigError(missingFiles);
  return {
    listen: e.LISTEN_PATH ? { path: e.LISTEN_PATH } : { port: e.PORT, host: e.HOST },
    metricsListen: e.METRICS_LISTEN_PATH
      ? { path: e.METRICS_LISTEN_PATH }
      : { port: e.METRICS_PORT, host: e.HOST },
    auth: authConfig(e),
    rateLimit: rateLimitConfig(e),
    logLevel: e.LOG_LEVEL,
    redis: {
      url: e.REDIS_URL,
      mode: e.REDIS_MODE,
      wait: { replicas: e.REDIS_WAIT_REPLICAS, timeoutMs: e.REDIS_WAIT_TIMEOUT_MS },
      auth: e.REDIS_AUTH ?? (e.REDIS_PASSWORD_FILE ? "password" : "none"),
      passwordFile: e.REDIS_PASSWORD_FILE,
      tlsCaFile: e.REDIS_TLS_CA_FILE,
      username: e.REDIS_USERNAME,
      tokenRefreshMarginMs: e.REDIS_TOKEN_REFRESH_MARGIN_MS,
      timings: {
        connectTimeoutMs: e.REDIS_CONNECT_TIMEOUT_MS,
        commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
        heartbeatIntervalMs: e.REDIS_HEARTBEAT_INTERVAL_MS,
        heartbeatTimeoutMs: e.REDIS_HEARTBEAT_TIMEOUT_MS,
        tcpUserTimeoutMs: e.REDIS_TCP_USER_TIMEOUT_MS,
        keepAliveIdleMs: e.REDIS_KEEPALIVE_IDLE_MS,
        keepAliveIntervalMs: e.REDIS_KEEPALIVE_INTERVAL_MS,
        keepAliveProbes: e.REDIS_KEEPALIVE_PROBES,
        reconnectBaseMs: e.REDIS_RECONNECT_BASE_MS,
        reconnectMaxMs: e.REDIS_RECONNECT_MAX_MS,
      },
    },
    maintenanceMaxMs: e.MAINTENANCE_MAX_MS,
    retryAfterSeconds: e.RETRY_AFTER_SECONDS,
    idempotencyTtlSeconds: e.IDEMPOTENCY_TTL_SECONDS,
    maxBodyBytes: e.MAX_BODY_BYTES,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    shutdownDrainMs: e.SHUTDOWN_DRAIN_MS,
  };
}

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** The service's Prometheus metrics, in a registry of its own (no global state). */
export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: "http_requests_total",
    help: "HTTP requests by method, route and status",
    labelNames: ["method", "route", "status"] as const,
    registers: [this.registry],
  });
  readonly requestDuration = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request latency",
    labelNames: ["method", "route"] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly redisUp = new Gauge({
    name: "redis_up",
    help: "1 while the Redis connection answers its heartbeat",
    registers: [this.registry],
  });
  readonly redisReconnects = new Counter({
    name: "redis_reconnects_total",
    help: "Reconnect attempts to Redis",
    registers: [this.registry],
  });
  readonly redisCommandTimeouts = new Counter({
    name: "redis_command_timeouts_total",
    help: "Redis commands that got no reply in time (outcome unknown)",
    registers: [this.registry],
  });
  readonly redisHeartbeatFailures = new Counter({
    name: "redis_heartbeat_failures_total",
    help: "Heartbeat PINGs that failed or timed out",
    registers: [this.registry],
  });
  readonly maintenanceActive = new Gauge({
    name: "redis_maintenance_active",
    help: "1 while Azure Redis maintenance blocks writes",
    registers: [this.registry],
  });
  readonly idempotentReplays = new Counter({
    name: "idempotent_replays_total",
    help: "PUTs answered from an earlier request with the same Idempotency-Key",
    registers: [this.registry],
  });

  constructor(collectProcessMetrics = true) {
    if (collectProcessMetrics) collectDefaultMetrics({ register: this.registry });
  }
}

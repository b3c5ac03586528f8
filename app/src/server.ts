import * as http from "node:http";
import type { Socket } from "node:net";
import Fastify, { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply } from "fastify";
import type { Logger } from "pino";
import type { AuthConfig, RateLimitConfig } from "./auth/config";
import { registerSecurity } from "./auth/plugin";
import { HttpError } from "./errors";
import { registerHealthRoutes } from "./health";
import type { MaintenanceWindow } from "./maintenance";
import type { Metrics } from "./metrics";
import type { RedisReadiness } from "./redis/readiness";
import { registerItemRoutes } from "./routes/items";
import type { ItemStore } from "./store";
import { UnavailableSummary } from "./unavailable-summary";

export interface ServerDeps {
  logger: Logger;
  store: ItemStore;
  connection: RedisReadiness;
  maintenance: MaintenanceWindow;
  metrics: Metrics;
  maxBodyBytes: number;
  retryAfterSeconds: number;
  auth: AuthConfig;
  rateLimit: RateLimitConfig;
  isShuttingDown?: () => boolean;
}

/**
 * Longest path parameter the router accepts. Ids are at most 128 characters (routes/items.ts says
 * 400 to longer ones with the rule); Fastify's default of 100 answered ids of 101-128 with 414.
 */
export const MAX_PARAM_LENGTH = 512;

/** Maps every error to a clear answer: client mistakes are 400s, storage trouble 503, never a bare 500. */
function errorReply(
  error: FastifyError | HttpError,
  maxBodyBytes: number,
): { status: number; message: string; retryAfter?: number; body?: Record<string, unknown> } {
  if (error instanceof HttpError)
    return {
      status: error.statusCode,
      message: error.message,
      retryAfter: error.retryAfterSeconds,
      body: error.details,
    };
  if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE")
    return { status: 400, message: `the body is larger than ${maxBodyBytes} bytes` };
  if (error.code === "FST_ERR_CTP_INVALID_JSON_BODY" || error instanceof SyntaxError) {
    return { status: 400, message: `the body is not valid JSON: ${error.message}` };
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500)
    return { status: error.statusCode, message: error.message };
  return { status: 500, message: "internal error" };
}

export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const unavailable = new UnavailableSummary(deps.logger);
  const count = (method: string, route: string, status: number) =>
    deps.metrics.requests.inc({ method, route, status: String(status) });

  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    disableRequestLogging: true,
    bodyLimit: deps.maxBodyBytes,
    return503OnClosing: true,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Answers of the router itself (a bad URL encoding, a parameter over MAX_PARAM_LENGTH): the
    // same JSON shape as every other answer; no route hook runs for them, so they are counted here.
    frameworkErrors: (error, request, reply) => {
      const status: number = error.code === "FST_ERR_MAX_PARAM_LENGTH" ? 414 : 400;
      count(request.method, "unmatched", status);
      return (reply as FastifyReply).code(status).send({ error: error.message });
    },
    // Answers of Node's HTTP parser (malformed request 400, headers too large 431) never reach a
    // route or a hook: count them here, then answer as Fastify's default handler does.
    clientErrorHandler: (error: NodeJS.ErrnoException, socket: Socket) => {
      if (error.code === "ECONNRESET" || socket.destroyed) return;
      const status =
        error.code === "HPE_HEADER_OVERFLOW"
          ? 431
          : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
            ? 408
            : 400;
      count("UNKNOWN", "unparsed", status);
      const body = JSON.stringify({ error: http.STATUS_CODES[status] });
      if (socket.writable) {
        socket.write(
          `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${body}`,
        );
      }
      socket.destroy(error);
    },
  });
  app.addHook("onClose", async () => unavailable.close());

  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    const { status, message, retryAfter, body } = errorReply(error, deps.maxBodyBytes);
    // A 503 is an expected answer while Redis is away, not a bug: counted into a periodic summary
    // instead of a line with a stack per request. Only what is really unexpected (500) is an error.
    if (status === 503) unavailable.record(message);
    else if (status >= 500) request.log.error({ err: error, url: request.url }, "request failed");
    if (retryAfter !== undefined) reply.header("Retry-After", String(retryAfter));
    return reply.code(status).send({ error: message, ...body });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: `no route for ${request.method} ${request.url}` }),
  );

  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    count(request.method, route, reply.statusCode);
    deps.metrics.requestDuration.observe(
      { method: request.method, route },
      reply.elapsedTime / 1000,
    );
  });

  await registerSecurity(app, {
    auth: deps.auth,
    rateLimit: deps.rateLimit,
    retryAfterSeconds: deps.retryAfterSeconds,
  });
  registerHealthRoutes(app, {
    connection: deps.connection,
    isShuttingDown: deps.isShuttingDown ?? (() => false),
  });
  registerItemRoutes(app, deps);
  return app;
}

/** /metrics on a listener of its own: the Service names its port for Prometheus, the Ingress never routes it. */
export function buildMetricsServer(metrics: Metrics, logger: Logger): FastifyInstance {
  const app = Fastify({ loggerInstance: logger as FastifyBaseLogger, disableRequestLogging: true });
  app.get("/metrics", async (_request, reply) => {
    reply.header("Content-Type", metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  return app;
}

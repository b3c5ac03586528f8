import Fastify, { FastifyBaseLogger, FastifyError, FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { HttpError } from "./errors";
import { registerHealthRoutes } from "./health";
import type { MaintenanceWindow } from "./maintenance";
import type { Metrics } from "./metrics";
import type { RedisReadiness } from "./redis/readiness";
import { registerItemRoutes } from "./routes/items";
import type { ItemStore } from "./store";

export interface ServerDeps {
  logger: Logger;
  store: ItemStore;
  connection: RedisReadiness;
  maintenance: MaintenanceWindow;
  metrics: Metrics;
  maxBodyBytes: number;
  retryAfterSeconds: number;
  isShuttingDown?: () => boolean;
}

/** Maps every error to a clear answer: client mistakes are 400s, storage trouble 503, never a bare 500. */
function errorReply(
  error: FastifyError | HttpError,
  maxBodyBytes: number,
): { status: number; message: string; retryAfter?: number } {
  if (error instanceof HttpError)
    return {
      status: error.statusCode,
      message: error.message,
      retryAfter: error.retryAfterSeconds,
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

export function buildServer(deps: ServerDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    disableRequestLogging: true,
    bodyLimit: deps.maxBodyBytes,
    return503OnClosing: true,
  });

  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    const { status, message, retryAfter } = errorReply(error, deps.maxBodyBytes);
    if (status >= 500) request.log.error({ err: error, url: request.url }, "request failed");
    if (retryAfter !== undefined) reply.header("Retry-After", String(retryAfter));
    return reply.code(status).send({ error: message });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: `no route for ${request.method} ${request.url}` }),
  );

  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    deps.metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    deps.metrics.requestDuration.observe(
      { method: request.method, route },
      reply.elapsedTime / 1000,
    );
  });

  registerHealthRoutes(app, {
    connection: deps.connection,
    metrics: deps.metrics,
    isShuttingDown: deps.isShuttingDown ?? (() => false),
  });
  registerItemRoutes(app, deps);
  return app;
}

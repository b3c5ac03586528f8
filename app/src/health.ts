import type { FastifyInstance } from "fastify";
import type { RedisReadiness } from "./redis/readiness";

export interface HealthDeps {
  connection: RedisReadiness;
  isShuttingDown: () => boolean;
}

/**
 * Liveness says the process works and stays 200 through a Redis outage (restarting every pod would
 * not bring Redis back); readiness follows Redis so that traffic goes to pods that can serve it.
 */
export function registerHealthRoutes(app: FastifyInstance, deps: HealthDeps): void {
  app.get("/healthz", async () => ({ status: "ok" }));

  app.get("/readyz", async (_request, reply) => {
    if (deps.isShuttingDown()) return reply.code(503).send({ status: "shutting down" });
    if (!deps.connection.isReady())
      return reply.code(503).header("Retry-After", "1").send({ status: "redis unavailable" });
    return { status: "ready" };
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { RedisReadiness } from "../redis/readiness";
import { isCommandTimeout } from "../redis/connection";
import type { MaintenanceWindow } from "../maintenance";
import type { Metrics } from "../metrics";
import type { ItemStore } from "../store";
import { badRequest, HttpError } from "../errors";

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9._:-]{8,128}$/;
const MAX_PAGE = 100;

export interface ItemRouteDeps {
  store: ItemStore;
  connection: RedisReadiness;
  maintenance: MaintenanceWindow;
  metrics: Metrics;
  retryAfterSeconds: number;
}

type IdRequest = FastifyRequest<{ Params: { id: string } }>;

function itemId(request: IdRequest): string {
  const { id } = request.params;
  if (!ID_PATTERN.test(id)) {
    throw badRequest(
      "id must be 1-128 characters: letters, digits, '.', '_' or '-', starting with a letter or digit",
    );
  }
  return id;
}

function idempotencyKey(request: FastifyRequest): string | undefined {
  const header = request.headers["idempotency-key"];
  if (header === undefined) return undefined;
  if (typeof header !== "string" || !IDEMPOTENCY_KEY_PATTERN.test(header)) {
    throw badRequest(
      "Idempotency-Key must be 8-128 characters: letters, digits, '.', '_', ':' or '-'",
    );
  }
  return header;
}

function pageLimit(raw: string | undefined): number {
  if (raw === undefined) return 20;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE)
    throw badRequest(`limit must be an integer from 1 to ${MAX_PAGE}`);
  return limit;
}

export function registerItemRoutes(app: FastifyInstance, deps: ItemRouteDeps): void {
  const unavailable = (message: string) => new HttpError(503, message, deps.retryAfterSeconds);

  /** Fail fast instead of queueing while Redis is down: the caller gets 503 at once. */
  const requireRedis = () => {
    if (!deps.connection.isReady()) throw unavailable("storage is unavailable; retry later");
  };

  /** Redis failures as answers: a write without a reply has an unknown outcome, never a success. */
  const redisCall = async <T>(write: boolean, call: () => Promise<T>): Promise<T> => {
    requireRedis();
    try {
      return await call();
    } catch (err) {
      if (err instanceof HttpError) throw err;
      if (isCommandTimeout(err)) {
        deps.metrics.redisCommandTimeouts.inc();
        throw unavailable(
          write
            ? "storage did not confirm the write in time; its outcome is unknown, retry with the same Idempotency-Key"
            : "storage timed out; retry later",
        );
      }
      throw unavailable(
        write
          ? "storage failed during the write; its outcome is unknown"
          : "storage is unavailable; retry later",
      );
    }
  };

  app.get("/api/items/:id", async (request: IdRequest, reply: FastifyReply) => {
    const id = itemId(request);
    const value = await redisCall(false, () => deps.store.get(id));
    if (value === undefined) return reply.code(404).send({ error: `no item '${id}'` });
    return value;
  });

  app.put("/api/items/:id", async (request: IdRequest, reply: FastifyReply) => {
    const id = itemId(request);
    const key = idempotencyKey(request);
    const body = request.body;
    if (body === undefined || body === null || typeof body !== "object" || Array.isArray(body)) {
      throw badRequest("the body must be a JSON object");
    }
    if (deps.maintenance.writesBlocked())
      throw unavailable("storage maintenance in progress; writes resume shortly");
    const result = await redisCall(true, () => deps.store.put(id, body, key));
    if (result.replayed) {
      deps.metrics.idempotentReplays.inc();
      if (!result.sameRequest) {
        return reply
          .code(422)
          .send({ error: "this Idempotency-Key was used for a different request" });
      }
      reply.header("Idempotent-Replayed", "true");
    }
    return reply.code(result.status).send(body);
  });

  app.delete("/api/items/:id", async (request: IdRequest, reply: FastifyReply) => {
    const id = itemId(request);
    if (deps.maintenance.writesBlocked())
      throw unavailable("storage maintenance in progress; writes resume shortly");
    const removed = await redisCall(true, () => deps.store.delete(id));
    if (!removed) return reply.code(404).send({ error: `no item '${id}'` });
    return reply.code(204).send();
  });

  app.get(
    "/api/items",
    async (request: FastifyRequest<{ Querystring: { cursor?: string; limit?: string } }>) => {
      const { cursor, limit } = request.query;
      if (cursor !== undefined && cursor !== "" && !ID_PATTERN.test(cursor))
        throw badRequest("cursor must be an item id");
      return redisCall(false, () => deps.store.list(cursor || undefined, pageLimit(limit)));
    },
  );
}

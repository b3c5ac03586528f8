import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { RedisReadiness } from "../redis/readiness";
import { isCommandTimeout } from "../redis/connection";
import type { MaintenanceWindow } from "../maintenance";
import type { Metrics } from "../metrics";
import type { ItemStore } from "../store";
import { badRequest, HttpError } from "../errors";
import { exceedsDepth, MAX_JSON_DEPTH } from "../json-depth";
import { refusalReason } from "../redis/refusal";

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
  const unavailable = (message: string, details?: Record<string, unknown>) =>
    new HttpError(503, message, deps.retryAfterSeconds, details);

  /** Fail fast instead of queueing while Redis is down: the caller gets 503 at once. */
  const requireRedis = (write: boolean) => {
    if (!deps.connection.isReady()) {
      throw unavailable(
        write
          ? "storage is unavailable; the write was not applied, retry later"
          : "storage is unavailable; retry later",
        write ? { outcome: "not-applied", reason: "not connected" } : undefined,
      );
    }
  };

  /** Redis failures as answers: a write without a reply has an unknown outcome, never a success. */
  const redisCall = async <T>(write: boolean, call: () => Promise<T>): Promise<T> => {
    requireRedis(write);
    try {
      return await call();
    } catch (err) {
      if (err instanceof HttpError) throw err;
      // Redis refused the command (OOM, READONLY, NOAUTH, ...) or it was never sent: the write
      // was definitely not applied, and the answer says so, so a client need not guess.
      const refused = refusalReason(err);
      if (refused) {
        throw unavailable(
          write
            ? `storage refused the write (${refused}); it was not applied`
            : `storage refused the read (${refused}); retry later`,
          write ? { outcome: "not-applied", reason: refused } : undefined,
        );
      }
      if (isCommandTimeout(err)) {
        deps.metrics.redisCommandTimeouts.inc();
        throw unavailable(
          write
            ? "storage did not confirm the write in time; its outcome is unknown, retry with the same Idempotency-Key"
            : "storage timed out; retry later",
          write ? { outcome: "unknown" } : undefined,
        );
      }
      throw unavailable(
        write
          ? "storage failed during the write; its outcome is unknown, retry with the same Idempotency-Key"
          : "storage is unavailable; retry later",
        write ? { outcome: "unknown" } : undefined,
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
    if (exceedsDepth(body)) throw badRequest(`the body nests deeper than ${MAX_JSON_DEPTH} levels`);
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

import { createHash } from "node:crypto";
import type { Cluster, Redis } from "ioredis";

/**
 * Where an item's keys live. Standalone: one index for all items. Cluster: a script may only
 * touch keys of one hash slot, so items are spread over INDEX_BUCKETS buckets by a hash of their
 * id; an item, its bucket's index and the Idempotency-Key records of writes to it share the
 * bucket's hash tag `{b<n>}` (https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags),
 * so every write is one script on one shard and a key is applied once.
 */
export const INDEX_BUCKETS = 16;

export interface KeyLayout {
  itemKey(id: string): string;
  indexKey(id: string): string;
  idempotencyKey(id: string, requestKey: string): string;
  /** The index keys a listing reads (one, or every bucket). */
  indexKeys(): string[];
}

export const STANDALONE_LAYOUT: KeyLayout = {
  itemKey: (id) => `item:${id}`,
  indexKey: () => "items:index",
  idempotencyKey: (_id, key) => `idempotency:${key}`,
  indexKeys: () => ["items:index"],
};

export function bucketOf(id: string): number {
  return createHash("sha256").update(id).digest().readUInt16BE(0) % INDEX_BUCKETS;
}

export const CLUSTER_LAYOUT: KeyLayout = {
  itemKey: (id) => `item:{b${bucketOf(id)}}:${id}`,
  indexKey: (id) => `items:{b${bucketOf(id)}}:index`,
  idempotencyKey: (id, key) => `idempotency:{b${bucketOf(id)}}:${key}`,
  indexKeys: () => Array.from({ length: INDEX_BUCKETS }, (_, bucket) => `items:{b${bucket}}:index`),
};

/** A write Redis applied but fewer replicas than required confirmed: its outcome is unknown. */
export class ReplicationError extends Error {
  constructor(
    readonly required: number,
    readonly confirmed: number,
  ) {
    super(`WAIT: ${confirmed} of ${required} replicas confirmed the write`);
    this.name = "ReplicationError";
  }
}

export interface StoreOptions {
  idempotencyTtlSeconds: number;
  layout?: KeyLayout;
  /** WAIT after each write for this many replicas (0: none) up to timeoutMs. */
  wait?: { replicas: number; timeoutMs: number };
}

// Writes run as one script: the item, the index and the idempotency record change together.
const PUT_SCRIPT = `
if ARGV[3] == '1' then
  local prior = redis.call('GET', KEYS[3])
  if prior then return {'replay', prior} end
end
local existed = redis.call('EXISTS', KEYS[1])
redis.call('SET', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], 0, ARGV[1])
local outcome = (existed == 1 and '200' or '201') .. '|' .. ARGV[4]
if ARGV[3] == '1' then redis.call('SET', KEYS[3], outcome, 'EX', tonumber(ARGV[5])) end
return {'applied', outcome}
`;

const DELETE_SCRIPT = `
local removed = redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return removed
`;

export interface PutResult {
  status: 200 | 201;
  /** true when an earlier request with the same Idempotency-Key already applied this write. */
  replayed: boolean;
  /** false when the Idempotency-Key was first used for a different request. */
  sameRequest: boolean;
}

export interface Page {
  items: { id: string; value: unknown }[];
  nextCursor: string | null;
}

type ScriptedRedis = (Redis | Cluster) & {
  putItem(...args: (string | number)[]): Promise<[string, string]>;
  deleteItem(...args: string[]): Promise<number>;
};

/** JSON items in Redis: a string per item plus a sorted-set index for stable, KEYS-free paging. */
export class ItemStore {
  private readonly redis: ScriptedRedis;
  private readonly layout: KeyLayout;
  private readonly idempotencyTtlSeconds: number;
  private readonly wait: { replicas: number; timeoutMs: number };

  constructor(redis: Redis | Cluster, options: StoreOptions) {
    redis.defineCommand("putItem", { numberOfKeys: 3, lua: PUT_SCRIPT });
    redis.defineCommand("deleteItem", { numberOfKeys: 2, lua: DELETE_SCRIPT });
    this.redis = redis as ScriptedRedis;
    this.layout = options.layout ?? STANDALONE_LAYOUT;
    this.idempotencyTtlSeconds = options.idempotencyTtlSeconds;
    this.wait = options.wait ?? { replicas: 0, timeoutMs: 0 };
  }

  async get(id: string): Promise<unknown | undefined> {
    const stored = await this.redis.get(this.layout.itemKey(id));
    return stored === null ? undefined : JSON.parse(stored);
  }

  /**
   * Runs a write script, then (with wait.replicas > 0) WAIT in the same pipeline: on the same
   * connection to the same node, so WAIT counts replicas that have this write. In a cluster the
   * pipeline goes to the node of the script's keys (WAIT has no key). Fewer confirmations than
   * required: ReplicationError, which the routes answer as "outcome unknown".
   */
  private async write<T>(
    direct: () => Promise<T>,
    queue: (pipeline: ScriptedPipeline) => void,
  ): Promise<T> {
    if (this.wait.replicas === 0) return direct();
    const pipeline = this.redis.pipeline() as unknown as ScriptedPipeline;
    queue(pipeline);
    pipeline.call("WAIT", String(this.wait.replicas), String(this.wait.timeoutMs));
    const results = await pipeline.exec();
    const result = firstResult<T>(results);
    const confirmed = Number(results?.[1]?.[1] ?? 0);
    if (results?.[1]?.[0] || confirmed < this.wait.replicas) {
      throw new ReplicationError(this.wait.replicas, confirmed);
    }
    return result;
  }

  async put(id: string, value: unknown, requestKey?: string): Promise<PutResult> {
    const body = JSON.stringify(value);
    const fingerprint = createHash("sha256").update(`${id}\n${body}`).digest("hex");
    const args = [
      this.layout.itemKey(id),
      this.layout.indexKey(id),
      this.layout.idempotencyKey(id, requestKey ?? ""),
      id,
      body,
      requestKey ? "1" : "0",
      fingerprint,
      this.idempotencyTtlSeconds,
    ];
    const [kind, outcome] = await this.write<[string, string]>(
      () => this.redis.putItem(...args),
      (pipeline) => pipeline.putItem(...args),
    );
    const [status, recordedFingerprint] = outcome.split("|");
    return {
      status: status === "201" ? 201 : 200,
      replayed: kind === "replay",
      sameRequest: recordedFingerprint === fingerprint,
    };
  }

  async delete(id: string): Promise<boolean> {
    const args = [this.layout.itemKey(id), this.layout.indexKey(id), id];
    const removed = await this.write<number>(
      () => this.redis.deleteItem(...args),
      (pipeline) => pipeline.deleteItem(...args),
    );
    return removed === 1;
  }

  /** A page in id order: the first `limit + 1` ids of each index, merged (one index standalone). */
  async list(cursor: string | undefined, limit: number): Promise<Page> {
    const start = cursor ? `(${cursor}` : "-";
    const perIndex = await Promise.all(
      this.layout
        .indexKeys()
        .map((index) => this.redis.zrangebylex(index, start, "+", "LIMIT", 0, limit + 1)),
    );
    const ids = perIndex.flat().sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const pageIds = ids.slice(0, limit);
    const keys = pageIds.map((id) => this.layout.itemKey(id));
    // One MGET when the keys share a node (standalone); one GET per key across shards.
    const values =
      keys.length === 0
        ? []
        : this.layout.indexKeys().length === 1
          ? await this.redis.mget(keys)
          : await Promise.all(keys.map((key) => this.redis.get(key)));
    const items = pageIds
      .map((id, index) => ({ id, stored: values[index] }))
      .filter((entry): entry is { id: string; stored: string } => entry.stored !== null)
      .map(({ id, stored }) => ({ id, value: JSON.parse(stored) as unknown }));
    return { items, nextCursor: ids.length > limit ? pageIds[pageIds.length - 1] : null };
  }
}

type ScriptedPipeline = {
  putItem(...args: (string | number)[]): ScriptedPipeline;
  deleteItem(...args: string[]): ScriptedPipeline;
  call(command: string, ...args: string[]): ScriptedPipeline;
  exec(): Promise<[Error | null, unknown][] | null>;
};

/** The script's reply, or its error (a pipeline reports errors per command). */
function firstResult<T>(results: [Error | null, unknown][] | null): T {
  if (!results || results.length === 0) throw new Error("the write got no reply");
  const [err, value] = results[0];
  if (err) throw err;
  return value as T;
}

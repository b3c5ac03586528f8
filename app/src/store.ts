import { createHash } from "node:crypto";
import type Redis from "ioredis";

const INDEX_KEY = "items:index";
const itemKey = (id: string) => `item:${id}`;
const idempotencyKey = (key: string) => `idempotency:${key}`;

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

type ScriptedRedis = Redis & {
  putItem(...args: (string | number)[]): Promise<[string, string]>;
  deleteItem(...args: string[]): Promise<number>;
};

/** JSON items in Redis: a string per item plus a sorted-set index for stable, KEYS-free paging. */
export class ItemStore {
  private readonly redis: ScriptedRedis;

  constructor(
    redis: Redis,
    private readonly idempotencyTtlSeconds: number,
  ) {
    redis.defineCommand("putItem", { numberOfKeys: 3, lua: PUT_SCRIPT });
    redis.defineCommand("deleteItem", { numberOfKeys: 2, lua: DELETE_SCRIPT });
    this.redis = redis as ScriptedRedis;
  }

  async get(id: string): Promise<unknown | undefined> {
    const stored = await this.redis.get(itemKey(id));
    return stored === null ? undefined : JSON.parse(stored);
  }

  async put(id: string, value: unknown, requestKey?: string): Promise<PutResult> {
    const body = JSON.stringify(value);
    const fingerprint = createHash("sha256").update(`${id}\n${body}`).digest("hex");
    const [kind, outcome] = await this.redis.putItem(
      itemKey(id),
      INDEX_KEY,
      idempotencyKey(requestKey ?? ""),
      id,
      body,
      requestKey ? "1" : "0",
      fingerprint,
      this.idempotencyTtlSeconds,
    );
    const [status, recordedFingerprint] = outcome.split("|");
    return {
      status: status === "201" ? 201 : 200,
      replayed: kind === "replay",
      sameRequest: recordedFingerprint === fingerprint,
    };
  }

  async delete(id: string): Promise<boolean> {
    return (await this.redis.deleteItem(itemKey(id), INDEX_KEY, id)) === 1;
  }

  async list(cursor: string | undefined, limit: number): Promise<Page> {
    const start = cursor ? `(${cursor}` : "-";
    const ids = await this.redis.zrangebylex(INDEX_KEY, start, "+", "LIMIT", 0, limit + 1);
    const pageIds = ids.slice(0, limit);
    const values = pageIds.length ? await this.redis.mget(pageIds.map(itemKey)) : [];
    const items = pageIds
      .map((id, index) => ({ id, stored: values[index] }))
      .filter((entry): entry is { id: string; stored: string } => entry.stored !== null)
      .map(({ id, stored }) => ({ id, value: JSON.parse(stored) as unknown }));
    return { items, nextCursor: ids.length > limit ? pageIds[pageIds.length - 1] : null };
  }
}

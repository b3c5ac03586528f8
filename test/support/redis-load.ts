import { request } from "./redis-netns";

export interface RequestOutcome {
  id: string;
  startedAt: number;
  elapsedMs: number;
  status: number;
}

export interface Load {
  outcomes: RequestOutcome[];
  /** Ids whose PUT was acknowledged (2xx): each must be in Redis afterwards. */
  acknowledged: string[];
  stop(): Promise<void>;
}

/**
 * A steady write load: `workers` loops, each PUTting new items one after another. Bounded by
 * maxDurationMs and maxRequests, so it stops by itself even if a test forgets to.
 */
export function startLoad(
  socketPath: string,
  label: string,
  workers = 4,
  maxDurationMs = 60_000,
  maxRequests = 200_000,
): Load {
  const outcomes: RequestOutcome[] = [];
  const acknowledged: string[] = [];
  const deadline = Date.now() + maxDurationMs;
  let running = true;
  let sequence = 0;
  const worker = async (workerId: number) => {
    while (running && Date.now() < deadline && sequence < maxRequests) {
      const id = `${label}-${workerId}-${sequence++}`;
      const startedAt = Date.now();
      const answer = await request(socketPath, "PUT", `/api/items/${id}`, {
        body: JSON.stringify({ id, at: startedAt }),
        timeoutMs: 10_000,
      });
      outcomes.push({ id, startedAt, elapsedMs: answer.elapsedMs, status: answer.status });
      if (answer.status >= 200 && answer.status < 300) acknowledged.push(id);
      // A failing dependency answers at once; pause briefly so the loop does not spin.
      if (answer.status !== 201) await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const loops = Array.from({ length: workers }, (_, index) => worker(index));
  return {
    outcomes,
    acknowledged,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

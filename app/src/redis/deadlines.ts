import type Redis from "ioredis";

/** ioredis' own message for a command that ran out of time (Command.setTimeout, ioredis 6.0.0). */
export const TIMEOUT_MESSAGE = "Command timed out";

interface QueuedCommand {
  command: { isSettled: boolean; reject: (err: Error) => void };
}

interface Queue {
  length: number;
  peekAt(index: number): QueuedCommand | undefined;
}

/**
 * Per-command deadlines for ioredis connections, kept by one periodic sweep instead of ioredis'
 * `commandTimeout`. That option arms and clears a timer for every command (Command.setTimeout and
 * _clearTimers in ioredis/built/Command.js), which `npm run bench:redis -- --mode cluster`
 * measured at a fifth of the healthy throughput. The sweep looks only at the commands still waiting
 * (a connection's commandQueue, written and unanswered, and its offlineQueue, which ioredis'
 * ConnectionPool enables for every cluster node), so its cost does not grow with the rate.
 *
 * A command fails with ioredis' own error once it has waited `timeoutMs`, counted from the sweep
 * that first saw it: never early, at most about two ticks late. As with `commandTimeout`, it stays in
 * its queue, so the reply that may still come is matched to it and dropped.
 */
export class CommandDeadlines {
  private readonly firstSeen = new WeakMap<QueuedCommand["command"], number>();
  private timer?: NodeJS.Timeout;
  readonly tickMs: number;

  constructor(
    private readonly timeoutMs: number,
    private readonly connections: () => Iterable<Redis>,
  ) {
    this.tickMs = Math.min(100, Math.max(5, Math.floor(timeoutMs / 10)));
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.sweep(Date.now()), this.tickMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Stamps the commands seen for the first time and fails those that waited too long. */
  sweep(now: number): void {
    for (const connection of this.connections()) {
      for (const queue of queuesOf(connection)) this.sweepQueue(queue, now);
    }
  }

  private sweepQueue(queue: Queue, now: number): void {
    for (let index = 0; index < queue.length; index++) {
      const command = queue.peekAt(index)?.command;
      if (!command || command.isSettled) continue;
      const seenAt = this.firstSeen.get(command);
      if (seenAt === undefined) this.firstSeen.set(command, now);
      else if (now - seenAt >= this.timeoutMs) command.reject(new Error(TIMEOUT_MESSAGE));
    }
  }
}

/** offlineQueue is private in ioredis' typings; both are Denque instances (ioredis/built/Redis.js). */
function queuesOf(connection: Redis): Queue[] {
  const { commandQueue, offlineQueue } = connection as unknown as {
    commandQueue?: Queue;
    offlineQueue?: Queue;
  };
  return [commandQueue, offlineQueue].filter((queue): queue is Queue => queue !== undefined);
}

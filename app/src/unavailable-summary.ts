import type { Logger } from "pino";

/** How often, at most, the summary of 503 answers is logged. */
export const SUMMARY_INTERVAL_MS = 10_000;

/**
 * 503 answers during a Redis outage, counted per reason and logged as one `warn` line per interval
 * instead of one line (with a stack) per request: a 5 s outage under load used to write thousands
 * of error lines. So at most two lines per interval: the first 503 with its reason, then the count. The connection itself logs each state change (down, up) once.
 */
export class UnavailableSummary {
  private counts = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private since = Date.now();

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = SUMMARY_INTERVAL_MS,
  ) {}

  /** The first 503 of a quiet period is logged at once with its reason; the rest go into the summary. */
  record(reason: string): void {
    if (!this.timer) {
      this.logger.warn({ reason }, "answering 503");
      this.since = Date.now();
      this.timer = setTimeout(() => this.flush(), this.intervalMs);
      this.timer.unref();
      return;
    }
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.counts.size === 0) return;
    const reasons = Object.fromEntries(this.counts);
    const total = [...this.counts.values()].reduce((a, b) => a + b, 0);
    this.counts = new Map();
    this.logger.warn(
      { answered503: total, reasons, seconds: Math.round((Date.now() - this.since) / 1000) },
      "requests answered 503",
    );
  }

  close(): void {
    this.flush();
  }
}

import { UsageError } from "../errors";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** How long an ephemeral environment may live: long enough to test, short enough to stay cheap. */
export const TTL_BOUNDS = { minMs: HOUR, maxMs: 7 * DAY, text: "1h to 7d" } as const;

/** Parses `8h`, `2d`, `1d12h`, `90m` into milliseconds within TTL_BOUNDS. */
export function parseTtl(text: string): number {
  const match = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/.exec(text.trim());
  if (!match || text.trim() === "") {
    throw new UsageError(
      `--ttl '${text}' is not a duration; use days, hours and minutes such as 8h, 2d, 1d12h or 90m (allowed ${TTL_BOUNDS.text})`,
    );
  }
  const [days, hours, minutes] = match.slice(1).map((part) => Number(part ?? 0));
  const ms = days * DAY + hours * HOUR + minutes * MINUTE;
  if (ms < TTL_BOUNDS.minMs || ms > TTL_BOUNDS.maxMs) {
    throw new UsageError(
      `--ttl '${text}' is ${formatDuration(ms)}; allowed ${TTL_BOUNDS.text} (e.g. 8h, 2d)`,
    );
  }
  return ms;
}

/** `2d 3h`, `7h 59m`, `12m`: the two largest units, for people. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / MINUTE));
  const parts: [number, string][] = [
    [Math.floor(total / (24 * 60)), "d"],
    [Math.floor(total / 60) % 24, "h"],
    [total % 60, "m"],
  ];
  const firstUsed = parts.findIndex(([value]) => value > 0);
  if (firstUsed === -1) return "0m";
  return parts
    .slice(firstUsed, firstUsed + 2)
    .filter(([value]) => value > 0)
    .map(([value, unit]) => `${value}${unit}`)
    .join(" ");
}

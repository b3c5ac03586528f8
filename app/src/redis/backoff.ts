/**
 * Reconnect delay for attempt n (1-based): exponential from baseMs, capped at maxMs, with "equal
 * jitter" (half fixed, half random) so that many pods do not reconnect in lockstep.
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempt, 1) - 1, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

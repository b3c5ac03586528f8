export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * A distribution-free 95% confidence interval for the median: the order statistics of ranks
 * n/2 ∓ 1.96·√n/2 (the sign test's interval, as in Conover, "Practical Nonparametric Statistics").
 */
export function medianInterval(values: number[]): [number, number] {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const spread = 0.98 * Math.sqrt(n);
  const lower = Math.max(0, Math.floor(n / 2 - spread) - 1);
  const upper = Math.min(n - 1, Math.ceil(1 + n / 2 + spread) - 1);
  return [sorted[lower], sorted[upper]];
}

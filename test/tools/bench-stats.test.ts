import { describe, expect, it } from "vitest";
import { median, medianInterval } from "../../bench/stats";

describe("bench statistics", () => {
  it("takes the middle value, or the mean of the middle two", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("gives the median's 95% interval as the order statistics of ranks n/2 ∓ 0.98·√n", () => {
    const values = Array.from({ length: 24 }, (_, index) => 24 - index); // 24..1, unsorted
    // n = 24: ranks floor(12 - 4.80) = 7 and ceil(13 + 4.80) = 18 (1-based).
    expect(medianInterval(values)).toEqual([7, 18]);
  });

  it("covers the true median of a skewed distribution about 95% of the time", () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const trueMedian = Math.log(2); // exponential distribution with rate 1
    let covered = 0;
    const trials = 2_000;
    for (let trial = 0; trial < trials; trial++) {
      const sample = Array.from({ length: 96 }, () => -Math.log(1 - random()));
      const [low, high] = medianInterval(sample);
      if (low <= trueMedian && trueMedian <= high) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.93);
    expect(covered / trials).toBeLessThan(0.99);
  });
});

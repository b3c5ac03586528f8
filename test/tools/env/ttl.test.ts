import { describe, expect, it } from "vitest";
import { formatDuration, parseTtl } from "../../../tools/env/ttl";

const HOUR = 3_600_000;

describe("TTL parsing", () => {
  it.each([
    ["8h", 8 * HOUR],
    ["1h", HOUR],
    ["90m", 1.5 * HOUR],
    ["2d", 48 * HOUR],
    ["1d12h", 36 * HOUR],
    ["7d", 168 * HOUR],
    [" 3h ", 3 * HOUR],
  ])("reads %s", (text, ms) => {
    expect(parseTtl(text)).toBe(ms);
  });

  it.each(["59m", "0h", "7d1m", "8d", "200h"])("refuses %s: outside 1h to 7d", (text) => {
    expect(() => parseTtl(text)).toThrow(/allowed 1h to 7d/);
  });

  it.each(["", "8", "8 hours", "h8", "1.5h", "-2h", "2h1d"])(
    "refuses '%s': not a duration",
    (text) => {
      expect(() => parseTtl(text)).toThrow(/--ttl .* is not a duration; use .*8h/);
    },
  );

  it("fails as a usage error (exit code 2)", () => {
    expect(() => parseTtl("9d")).toThrow(expect.objectContaining({ exitCode: 2 }));
  });
});

describe("durations for people", () => {
  it.each([
    [0, "0m"],
    [59_999, "0m"],
    [5 * 60_000, "5m"],
    [8 * HOUR - 60_000, "7h 59m"],
    [26 * HOUR + 5 * 60_000, "1d 2h"],
    [48 * HOUR + 30 * 60_000, "2d"],
  ])("%d ms is %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

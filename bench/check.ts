/* npm run bench:check [-- --runs 3]: wall time of `npm run check` as a user runs it, warm and cold,
   and 10,000 resources end to end with the peak memory of every process of the run. */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseFlags, runCli } from "../tools/cli";
import { PROJECT_ROOT } from "../tools/engine";

const USAGE = "usage: npm run bench:check -- [--runs 3]";
const MANY = path.join(PROJECT_ROOT, "test/fixtures/engine/many-resources");

interface Timed {
  ms: number;
  code: number | null;
  /** Peak resident memory of the largest process of the run (GNU time's %M), in MB. */
  peakMb?: number;
}

/** One `check` run under GNU time (peak memory), with extra environment. */
function timeCheck(args: string[], env: NodeJS.ProcessEnv = {}): Timed {
  const started = performance.now();
  const result = spawnSync(
    "/usr/bin/time",
    [
      "-f",
      "%M",
      process.execPath,
      "--import",
      "tsx",
      "tools/commands/check.ts",
      ...args,
      "--format",
      "json",
    ],
    { cwd: PROJECT_ROOT, encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 1 << 30 },
  );
  const ms = performance.now() - started;
  const lastLine = result.stderr.trim().split("\n").pop() ?? "";
  const kb = Number(lastLine);
  return { ms, code: result.status, peakMb: Number.isFinite(kb) ? kb / 1024 : undefined };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<number> {
  const flags = parseFlags(
    process.argv.slice(2),
    { runs: { type: "string", default: "3" } },
    USAGE,
  );
  const runs = Number(flags.runs);
  execFileSync("which", ["time"]);
  timeCheck(["--stack", "prod"]); // warm the caches
  const warm = Array.from({ length: runs }, () => timeCheck(["--stack", "prod"]).ms);
  console.log(
    `check --stack prod, warm: median ${median(warm).toFixed(0)} ms of ${runs} (${warm.map((ms) => ms.toFixed(0)).join(", ")}; target <= 3000)`,
  );
  // Cold: the pack's ts-node compile cache and tsx's cache empty, as right after `npm ci`.
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), "bench-cold-"));
  const cold = timeCheck(["--stack", "prod"], {
    TS_NODE_CACHE_DIRECTORY: path.join(empty, "ts-node"),
    TSX_DISABLE_CACHE: "1",
  });
  fs.rmSync(empty, { recursive: true, force: true });
  console.log(`check --stack prod, cold caches: ${cold.ms.toFixed(0)} ms (target <= 8000)`);
  const many = timeCheck(["--stack", "test", "--program", MANY]);
  console.log(
    `check of 10,000 resources end to end: ${(many.ms / 1000).toFixed(1)} s, exit ${many.code}, ` +
      `peak ${many.peakMb?.toFixed(0) ?? "?"} MB in its largest process (targets <= 30 s, <= 1500 MB)`,
  );
  return 0;
}

runCli("bench:check", main, USAGE);

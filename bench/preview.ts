/* npm run bench:preview [-- --runs 5 --stack prod]: wall time of the offline preview, as a user runs it. */
import { spawnSync } from "node:child_process";
import { median } from "./stats";
import { parseFlags, runCli } from "../tools/cli";
import { PROJECT_ROOT } from "../tools/engine";

const USAGE = "usage: npm run bench:preview -- [--runs 5] [--stack prod]";

function timePreview(stack: string): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", "tools/commands/preview.ts", "--stack", stack, "--format", "json"],
    { cwd: PROJECT_ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0)
    throw new Error(`preview failed (exit ${result.status}): ${result.stderr}`);
  JSON.parse(result.stdout); // a run only counts when it produced the whole document
  return elapsedMs;
}

async function main(): Promise<number> {
  const flags = parseFlags(
    process.argv.slice(2),
    { runs: { type: "string", default: "5" }, stack: { type: "string", default: "prod" } },
    USAGE,
  );
  const runs = Number(flags.runs);
  const stack = flags.stack as string;
  process.stderr.write(`bench:preview: warm-up run (fills the OS file cache)\n`);
  timePreview(stack);
  const times: number[] = [];
  for (let run = 1; run <= runs; run++) {
    times.push(timePreview(stack));
    process.stderr.write(
      `bench:preview: run ${run}/${runs}: ${(times[run - 1] / 1000).toFixed(2)} s\n`,
    );
  }
  const result = median(times) / 1000;
  console.log(
    `preview of stack '${stack}': tsx tools/commands/preview.ts --stack ${stack} --format json (what npm run preview runs), process start to exit`,
  );
  console.log(`runs: ${times.map((ms) => (ms / 1000).toFixed(2)).join(" s, ")} s`);
  console.log(`median of ${runs}: ${result.toFixed(2)} s (target <= 5 s)`);
  return 0;
}

runCli("bench:preview", main);

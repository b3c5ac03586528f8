/* npm run preview -- --stack <name> [--program <dir>] [--format table|json] */
import { parseFlags, progress, requireChoice, runCli } from "./cli";
import { runProgram } from "./engine";
import { UsageError } from "./errors";
import { outputViews, resourceViews } from "./report/resources";
import { renderTree } from "./report/tree";

const USAGE = "usage: npm run preview -- --stack <name> [--program <dir>] [--format table|json]";
const FORMATS = ["table", "json"] as const;

async function main(): Promise<number> {
  const flags = parseFlags(
    process.argv.slice(2),
    {
      stack: { type: "string" },
      program: { type: "string" },
      format: { type: "string", default: "table" },
    },
    USAGE,
  );
  if (!flags.stack) throw new UsageError(`--stack is required\n${USAGE}`);
  const format = requireChoice("format", flags.format as string, FORMATS);
  const started = Date.now();
  progress(
    "preview",
    `running ${flags.program ?? "this project"} for stack '${flags.stack}' under mocks`,
  );
  const recorded = await runProgram({ stack: flags.stack, programDir: flags.program });
  progress(
    "preview",
    `recorded ${recorded.resources.length} resources in ${Date.now() - started} ms`,
  );
  if (format === "json") {
    const document = {
      stack: recorded.stack,
      project: recorded.project,
      resources: resourceViews(recorded.resources),
      outputs: outputViews(recorded),
    };
    process.stdout.write(JSON.stringify(document, null, 2) + "\n");
  } else {
    process.stdout.write(renderTree(recorded));
  }
  return 0;
}

runCli("preview", main);

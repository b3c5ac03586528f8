/* npm run preview -- --stack <name> [options]: see HELP (npm run preview -- --help) */
import { parseFlags, progress, requireChoice, runCli, userPath } from "../cli";
import { DEFAULT_TIMEOUT_SECONDS, runProgram } from "../engine";
import { UsageError } from "../errors";
import { outputViews, resourceViews } from "../report/resources";
import { renderTree } from "../report/tree";

const HELP = `usage: npm run preview -- --stack <name> [options]

Runs a Pulumi TypeScript program offline under mocks and shows what it registers: the resource
tree, counts per type and the stack outputs (secrets masked).

Options:
  --stack <name>       the stack (its Pulumi.<name>.yaml is read); required
  --program <dir>      the Pulumi project (default: this platform), relative to where you ran it
  --resolved           computed outputs take mock values instead of being unknown (preview)
  --timeout <seconds>  stop the program after this long (default ${DEFAULT_TIMEOUT_SECONDS})
  --format table|json  output format (default table)
  --help               this text

Exit codes: 0 the program ran; 2 usage error, or the program failed or timed out.
`;
const FORMATS = ["table", "json"] as const;

async function main(): Promise<number> {
  const flags = parseFlags(
    process.argv.slice(2),
    {
      stack: { type: "string" },
      program: { type: "string" },
      format: { type: "string", default: "table" },
      resolved: { type: "boolean", default: false },
      timeout: { type: "string" },
    },
    HELP,
  );
  if (!flags.stack) throw new UsageError(`--stack is required\n${HELP}`);
  const format = requireChoice("format", flags.format as string, FORMATS);
  const timeoutSeconds = flags.timeout === undefined ? undefined : Number(flags.timeout);
  if (timeoutSeconds !== undefined && !(timeoutSeconds > 0)) {
    throw new UsageError(`--timeout '${flags.timeout}' is not a number of seconds greater than 0`);
  }
  const started = Date.now();
  const programDir = flags.program ? userPath(flags.program) : undefined;
  progress(
    "preview",
    `running ${programDir ?? "this project"} for stack '${flags.stack}' under mocks`,
  );
  const recorded = await runProgram({
    stack: flags.stack,
    programDir,
    mode: flags.resolved ? "resolved" : "preview",
    timeoutSeconds,
  });
  progress(
    "preview",
    `recorded ${recorded.resources.length} resources in ${Date.now() - started} ms`,
  );
  if (format === "json") {
    const document = {
      stack: recorded.stack,
      project: recorded.project,
      mode: recorded.mode,
      resources: resourceViews(recorded.resources),
      outputs: outputViews(recorded),
    };
    process.stdout.write(JSON.stringify(document, null, 2) + "\n");
  } else {
    process.stdout.write(renderTree(recorded));
  }
  return 0;
}

runCli("preview", main, HELP);

/* npm run check -- --stack <name> [--program <dir>] [--policy-config <file>] [--format table|json|sarif] [--out <file>] */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  DEFAULT_PACK_DIR,
  PolicySession,
  readPolicyConfigFile,
  type PolicyPackConfig,
} from "./analyzer";
import { parseFlags, progress, requireChoice, runCli } from "./cli";
import { loadProjectStack, PROJECT_ROOT, runProgram } from "./engine";
import { UsageError } from "./errors";
import {
  buildReport,
  mandatoryViolations,
  renderJson,
  renderTable,
  summaryLine,
} from "./report/check";
import { renderSarif } from "./report/sarif";

const USAGE =
  "usage: npm run check -- --stack <name> [--program <dir>] [--policy-config <file>] " +
  "[--format table|json|sarif] [--out <file>]";
const FORMATS = ["table", "json", "sarif"] as const;

/** The stack's own policy config (`policy-pack/config/<stack>.json`) unless one is named. */
function policyConfigFor(stack: string, named: string | undefined) {
  const file = named ?? path.join(DEFAULT_PACK_DIR, "config", `${stack}.json`);
  if (!named && !fs.existsSync(file)) return { config: {} as PolicyPackConfig, file: undefined };
  return { config: readPolicyConfigFile(file), file: path.relative(process.cwd(), file) };
}

async function main(): Promise<number> {
  const flags = parseFlags(
    process.argv.slice(2),
    {
      stack: { type: "string" },
      program: { type: "string" },
      "policy-config": { type: "string" },
      format: { type: "string", default: "table" },
      out: { type: "string" },
    },
    USAGE,
  );
  if (!flags.stack) throw new UsageError(`--stack is required\n${USAGE}`);
  const stack = flags.stack;
  const format = requireChoice("format", flags.format as string, FORMATS);
  const programDir = path.resolve(flags.program ?? PROJECT_ROOT);
  // Usage problems first, before anything slow starts.
  const project = loadProjectStack(programDir, stack);
  const policyConfig = policyConfigFor(stack, flags["policy-config"]);
  if (!policyConfig.file) {
    progress("check", `no policy config for '${stack}': the pack's default levels apply`);
  }

  progress(
    "check",
    `running ${path.relative(process.cwd(), programDir) || "."} for stack '${stack}' under mocks and starting the policy pack`,
  );
  const started = Date.now();
  const sessionStarting = PolicySession.start({
    stack,
    project: project.projectName,
    stackConfig: project.config,
  });
  const [recorded, session] = await Promise.all([
    runProgram({ stack, programDir }).catch(async (err) => {
      await sessionStarting.then((running) => running.close()).catch(() => undefined);
      throw err;
    }),
    sessionStarting,
  ]);
  try {
    progress(
      "check",
      `recorded ${recorded.resources.length} resources; pack ${session.pack.name}@${session.pack.version} ` +
        `(${session.pack.policies.length} policies) started in ${session.startupMs} ms`,
    );
    const settings = await session.configure(
      policyConfig.config,
      policyConfig.file ?? "policy config",
    );
    const analyzeStarted = Date.now();
    const diagnostics = await session.analyze(recorded.resources);
    progress(
      "check",
      `analyzed ${recorded.resources.length} resources in ${Date.now() - analyzeStarted} ms (total ${Date.now() - started} ms)`,
    );
    const report = buildReport({
      recorded,
      pack: session.pack,
      settings,
      diagnostics,
      policyConfigFile: policyConfig.file,
      stackConfigFile: project.stackConfigFile,
    });
    const rendered =
      format === "json"
        ? renderJson(report)
        : format === "sarif"
          ? renderSarif(report)
          : renderTable(report);
    if (flags.out) {
      fs.writeFileSync(flags.out, rendered);
      progress("check", `wrote ${format} report to ${flags.out}`);
    } else {
      process.stdout.write(rendered);
    }
    if (format !== "table" || flags.out) progress("check", summaryLine(report));
    return mandatoryViolations(report).length > 0 ? 1 : 0;
  } finally {
    await session.close();
  }
}

runCli("check", main);

/* npm run check -- --stack <name> [options]: see HELP (npm run check -- --help) */
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_PACK_DIR, readPolicyConfigFile, type PolicyPackConfig } from "../analyzer";
import { parseFlags, progress, requireChoice, requireWritable, runCli, userPath } from "../cli";
import {
  DEFAULT_TIMEOUT_SECONDS,
  loadProjectName,
  loadProjectStack,
  PROJECT_ROOT,
  type ProjectStack,
} from "../engine";
import { EPHEMERAL_POLICY_CONFIG, ephemeralTagsOf } from "../env/tags";
import { UsageError } from "../errors";
import { checkStack } from "../policy-check";
import { mandatoryViolations, renderJson, renderTable, summaryLine } from "../report/check-report";
import { renderSarif, repositoryRoot } from "../report/sarif";

const HELP = `usage: npm run check -- --stack <name> [options]

Runs a Pulumi TypeScript program offline under mocks, as \`pulumi preview\` would, and checks every
resource it registers with the policy pack through the pack's analyzer service.

Options:
  --stack <name>           the stack (its Pulumi.<name>.yaml is read); required
  --program <dir>          the Pulumi project to check (default: this platform); relative paths
                           resolve against the directory you ran the command in
  --policy-config <file>   levels and thresholds (--policy-pack-config format); default: this
                           platform's policy-pack/config/<stack>.json for its own stacks, else the
                           pack's default levels
  --resolved               computed outputs take mock values instead of being unknown
  --timeout <seconds>      stop the program after this long (default ${DEFAULT_TIMEOUT_SECONDS})
  --format table|json|sarif  report format (default table)
  --out <file>             write the report to a file instead of stdout
  --help                   this text

Modes:
  preview (default)        as \`pulumi preview\` of a new stack: values providers compute are
                           unknown; a policy that reads one reports "unknown at preview" (not
                           checked, not passed), and mandatory ones are listed as not verified
  --resolved               every output has a mock value: what the program would send at \`up\`

Exit codes:
  0  the program and the pack completed; no mandatory violation
  1  the program and the pack completed; at least one mandatory violation
  2  usage error, the program failed or timed out, or the pack or the protocol failed
`;
const FORMATS = ["table", "json", "sarif"] as const;

/** The platform's own project name: its policy configs are for its own stacks only. */
const PLATFORM_PROJECT = loadProjectName(PROJECT_ROOT);

/**
 * The named policy config, else, for this platform's own stacks, the stack's own
 * (`policy-pack/config/<stack>.json`) or for an ephemeral stack the ephemeral one, else none (the
 * pack's defaults). A foreign program never gets the platform's per-stack levels by name alone.
 */
function policyConfigFor(project: ProjectStack, named: string | undefined) {
  const own = path.join(DEFAULT_PACK_DIR, "config", `${project.stack}.json`);
  const isPlatform = project.projectName === PLATFORM_PROJECT;
  const file =
    named ??
    (isPlatform && fs.existsSync(own) ? own : undefined) ??
    (isPlatform && ephemeralTagsOf(project.config) ? EPHEMERAL_POLICY_CONFIG : undefined);
  if (!file) return { config: {} as PolicyPackConfig, file: undefined };
  return { config: readPolicyConfigFile(file), file: path.relative(process.cwd(), file) };
}

function timeoutSeconds(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_SECONDS;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`--timeout '${value}' is not a number of seconds greater than 0`);
  }
  return seconds;
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
      resolved: { type: "boolean", default: false },
      timeout: { type: "string" },
    },
    HELP,
  );
  if (!flags.stack) throw new UsageError(`--stack is required\n${HELP}`);
  const stack = flags.stack;
  const format = requireChoice("format", flags.format as string, FORMATS);
  const programDir = flags.program ? userPath(flags.program) : PROJECT_ROOT;
  const out = flags.out ? userPath(flags.out) : undefined;
  const policyConfigPath = flags["policy-config"] ? userPath(flags["policy-config"]) : undefined;
  // Usage problems first, before anything slow starts.
  const timeout = timeoutSeconds(flags.timeout);
  if (out) requireWritable("out", out);
  const project = loadProjectStack(programDir, stack);
  const policyConfig = policyConfigFor(project, policyConfigPath);
  if (!policyConfig.file) {
    progress("check", `no policy config for '${stack}': the pack's default levels apply`);
  }

  const report = await checkStack({
    command: "check",
    stack,
    programDir,
    policyConfig: policyConfig.config,
    policyConfigFile: policyConfig.file,
    mode: flags.resolved ? "resolved" : "preview",
    timeoutSeconds: timeout,
  });
  for (const warning of report.warnings) progress("check", `warning: ${warning}`);
  const rendered =
    format === "json"
      ? renderJson(report)
      : format === "sarif"
        ? renderSarif(report, repositoryRoot(programDir))
        : renderTable(report);
  if (out) {
    fs.writeFileSync(out, rendered);
    progress("check", `wrote ${format} report to ${out}`);
  } else {
    process.stdout.write(rendered);
  }
  if (format !== "table" || out) progress("check", summaryLine(report));
  return mandatoryViolations(report).length > 0 ? 1 : 0;
}

runCli("check", main, HELP);

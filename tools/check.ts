/* npm run check -- --stack <name> [--program <dir>] [--policy-config <file>] [--format table|json|sarif] [--out <file>] */
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_PACK_DIR, readPolicyConfigFile, type PolicyPackConfig } from "./analyzer";
import { parseFlags, progress, requireChoice, runCli } from "./cli";
import { loadProjectStack, PROJECT_ROOT, type ProjectStack } from "./engine";
import { EPHEMERAL_POLICY_CONFIG, ephemeralTagsOf } from "./env/stack";
import { UsageError } from "./errors";
import { checkStack } from "./policy-check";
import { mandatoryViolations, renderJson, renderTable, summaryLine } from "./report/check";
import { renderSarif } from "./report/sarif";

const USAGE =
  "usage: npm run check -- --stack <name> [--program <dir>] [--policy-config <file>] " +
  "[--format table|json|sarif] [--out <file>]";
const FORMATS = ["table", "json", "sarif"] as const;

/**
 * The named policy config, else the stack's own (`policy-pack/config/<stack>.json`), else for an
 * ephemeral stack the ephemeral one, else none (the pack's defaults).
 */
function policyConfigFor(project: ProjectStack, named: string | undefined) {
  const own = path.join(DEFAULT_PACK_DIR, "config", `${project.stack}.json`);
  const file =
    named ??
    (fs.existsSync(own) ? own : undefined) ??
    (ephemeralTagsOf(project.config) ? EPHEMERAL_POLICY_CONFIG : undefined);
  if (!file) return { config: {} as PolicyPackConfig, file: undefined };
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
  const policyConfig = policyConfigFor(project, flags["policy-config"]);
  if (!policyConfig.file) {
    progress("check", `no policy config for '${stack}': the pack's default levels apply`);
  }

  const report = await checkStack({
    command: "check",
    stack,
    programDir,
    policyConfig: policyConfig.config,
    policyConfigFile: policyConfig.file,
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
}

runCli("check", main);

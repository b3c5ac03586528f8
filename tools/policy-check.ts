import * as path from "node:path";
import { PolicySession, type PolicyPackConfig } from "./analyzer";
import { progress } from "./cli";
import {
  loadProjectStack,
  PROJECT_ROOT,
  runProgram,
  type EngineMode,
  type StackDocument,
} from "./engine";
import { plainTextCredentialWarnings } from "./engine/credentials";
import { buildReport, type CheckReport } from "./report/check";
import { computeCoverage } from "./report/coverage";
import { controlsForType } from "./report/pack-coverage";

export interface CheckOptions {
  /** The command whose progress lines this is (`check`, `env`). */
  command: string;
  stack: string;
  programDir?: string;
  /** The stack file's content when it is not written (yet). */
  stackDocument?: StackDocument;
  policyConfig: PolicyPackConfig;
  /** Where the policy config came from, for the report; undefined: the pack's default levels. */
  policyConfigFile?: string;
  /** `preview` (default) or `resolved`. */
  mode?: EngineMode;
  timeoutSeconds?: number;
}

/**
 * The offline preview and policy check: runs the program under mocks while the pack starts, then
 * sends every recorded resource through the pack's analyzer service, as `pulumi preview
 * --policy-pack` would.
 */
export async function checkStack(options: CheckOptions): Promise<CheckReport> {
  const { command, stack, stackDocument } = options;
  const mode = options.mode ?? "preview";
  const programDir = path.resolve(options.programDir ?? PROJECT_ROOT);
  const project = loadProjectStack(programDir, stack, stackDocument);
  progress(
    command,
    `running ${path.relative(process.cwd(), programDir) || "."} for stack '${stack}' under mocks (${mode}) and starting the policy pack`,
  );
  const started = Date.now();
  const sessionStarting = PolicySession.start({
    stack,
    project: project.projectName,
    stackConfig: project.config,
  });
  const [recorded, session] = await Promise.all([
    runProgram({
      stack,
      programDir,
      stackDocument,
      mode,
      timeoutSeconds: options.timeoutSeconds,
    }).catch(async (err) => {
      await sessionStarting.then((running) => running.close()).catch(() => undefined);
      throw err;
    }),
    sessionStarting,
  ]);
  try {
    progress(
      command,
      `recorded ${recorded.resources.length} resources; pack ${session.pack.name}@${session.pack.version} ` +
        `(${session.pack.policies.length} policies) started in ${session.startupMs} ms`,
    );
    const settings = await session.configure(
      options.policyConfig,
      options.policyConfigFile ?? "policy config",
    );
    const analyzeStarted = Date.now();
    const diagnostics = await session.analyze(recorded.resources);
    progress(
      command,
      `analyzed ${recorded.resources.length} resources in ${Date.now() - analyzeStarted} ms (total ${Date.now() - started} ms)`,
    );
    return buildReport({
      recorded,
      pack: session.pack,
      settings,
      diagnostics,
      coverage: computeCoverage(recorded.resources, controlsForType),
      warnings: plainTextCredentialWarnings(project),
      policyConfigFile: options.policyConfigFile,
      stackConfigFile: project.stackConfigFile,
    });
  } finally {
    await session.close();
  }
}

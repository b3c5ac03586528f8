import * as path from "node:path";
import { PolicySession, type PolicyPackConfig } from "./analyzer";
import { progress } from "./cli";
import {
  loadProjectStack,
  PROJECT_ROOT,
  runProgram,
  type EngineMode,
  type RecordedStack,
  type ResourceRecord,
  type StackDocument,
} from "./engine";
import { plainTextCredentialWarnings } from "./engine/credentials";
import { buildReport, type CheckReport } from "./report/check-report";
import { computeCoverage } from "./report/coverage";

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
 * The offline preview and policy check: runs the program under mocks while the pack starts, sends
 * each resource through the pack's Analyze as the program registers it, then the whole stack
 * through AnalyzeStack, as `pulumi preview --policy-pack` does.
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
  // The pack is configured before its first Analyze, then analyzes each resource as the program
  // registers it (the CLI analyzes every registration during the preview), and the whole stack
  // once the program has finished.
  const prepared = sessionStarting.then(async (session) => {
    try {
      const settings = await session.configure(
        options.policyConfig,
        options.policyConfigFile ?? "policy config",
      );
      return { session, settings, analyzing: session.analyzeAsRegistered() };
    } catch (err) {
      await session.close();
      throw err;
    }
  });
  prepared.catch(() => undefined); // reported once the program has finished
  let streamed = 0;
  const onResource = (resource: ResourceRecord) => {
    streamed++;
    prepared.then(
      ({ analyzing }) => analyzing.push(resource),
      () => undefined,
    );
  };
  const programRun = runProgram({
    stack,
    programDir,
    stackDocument,
    mode,
    timeoutSeconds: options.timeoutSeconds,
    onResource,
  });
  // The pack's control map for the coverage section (its 60 modules) loads while the program
  // runs, not before the program starts.
  const packCoverage = import("./report/pack-coverage");
  packCoverage.catch(() => undefined);
  let recorded: RecordedStack;
  try {
    recorded = await programRun;
  } catch (err) {
    await prepared.then(({ session }) => session.close()).catch(() => undefined);
    throw err;
  }
  const { session, settings, analyzing } = await prepared;
  try {
    progress(
      command,
      `recorded ${recorded.resources.length} resources; pack ${session.pack.name}@${session.pack.version} ` +
        `(${session.pack.policies.length} policies) started in ${session.startupMs} ms`,
    );
    recorded.resources.slice(streamed).forEach((resource) => analyzing.push(resource));
    const analyzeStarted = Date.now();
    const diagnostics = [
      ...(await analyzing.finish()),
      ...(await session.analyzeStack(recorded.resources)),
    ];
    progress(
      command,
      `analyzed ${recorded.resources.length} resources, the last ${Date.now() - analyzeStarted} ms after the program (total ${Date.now() - started} ms)`,
    );
    return buildReport({
      recorded,
      pack: session.pack,
      settings,
      diagnostics,
      coverage: computeCoverage(recorded.resources, (await packCoverage).controlsForType),
      warnings: plainTextCredentialWarnings(project),
      policyConfigFile: options.policyConfigFile,
      stackConfigFile: project.stackConfigFile,
    });
  } finally {
    await session.close();
  }
}

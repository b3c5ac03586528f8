import * as path from "node:path";
import { ProgramError, errorMessage } from "../errors";
import { mockCall, mockNewResource } from "./mocks";
import { ProjectStack } from "./project";

/** One resource as `pulumi preview` sees it when the program registers it. */
export interface ResourceRecord {
  urn: string;
  type: string;
  name: string;
  /** true for provider resources (custom), false for components. */
  custom: boolean;
  id: string;
  /** URN of the parent resource, "" at the top level (mocks create no root Stack resource). */
  parent: string;
  /** Provider reference (`urn::id`) when the resource names one explicitly. */
  provider: string;
  /** Inputs in the engine's wire format: secrets stay wrapped in their signature object. */
  inputs: Record<string, unknown>;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
}

export interface StackOutput {
  value: unknown;
  secret: boolean;
}

export interface RecordedStack {
  stack: string;
  project: string;
  resources: ResourceRecord[];
  outputs: Record<string, StackOutput>;
}

/* Internal shapes of @pulumi/pulumi's mock monitor (pinned version; covered by test/tools). */
interface StructLike {
  toJavaScript(): Record<string, unknown>;
}
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProvider(): string;
  getObject(): StructLike | undefined;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): {
    forEach(fn: (deps: { getUrnsList(): string[] }, key: string) => void): void;
  };
}
interface RegisterResponse {
  getUrn(): string;
  getId(): string;
}
type Callback<T> = (err: Error | null, response?: T) => void;
interface MockMonitorLike {
  registerResource(req: RegisterRequest, callback: Callback<RegisterResponse>): Promise<void>;
}

function propertyDependencies(req: RegisterRequest): Record<string, string[]> {
  const deps: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((value, key) => {
    deps[key] = value.getUrnsList();
  });
  return deps;
}

function toRecord(req: RegisterRequest, res: RegisterResponse): ResourceRecord {
  return {
    urn: res.getUrn(),
    type: req.getType(),
    name: req.getName(),
    custom: req.getCustom(),
    id: res.getId(),
    parent: req.getParent(),
    provider: req.getProvider(),
    inputs: req.getObject()?.toJavaScript() ?? {},
    dependencies: req.getDependenciesList(),
    propertyDependencies: propertyDependencies(req),
  };
}

function recordRegistrations(monitor: MockMonitorLike, sink: ResourceRecord[]): void {
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) =>
    register(req, (err, res) => {
      if (!err && res) sink.push(toRecord(req, res));
      callback(err, res);
    });
}

/** The Pulumi SDK the program itself loads, so mocks land on the same runtime instance. */
function requireFromProgram<T>(programDir: string, request: string): T {
  const resolved = require.resolve(request, { paths: [programDir] });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(resolved) as T;
}

interface PulumiSdk {
  runtime: {
    setMocks(mocks: object, project: string, stack: string, preview: boolean): Promise<void>;
    setAllConfig(config: Record<string, string>, secretKeys?: string[]): void;
    disconnect(): Promise<void>;
  };
  output(value: unknown): {
    apply<U>(fn: (v: unknown) => U): unknown;
    isSecret: Promise<boolean>;
    promise(): Promise<unknown>;
  };
}
interface SettingsModule {
  getMonitor(): unknown;
}

async function resolveOutputs(
  pulumi: PulumiSdk,
  exported: Record<string, unknown>,
): Promise<Record<string, StackOutput>> {
  const outputs: Record<string, StackOutput> = {};
  for (const [key, value] of Object.entries(exported)) {
    if (key === "__esModule") continue;
    const output = pulumi.output(value);
    outputs[key] = { value: await output.promise(), secret: await output.isSecret };
  }
  return outputs;
}

/**
 * Runs a Pulumi program in this process under mocks and records every resource it registers.
 * Pulumi's runtime is process-global: call this once per process (see runProgram for isolation).
 */
export async function recordProgram(project: ProjectStack): Promise<RecordedStack> {
  const pulumi = requireFromProgram<PulumiSdk>(project.programDir, "@pulumi/pulumi");
  const settings = requireFromProgram<SettingsModule>(
    project.programDir,
    "@pulumi/pulumi/runtime/settings",
  );
  const failures: unknown[] = [];
  const onRejection = (reason: unknown) => failures.push(reason);
  process.on("unhandledRejection", onRejection);

  // preview=false: mocks resolve every output, so policies see concrete values, not unknowns.
  await pulumi.runtime.setMocks(
    {
      newResource: mockNewResource,
      call: mockCall,
    },
    project.projectName,
    project.stack,
    false,
  );
  pulumi.runtime.setAllConfig(project.config, project.secretKeys);
  const resources: ResourceRecord[] = [];
  recordRegistrations(settings.getMonitor() as MockMonitorLike, resources);

  try {
    const previousCwd = process.cwd();
    process.chdir(project.programDir);
    let exported: Record<string, unknown>;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      exported = require(path.resolve(project.entryPoint)) as Record<string, unknown>;
    } finally {
      process.chdir(previousCwd);
    }
    const outputs = await resolveOutputs(pulumi, exported);
    await pulumi.runtime.disconnect();
    if (failures.length > 0) throw failures[0];
    return { stack: project.stack, project: project.projectName, resources, outputs };
  } catch (err) {
    throw new ProgramError(
      `the Pulumi program in ${project.programDir} failed: ${errorMessage(err)}`,
    );
  } finally {
    process.off("unhandledRejection", onRejection);
  }
}

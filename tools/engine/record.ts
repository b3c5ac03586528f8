import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { ProgramError } from "../errors";
import { isModelledInvoke, mockCall, mockNewResource, type EngineMode } from "./mocks";
import { ProjectStack } from "./project";
import { programFailure } from "./failure";
import { isWireSecret } from "../secrets";

/**
 * Runs a Pulumi program in this process the way the Pulumi Node.js language host does
 * (`@pulumi/pulumi/cmd/run/run.js` at the pinned version: load the entry point, call it when it
 * exports a function, run it inside `runInPulumiStack`, treat every uncaught exception and unhandled
 * rejection as a failure), with a mock resource monitor that records every registration.
 */

/** One resource as `pulumi preview` sees it when the program registers it. */
export interface ResourceRecord {
  urn: string;
  type: string;
  name: string;
  /** true for provider resources (custom), false for components. */
  custom: boolean;
  id: string;
  /** URN of the parent resource: the root stack for top-level resources, as in the real engine. */
  parent: string;
  /** Provider reference (`urn::id`) when the resource names one explicitly. */
  provider: string;
  /** Inputs in the engine's wire format: secrets and resource references keep their signatures. */
  inputs: Record<string, unknown>;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
}

export interface StackOutput {
  /** The value in the engine's wire format (unknowns as the unknown sentinel), secrets unwrapped. */
  value: unknown;
  secret: boolean;
}

export interface RecordedStack {
  stack: string;
  project: string;
  mode: EngineMode;
  resources: ResourceRecord[];
  outputs: Record<string, StackOutput>;
}

/** The root resource type; the engine leaves it out of its children's URNs. */
export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

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
interface OutputsRequest {
  getUrn(): string;
  getOutputs(): StructLike | undefined;
}
interface InvokeRequest {
  getTok(): string;
}
interface InvokeResponse {
  setUnknown(unknown: boolean): void;
}
type Callback<T> = (err: Error | null, response?: T) => void;
interface MockMonitorLike {
  newUrn(parent: string, type: string, name: string): string;
  registerResource(req: RegisterRequest, callback: Callback<RegisterResponse>): Promise<void>;
  registerResourceOutputs(req: OutputsRequest, callback: Callback<unknown>): void;
  invoke(req: InvokeRequest, callback: Callback<InvokeResponse>): Promise<void>;
}

function propertyDependencies(req: RegisterRequest): Record<string, string[]> {
  const deps: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((value, key) => {
    deps[key] = value.getUrnsList();
  });
  return deps;
}

function toRecord(req: RegisterRequest, urn: string, id: string): ResourceRecord {
  return {
    urn,
    type: req.getType(),
    name: req.getName(),
    custom: req.getCustom(),
    id,
    parent: req.getParent(),
    provider: req.getProvider(),
    inputs: req.getObject()?.toJavaScript() ?? {},
    dependencies: req.getDependenciesList(),
    propertyDependencies: propertyDependencies(req),
  };
}

/** The qualified type of a URN (`a$b$c`), the third `::` field. */
function qualifiedTypeOf(urn: string): string {
  return urn.split("::")[2] ?? "";
}

/**
 * The engine's URN: the parent's full qualified type, except the root stack's, prefixes the type
 * (pulumi/pulumi pkg/resource/deploy/deployment.go `generateURN`: "Skip empty parents and don't use
 * the root stack type; otherwise, use the full qualified type"). The SDK's mock monitor keeps only
 * the parent's last type and keeps the root stack's, so it is replaced here.
 */
export function engineUrn(
  stack: string,
  project: string,
  parent: string,
  type: string,
  name: string,
) {
  const parentType = parent ? qualifiedTypeOf(parent) : "";
  const qualified = parentType && parentType !== ROOT_STACK_TYPE ? `${parentType}$${type}` : type;
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

export interface Recording {
  resources: ResourceRecord[];
  /** The root stack's outputs as registered, in wire format. */
  stackOutputs?: Record<string, unknown>;
}

/**
 * Wraps the mock monitor: URNs as the engine makes them, a duplicate URN refused as the engine
 * refuses it, every registration recorded, the root stack's outputs kept, and invokes the mocks do
 * not model answered "unknown" in preview (the runtime then resolves the whole result unknown,
 * `@pulumi/pulumi/runtime/invoke.js`, `resp.getUnknown()`).
 */
function instrumentMonitor(
  monitor: MockMonitorLike,
  project: ProjectStack,
  mode: EngineMode,
  recording: Recording,
  onResource?: (resource: ResourceRecord) => void,
): void {
  const seen = new Set<string>();
  monitor.newUrn = (parent, type, name) =>
    engineUrn(project.stack, project.projectName, parent, type, name);
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    const urn = monitor.newUrn(req.getParent(), req.getType(), req.getName());
    if (seen.has(urn)) {
      // pulumi/pulumi pkg/resource/deploy/step_generator.go: "Duplicate resource URN '%v'; try
      // giving it a unique name".
      callback(new Error(`Duplicate resource URN '${urn}'; try giving it a unique name`));
      return Promise.resolve();
    }
    seen.add(urn);
    return register(req, (err, res) => {
      if (!err && res) {
        const record = toRecord(req, res.getUrn(), res.getId());
        recording.resources.push(record);
        onResource?.(record);
      }
      callback(err, res);
    });
  };
  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req, callback) => {
    if (qualifiedTypeOf(req.getUrn()) === ROOT_STACK_TYPE) {
      recording.stackOutputs = req.getOutputs()?.toJavaScript() ?? {};
    }
    registerOutputs(req, callback);
  };
  const invoke = monitor.invoke.bind(monitor);
  monitor.invoke = (req, callback) =>
    invoke(req, (err, res) => {
      if (!err && res && mode === "preview" && !isModelledInvoke(req.getTok())) {
        res.setUnknown(true);
      }
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
    setMocks(
      mocks: object,
      project: string,
      stack: string,
      preview: boolean,
      organization?: string,
    ): Promise<void>;
    setAllConfig(config: Record<string, string>, secretKeys?: string[]): void;
  };
}
interface SettingsModule {
  getMonitor(): unknown;
  waitForRPCs(): Promise<void>;
  disconnectSync(): void;
}
interface StackModule {
  runInPulumiStack(init: () => Promise<unknown>): Promise<unknown>;
}
interface LogModule {
  hasErrors(): boolean;
}

interface PackageManifest {
  type?: string;
  main?: string;
}

function readManifest(dir: string): PackageManifest {
  const file = path.join(dir, "package.json");
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as PackageManifest) : {};
}

/** An ES module's index file, as run.js looks for one in a directory. */
function esmEntry(entryPoint: string): string {
  if (!fs.statSync(entryPoint).isDirectory()) return entryPoint;
  for (const index of ["index.js", "index.mjs", "index.ts", "index.mts"]) {
    const candidate = path.join(entryPoint, index);
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new ProgramError(
    `no entry point (index.js, index.mjs, index.ts, index.mts) in ${entryPoint}`,
  );
}

/**
 * Loads the entry point as run.js does: `import()` for `"type": "module"` packages (a default export
 * alone is the program), `require` otherwise; a function is called and its result awaited.
 */
async function runEntryPoint(project: ProjectStack): Promise<unknown> {
  const manifest = readManifest(project.programDir);
  let programExport: unknown;
  if (manifest.type === "module") {
    const module = (await import(pathToFileURL(esmEntry(project.entryPoint)).href)) as Record<
      string,
      unknown
    >;
    if (Object.getOwnPropertyDescriptor(module, "default") !== undefined) {
      if (Object.keys(module).length !== 1) {
        throw new Error(
          "expected entrypoint module to have either a default export or named exports but not both",
        );
      }
      programExport = module.default;
    } else {
      programExport = module;
    }
  } else {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    programExport = require(project.entryPoint);
  }
  return programExport instanceof Function ? await programExport() : programExport;
}

/**
 * Runs a Pulumi program in this process under mocks and records every resource it registers.
 * Pulumi's runtime is process-global: call this once per process (see runProgram for isolation).
 * Any uncaught exception, unhandled rejection or `log.error` fails the run, as it fails
 * `pulumi preview` (cmd/run/index.js counts them and exits non-zero).
 */
export async function recordProgram(
  project: ProjectStack,
  mode: EngineMode,
  /** Called with each resource as it registers, as the engine hands it to analyzers. */
  onResource?: (resource: ResourceRecord) => void,
): Promise<RecordedStack> {
  const sdk = (request: string) => requireFromProgram(project.programDir, request);
  const pulumi = sdk("@pulumi/pulumi") as PulumiSdk;
  const settings = sdk("@pulumi/pulumi/runtime/settings") as SettingsModule;
  const stackModule = sdk("@pulumi/pulumi/runtime/stack") as StackModule;
  const log = sdk("@pulumi/pulumi/log") as LogModule;

  const failures: unknown[] = [];
  const onFailure = (reason: unknown) => failures.push(reason);
  process.on("uncaughtException", onFailure);
  process.on("unhandledRejection", onFailure);

  await pulumi.runtime.setMocks(
    { newResource: mockNewResource(mode), call: mockCall },
    project.projectName,
    project.stack,
    mode === "preview",
    "organization",
  );
  pulumi.runtime.setAllConfig(project.config, project.secretKeys);
  const recording: Recording = { resources: [] };
  instrumentMonitor(settings.getMonitor() as MockMonitorLike, project, mode, recording, onResource);

  try {
    await stackModule.runInPulumiStack(() => runEntryPoint(project));
    // The language host waits for every outstanding RPC before it reports (settings.disconnect).
    await settings.waitForRPCs();
  } catch (err) {
    failures.unshift(err);
  } finally {
    settings.disconnectSync();
  }
  // Rejections of the last registrations surface on the next turns of the event loop.
  await new Promise((resolve) => setImmediate(resolve));
  process.off("uncaughtException", onFailure);
  process.off("unhandledRejection", onFailure);
  if (failures.length > 0) throw programFailure(project, failures);
  if (log.hasErrors()) {
    throw new ProgramError(
      `the Pulumi program in ${project.programDir} logged errors (see its output above)`,
    );
  }
  return {
    stack: project.stack,
    project: project.projectName,
    mode,
    resources: recording.resources,
    outputs: stackOutputs(recording.stackOutputs ?? {}),
  };
}

function stackOutputs(wire: Record<string, unknown>): Record<string, StackOutput> {
  return Object.fromEntries(
    Object.entries(wire).map(([key, value]) =>
      isWireSecret(value)
        ? [key, { value: value.value, secret: true }]
        : [key, { value, secret: false }],
    ),
  );
}

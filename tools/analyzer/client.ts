import * as path from "node:path";
import { analyzerProperties } from "./marshal";
import { PackError } from "./pack";

/**
 * A client for the analyzer gRPC service that a `@pulumi/policy` pack serves: the same service and
 * calls the Pulumi CLI uses. The stubs and protobuf runtime are the copies `@pulumi/pulumi` loads,
 * because the generated code checks `instanceof` against its own classes.
 */

export type EnforcementLevel = "advisory" | "mandatory" | "disabled" | "remediate";
const LEVELS: EnforcementLevel[] = ["advisory", "mandatory", "disabled", "remediate"];

export interface PolicyInfo {
  name: string;
  description: string;
  enforcementLevel: EnforcementLevel;
  /** JSON schema of the policy's config properties, when it takes any. */
  configSchema?: { properties: Record<string, unknown>; required: string[] };
}

export interface PackInfo {
  name: string;
  version: string;
  supportsConfig: boolean;
  policies: PolicyInfo[];
}

export interface Diagnostic {
  policy: string;
  enforcementLevel: EnforcementLevel;
  urn: string;
  message: string;
  description: string;
}

/** One resource as the engine hands it to a policy pack: inputs in the engine's wire format. */
export interface AnalyzerResourceInput {
  urn: string;
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  parent?: string;
  dependencies?: string[];
  propertyDependencies?: Record<string, string[]>;
}

export interface PolicySettings {
  enforcementLevel: EnforcementLevel;
  properties: Record<string, unknown>;
}

/* Minimal shapes of the generated protobuf classes we use (pinned @pulumi/pulumi). */
/* eslint-disable @typescript-eslint/no-explicit-any */
type Message = any;
type GrpcClient = any;
/* eslint-enable @typescript-eslint/no-explicit-any */

const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = (request: string) => require(require.resolve(request, { paths: [pulumiDir] }));
const grpc = load("@grpc/grpc-js");
const analyzerProto = load("@pulumi/pulumi/proto/analyzer_pb");
const analyzerRpc = load("@pulumi/pulumi/proto/analyzer_grpc_pb");
const structProto = load("google-protobuf/google/protobuf/struct_pb");
const emptyProto = load("google-protobuf/google/protobuf/empty_pb");

/** The pack accepts messages up to 400 MB; a whole stack in one AnalyzeStack can be large. */
const MAX_MESSAGE_BYTES = 400 * 1024 * 1024;

function toStruct(value: Record<string, unknown>): Message {
  return structProto.Struct.fromJavaScript(value);
}

/**
 * A check sends every resource twice (Analyze, then AnalyzeStack): build each one's properties
 * message once. Keyed by the inputs object, which callers do not mutate during a check.
 */
const structCache = new WeakMap<Record<string, unknown>, Message>();
function propertiesOf(resource: AnalyzerResourceInput): Message {
  let struct = structCache.get(resource.inputs);
  if (!struct) {
    struct = toStruct(analyzerProperties(resource.inputs) as Record<string, unknown>);
    structCache.set(resource.inputs, struct);
  }
  return struct;
}

function levelName(level: number): EnforcementLevel {
  return LEVELS[level] ?? "advisory";
}

function levelNumber(level: EnforcementLevel): number {
  return LEVELS.indexOf(level);
}

function resourceOptions(parent: string | undefined): Message {
  // Required: without options the pack answers "A more recent version of the Pulumi CLI is required".
  const options = new analyzerProto.AnalyzerResourceOptions();
  options.setParent(parent ?? "");
  return options;
}

/** The fields AnalyzeRequest and AnalyzerResource share, set on either. */
function withResourceFields(message: Message, resource: AnalyzerResourceInput): Message {
  message.setUrn(resource.urn);
  message.setType(resource.type);
  message.setName(resource.name);
  message.setProperties(propertiesOf(resource));
  message.setOptions(resourceOptions(resource.parent));
  return message;
}

function analyzeRequest(resource: AnalyzerResourceInput): Message {
  return withResourceFields(new analyzerProto.AnalyzeRequest(), resource);
}

function stackResource(resource: AnalyzerResourceInput): Message {
  const message = withResourceFields(new analyzerProto.AnalyzerResource(), resource);
  message.setParent(resource.parent ?? "");
  message.setDependenciesList(resource.dependencies ?? []);
  const propertyDependencies = message.getPropertydependenciesMap();
  for (const [key, urns] of Object.entries(resource.propertyDependencies ?? {})) {
    const dependencies = new analyzerProto.AnalyzerPropertyDependencies();
    dependencies.setUrnsList(urns);
    propertyDependencies.set(key, dependencies);
  }
  return message;
}

/** The pack sends "<description>\n<message>"; the description travels in its own field too. */
function ownMessage(message: string, description: string): string {
  return description && message.startsWith(`${description}\n`)
    ? message.slice(description.length + 1)
    : message;
}

function diagnostics(response: Message, fallbackUrn: string): Diagnostic[] {
  return response.getDiagnosticsList().map((diagnostic: Message) => ({
    policy: diagnostic.getPolicyname(),
    enforcementLevel: levelName(diagnostic.getEnforcementlevel()),
    // Resource policies answer with an empty urn: the resource is the one we asked about.
    urn: diagnostic.getUrn() || fallbackUrn,
    message: ownMessage(diagnostic.getMessage(), diagnostic.getDescription()),
    description: diagnostic.getDescription(),
  }));
}

function policyInfo(policy: Message): PolicyInfo {
  const schema = policy.getConfigschema();
  const properties = schema?.getProperties()?.toJavaScript() ?? {};
  const info: PolicyInfo = {
    name: policy.getName(),
    description: policy.getDescription(),
    enforcementLevel: levelName(policy.getEnforcementlevel()),
  };
  if (Object.keys(properties).length > 0) {
    info.configSchema = { properties, required: schema.getRequiredList() };
  }
  return info;
}

export class AnalyzerClient {
  private readonly client: GrpcClient;

  constructor(address: string) {
    this.client = new analyzerRpc.AnalyzerClient(address, grpc.credentials.createInsecure(), {
      "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
      "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
    });
  }

  private call<T>(method: string, request: Message): Promise<T> {
    return new Promise((resolve, reject) => {
      this.client[method](request, (err: Error | null, response: T) =>
        err ? reject(new PackError(`analyzer ${method}: ${err.message}`)) : resolve(response),
      );
    });
  }

  /** The CLI's first call; @pulumi/policy packs answer UNIMPLEMENTED, and the CLI goes on. */
  async handshake(rootDirectory: string): Promise<void> {
    const request = new analyzerProto.AnalyzerHandshakeRequest();
    request.setEngineAddress("127.0.0.1:0");
    request.setRootDirectory(rootDirectory);
    request.setProgramDirectory(rootDirectory);
    try {
      await this.call("handshake", request);
    } catch (err) {
      if (!/UNIMPLEMENTED/.test((err as Error).message)) throw err;
    }
  }

  async configureStack(stack: {
    stack: string;
    project: string;
    organization: string;
    dryRun: boolean;
    tags?: Record<string, string>;
  }): Promise<void> {
    const request = new analyzerProto.AnalyzerStackConfigureRequest();
    request.setStack(stack.stack);
    request.setProject(stack.project);
    request.setOrganization(stack.organization);
    request.setDryRun(stack.dryRun);
    for (const [key, value] of Object.entries(stack.tags ?? {})) {
      request.getTagsMap().set(key, value);
    }
    await this.call("configureStack", request);
  }

  async getPluginVersion(): Promise<string> {
    const info: Message = await this.call("getPluginInfo", new emptyProto.Empty());
    return info.getVersion();
  }

  async getAnalyzerInfo(): Promise<PackInfo> {
    const info: Message = await this.call("getAnalyzerInfo", new emptyProto.Empty());
    return {
      name: info.getName(),
      version: info.getVersion(),
      supportsConfig: info.getSupportsconfig(),
      policies: info.getPoliciesList().map(policyInfo),
    };
  }

  async configure(settings: Record<string, PolicySettings>): Promise<void> {
    const request = new analyzerProto.ConfigureAnalyzerRequest();
    const map = request.getPolicyconfigMap();
    for (const [policy, { enforcementLevel, properties }] of Object.entries(settings)) {
      const config = new analyzerProto.PolicyConfig();
      config.setEnforcementlevel(levelNumber(enforcementLevel));
      config.setProperties(toStruct(properties));
      map.set(policy, config);
    }
    await this.call("configure", request);
  }

  async analyze(resource: AnalyzerResourceInput): Promise<Diagnostic[]> {
    const response = await this.call("analyze", analyzeRequest(resource));
    return diagnostics(response, resource.urn);
  }

  async analyzeStack(resources: AnalyzerResourceInput[]): Promise<Diagnostic[]> {
    const request = new analyzerProto.AnalyzeStackRequest();
    request.setResourcesList(resources.map(stackResource));
    const response = await this.call("analyzeStack", request);
    return diagnostics(response, "");
  }

  close(): void {
    this.client.close();
  }
}

import * as path from "node:path";
import type { AnalyzerResourceInput, Diagnostic, PackInfo, PolicySettings } from "./client";
import { launchPack, type RunningPack } from "./pack";
import { resolvePolicySettings, type PolicyPackConfig } from "./policy-config";

export type {
  AnalyzerResourceInput,
  Diagnostic,
  EnforcementLevel,
  PackInfo,
  PolicyInfo,
  PolicySettings,
} from "./client";
export { PackError } from "./pack";
export { readPolicyConfigFile, resolvePolicySettings } from "./policy-config";
export type { PolicyPackConfig } from "./policy-config";

export const DEFAULT_PACK_DIR = path.resolve(__dirname, "../../policy-pack");

/** Analyze calls in flight together: the pack handles them concurrently on one event loop. */
const DEFAULT_CONCURRENCY = 64;

export interface SessionOptions {
  packDir?: string;
  stack: string;
  project: string;
  organization?: string;
  /** Stack config (`namespace:key` -> text), handed to the pack as PULUMI_CONFIG like the CLI does. */
  stackConfig?: Record<string, string>;
  tags?: Record<string, string>;
  onOutput?: (text: string) => void;
}

/** Resources handed to Analyze one by one; `finish` gives every diagnostic, in order. */
export interface AnalyzeStream {
  push(resource: AnalyzerResourceInput): void;
  finish(): Promise<Diagnostic[]>;
}

/**
 * One running policy pack, driven through the calls the Pulumi CLI makes in the CLI's order:
 * Handshake, ConfigureStack, GetPluginInfo, GetAnalyzerInfo, Configure, then Analyze per resource and
 * AnalyzeStack once per check.
 */
export class PolicySession {
  private constructor(
    private readonly running: RunningPack,
    readonly pack: PackInfo,
  ) {}

  get startupMs(): number {
    return this.running.startupMs;
  }

  static async start(options: SessionOptions): Promise<PolicySession> {
    const packDir = path.resolve(options.packDir ?? DEFAULT_PACK_DIR);
    const organization = options.organization ?? "organization";
    const running = await launchPack({
      packDir,
      onOutput: options.onOutput,
      env: {
        PULUMI_CONFIG: JSON.stringify(options.stackConfig ?? {}),
        PULUMI_PROJECT: options.project,
        PULUMI_STACK: options.stack,
        PULUMI_ORGANIZATION: organization,
        PULUMI_DRY_RUN: "true",
      },
    });
    try {
      await running.client.handshake(packDir);
      await running.client.configureStack({
        stack: options.stack,
        project: options.project,
        organization,
        dryRun: true,
        tags: options.tags,
      });
      await running.client.getPluginVersion();
      const pack = await running.client.getAnalyzerInfo();
      return new PolicySession(running, pack);
    } catch (err) {
      await running.close();
      throw err;
    }
  }

  /** Checks the config against the pack's policies and sends every policy's level and settings. */
  async configure(
    config: PolicyPackConfig,
    source?: string,
  ): Promise<Record<string, PolicySettings>> {
    const settings = resolvePolicySettings(this.pack.policies, config, source);
    await this.running.client.configure(settings);
    return settings;
  }

  /** Every resource through Analyze (many calls in flight), then all of them through AnalyzeStack. */
  async analyze(
    resources: AnalyzerResourceInput[],
    concurrency = DEFAULT_CONCURRENCY,
  ): Promise<Diagnostic[]> {
    const perResource = await this.analyzeEach(resources, concurrency);
    return [...perResource, ...(await this.analyzeStack(resources))];
  }

  /** Analyze, once per resource, with up to `concurrency` calls in flight. */
  async analyzeEach(
    resources: AnalyzerResourceInput[],
    concurrency = DEFAULT_CONCURRENCY,
  ): Promise<Diagnostic[]> {
    const perResource: Diagnostic[][] = new Array(resources.length);
    let next = 0;
    const worker = async () => {
      while (next < resources.length) {
        const index = next++;
        perResource[index] = await this.running.client.analyze(resources[index]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, resources.length) }, worker));
    return perResource.flat();
  }

  /**
   * Analyze for resources as they arrive (while the program still runs, as the CLI calls it per
   * registration), up to `concurrency` calls in flight. A failed call is kept for `finish`, which
   * waits for every call and returns the diagnostics in arrival order.
   */
  analyzeAsRegistered(concurrency = DEFAULT_CONCURRENCY): AnalyzeStream {
    const queue: AnalyzerResourceInput[] = [];
    const results: Diagnostic[][] = [];
    let next = 0;
    let active = 0;
    let failure: { error: unknown } | undefined;
    let whenIdle: (() => void) | undefined;
    const settled = () => active === 0 && (failure !== undefined || next === queue.length);
    const pump = () => {
      while (active < concurrency && next < queue.length && failure === undefined) {
        const index = next++;
        active++;
        this.running.client
          .analyze(queue[index])
          .then(
            (diagnostics) => {
              results[index] = diagnostics;
            },
            (error: unknown) => {
              failure ??= { error };
            },
          )
          .finally(() => {
            active--;
            pump();
            if (settled()) whenIdle?.();
          });
      }
    };
    return {
      push(resource) {
        queue.push(resource);
        pump();
      },
      async finish() {
        if (!settled()) await new Promise<void>((resolve) => (whenIdle = resolve));
        if (failure) throw failure.error;
        return results.flat();
      },
    };
  }

  analyzeStack(resources: AnalyzerResourceInput[]): Promise<Diagnostic[]> {
    return this.running.client.analyzeStack(resources);
  }

  close(): Promise<void> {
    return this.running.close();
  }
}

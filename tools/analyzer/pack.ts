import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { UsageError } from "../errors";
import type { AnalyzerClient } from "./client";

/** The policy pack could not be started or stopped answering: exit code 2. */
export class PackError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = "PackError";
  }
}

export interface LaunchOptions {
  packDir: string;
  /** Extra environment for the pack, e.g. PULUMI_CONFIG with the stack's config as the CLI sets it. */
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Where the pack's own output goes once it runs (the CLI shows it as plugin output). */
  onOutput?: (text: string) => void;
}

export interface RunningPack {
  client: AnalyzerClient;
  address: string;
  /** Milliseconds from spawn until the pack printed its port. */
  startupMs: number;
  close(): Promise<void>;
}

const LAZY_CLOSURE_PRELOAD = path.join(__dirname, "../engine/lazy-closure-preload.cjs");

function runPolicyPackScript(packDir: string): string {
  try {
    return require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
  } catch {
    throw new PackError(
      `cannot find @pulumi/pulumi/cmd/run-policy-pack from ${packDir}: run 'npm ci' first`,
    );
  }
}

/** Waits for the pack's first stdout line (its port) or for it to die, whichever comes first. */
function waitForPort(child: ChildProcess, stderrTail: () => string, timeoutMs: number) {
  return new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const fail = (why: string) => {
      clearTimeout(timer);
      const detail = stderrTail().trim();
      reject(new PackError(`the policy pack ${why}${detail ? `:\n${detail}` : ""}`));
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      fail(`printed no port within ${timeoutMs} ms`);
    }, timeoutMs);
    child.once("exit", (code, signal) => fail(`exited (${signal ?? code}) before it listened`));
    child.once("error", (err) => fail(`could not be started (${err.message})`));
    lines.once("line", (line) => {
      clearTimeout(timer);
      child.removeAllListeners("exit");
      lines.close();
      const port = Number(line.trim());
      if (Number.isInteger(port) && port > 0) resolve(port);
      else reject(new PackError(`the policy pack printed '${line}' instead of its port`));
    });
  });
}

/**
 * Starts a policy pack the way the Pulumi CLI does (`run-policy-pack` from the pack's own
 * `@pulumi/pulumi`, the pack folder as working directory) and connects to its analyzer service.
 */
export async function launchPack(options: LaunchOptions): Promise<RunningPack> {
  const packDir = path.resolve(options.packDir);
  if (!fs.existsSync(path.join(packDir, "package.json"))) {
    throw new UsageError(`${packDir} is not a policy pack: it has no package.json`);
  }
  const script = runPolicyPackScript(packDir);
  const started = Date.now();
  // The pack's @pulumi/pulumi loads its function serializer on first use, as the program's does
  // (tools/engine/lazy-closure.cjs): a pack never serializes a function, and @npmcli/arborist and
  // the serializer's other dependencies cost about 350 ms of the pack's start-up (1.2 s), on the
  // core the program needs. The pack's code and what it sees are unchanged.
  const child = spawn(
    process.execPath,
    ["--require", LAZY_CLOSURE_PRELOAD, script, "127.0.0.1:0", "."],
    {
      cwd: packDir,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        // The check's own NODE_OPTIONS (tsx loaders) must not reach the pack;
        // POLICY_PACK_NODE_OPTIONS passes flags on purpose (e.g. --require a profiler hook).
        NODE_OPTIONS: process.env.POLICY_PACK_NODE_OPTIONS ?? "",
        ...options.env,
      },
    },
  );
  let stderr = "";
  const onOutput = options.onOutput ?? ((text: string) => process.stderr.write(text));
  let listening = false;
  child.stderr!.on("data", (chunk: Buffer) => {
    if (listening) onOutput(chunk.toString());
    else stderr = (stderr + chunk.toString()).slice(-8000);
  });
  const port = await waitForPort(child, () => stderr, options.timeoutMs ?? 120_000);
  listening = true;
  if (stderr) onOutput(stderr);
  child.stdout!.on("data", (chunk: Buffer) => onOutput(chunk.toString()));
  const address = `127.0.0.1:${port}`;
  // The gRPC stack loads only now, while the program runs: the CLI forks the program sooner.
  const { AnalyzerClient: Client } = await import("./client");
  const client = new Client(address);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    client,
    address,
    startupMs: Date.now() - started,
    async close() {
      client.close();
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

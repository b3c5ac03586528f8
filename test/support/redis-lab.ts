import { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../tools/engine";
import { eventually, NetnsLab, request, waitForExit } from "./netns";

export const REDIS_PORT = 6390;

/** A real redis-server inside the lab's namespace, with an append-only file fsynced per write. */
export class RedisServer {
  private process?: ChildProcess;

  constructor(
    private readonly lab: NetnsLab,
    readonly port = REDIS_PORT,
  ) {}

  get pid(): number {
    if (!this.process?.pid) throw new Error("redis-server is not running");
    return this.process.pid;
  }

  async start(): Promise<void> {
    const dataDir = path.join(this.lab.dir, "redis");
    fs.mkdirSync(dataDir, { recursive: true });
    this.process = this.lab.spawn("redis-server", [
      "--bind",
      "127.0.0.1",
      "--port",
      String(this.port),
      "--dir",
      dataDir,
      "--save",
      "",
      "--appendonly",
      "yes",
      "--appendfsync",
      "always",
      "--protected-mode",
      "no",
    ]);
    await eventually("redis-server answering PING", 10_000, async () =>
      this.cli("PING").trim() === "PONG" ? true : undefined,
    );
  }

  /** Graceful stop: Redis flushes its append-only file and closes every connection. */
  async stop(): Promise<void> {
    if (!this.process) return;
    this.process.kill("SIGTERM");
    await waitForExit(this.process, 10_000);
    this.process = undefined;
  }

  freeze(): void {
    process.kill(this.pid, "SIGSTOP");
  }

  thaw(): void {
    process.kill(this.pid, "SIGCONT");
  }

  cli(...args: string[]): string {
    return this.lab.run("redis-cli", ["-p", String(this.port), "--raw", ...args]);
  }
}

export interface RunningApp {
  socketPath: string;
  process: ChildProcess;
  logs: string[];
  stop(): Promise<void>;
}

/** Starts the built service (app/dist) inside the namespace, listening on a unix socket. */
export async function startApp(lab: NetnsLab, env: Record<string, string>): Promise<RunningApp> {
  const main = path.join(PROJECT_ROOT, "app/dist/main.js");
  if (!fs.existsSync(main))
    throw new Error("app/dist/main.js is missing: run 'npm run build:app' first (npm test does)");
  const socketPath = path.join(lab.dir, `app-${Date.now()}.sock`);
  const child = lab.spawn(process.execPath, [main], {
    LISTEN_PATH: socketPath,
    REDIS_URL: `redis://127.0.0.1:${REDIS_PORT}`,
    LOG_LEVEL: "info",
    ...env,
  });
  const logs: string[] = [];
  const collect = (chunk: Buffer) =>
    logs.push(...chunk.toString("utf8").split("\n").filter(Boolean));
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  await eventually("the app answering /readyz", 10_000, async () => {
    if (child.exitCode !== null)
      throw new Error(`the app exited (${child.exitCode}): ${logs.join("\n")}`);
    return (await request(socketPath, "GET", "/readyz", { timeoutMs: 1_000 })).status === 200
      ? true
      : undefined;
  });
  return {
    socketPath,
    process: child,
    logs,
    async stop() {
      child.kill("SIGTERM");
      await waitForExit(child, 15_000);
    },
  };
}

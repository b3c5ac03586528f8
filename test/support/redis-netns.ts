import { ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";

/**
 * A private network namespace for fault-injection tests. Everything in it talks over its own
 * loopback (127.0.0.1); iptables rules there touch nothing outside. The test process reaches the
 * app through a unix socket in the file system, which crosses namespaces.
 */
export class NetnsLab {
  readonly dir: string;
  private readonly children = new Set<ChildProcess>();

  private constructor(readonly name: string) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));
  }

  static create(label: string): NetnsLab {
    for (const tool of ["ip", "iptables", "redis-server", "redis-cli"]) {
      try {
        execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
      } catch {
        throw new Error(
          `${tool} is missing: run 'npm run setup' (installs redis-server, iptables, iproute2)`,
        );
      }
    }
    const name = `items-${label}-${process.pid}-${Math.floor(Math.random() * 1e6)}`;
    try {
      execFileSync("ip", ["netns", "add", name], { stdio: "pipe" });
    } catch (err) {
      throw new Error(`cannot create network namespace ${name} (needs root and iproute2)`, {
        cause: err,
      });
    }
    execFileSync("ip", ["netns", "exec", name, "ip", "link", "set", "lo", "up"]);
    return new NetnsLab(name);
  }

  /** Runs a command inside the namespace and returns its stdout. */
  run(command: string, args: string[]): string {
    return execFileSync("ip", ["netns", "exec", this.name, command, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      encoding: "utf8",
      timeout: 15_000,
    });
  }

  /** Starts a long-running process inside the namespace (ip netns exec execs it: same pid). */
  spawn(
    command: string,
    args: string[],
    env: NodeJS.ProcessEnv = {},
    withStdin = false,
  ): ChildProcess {
    const child = spawn("ip", ["netns", "exec", this.name, command, ...args], {
      env: { ...process.env, ...env },
      stdio: [withStdin ? "pipe" : "ignore", "pipe", "pipe"],
    });
    this.children.add(child);
    child.on("exit", () => this.children.delete(child));
    return child;
  }

  blackhole(port: number): void {
    this.run("iptables", ["-A", "INPUT", "-p", "tcp", "--dport", String(port), "-j", "DROP"]);
  }

  heal(port: number): void {
    this.run("iptables", ["-D", "INPUT", "-p", "tcp", "--dport", String(port), "-j", "DROP"]);
  }

  /**
   * Kills what the lab started, waits for it to exit, then deletes the namespace. The wait matters:
   * `ip netns exec` gives each child its own mount namespace holding the namespace's bind mount, and
   * while one lives `ip netns del` fails with EBUSY.
   */
  async destroy(): Promise<void> {
    const alive = [...this.children].filter(
      (child) => child.signalCode === null && child.exitCode === null,
    );
    for (const child of alive) {
      child.kill("SIGCONT");
      child.kill("SIGKILL");
    }
    await Promise.all(alive.map((child) => waitForExit(child, 5_000).catch(() => undefined)));
    try {
      await deleteNamespace(this.name);
    } finally {
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

async function deleteNamespace(name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      execFileSync("ip", ["netns", "del", name], { stdio: "pipe" });
      return;
    } catch (err) {
      const message = (err as { stderr?: Buffer }).stderr?.toString().trim() ?? String(err);
      if (attempt >= 20)
        throw new Error(`cannot delete network namespace ${name}: ${message}`, {
          cause: err,
        });
      await sleep(100);
    }
  }
}

export function waitForExit(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`process ${child.pid} did not exit in ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export async function eventually<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const result = await probe();
      if (result !== undefined) return result;
    } catch (err) {
      lastError = err;
    }
    await sleep(50);
  }
  throw new Error(
    `${what} did not happen within ${timeoutMs} ms${lastError ? `: ${(lastError as Error).message}` : ""}`,
  );
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Milliseconds from request to full answer. */
  elapsedMs: number;
}

/** One HTTP request over a unix socket, bounded by a client-side timeout (status 0 when it hit). */
export function request(
  socketPath: string,
  method: string,
  urlPath: string,
  options: { body?: string; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<HttpAnswer> {
  const started = Date.now();
  return new Promise((resolve) => {
    const req = http.request(
      {
        socketPath,
        method,
        path: urlPath,
        headers: {
          ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
          ...options.headers,
        },
        timeout: options.timeoutMs ?? 10_000,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
            elapsedMs: Date.now() - started,
          }),
        );
      },
    );
    req.on("timeout", () => req.destroy(new Error("client timeout")));
    req.on("error", () =>
      resolve({ status: 0, headers: {}, body: "", elapsedMs: Date.now() - started }),
    );
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

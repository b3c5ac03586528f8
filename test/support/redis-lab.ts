import { ChildProcess, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../tools/engine";
import { eventually, NetnsLab, request, waitForExit } from "./redis-netns";

export const REDIS_PORT = 6390;

export interface TestCertificates {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** A throw-away CA and a server certificate for 127.0.0.1, made with openssl. */
export function makeTestCertificates(dir: string): TestCertificates {
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
  openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    file("ca.key"),
    "-out",
    file("ca.crt"),
    "-days",
    "1",
    "-subj",
    "/CN=items-test-ca",
  );
  openssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    file("server.key"),
    "-out",
    file("server.csr"),
    "-subj",
    "/CN=127.0.0.1",
  );
  fs.writeFileSync(file("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  openssl(
    "x509",
    "-req",
    "-in",
    file("server.csr"),
    "-CA",
    file("ca.crt"),
    "-CAkey",
    file("ca.key"),
    "-CAcreateserial",
    "-out",
    file("server.crt"),
    "-days",
    "1",
    "-extfile",
    file("server.ext"),
  );
  return { caFile: file("ca.crt"), certFile: file("server.crt"), keyFile: file("server.key") };
}

/**
 * A real redis-server inside the lab's namespace, with an append-only file fsynced per write.
 * With certificates it serves TLS only, as Azure Cache for Redis does on 6380.
 */
export class RedisServer {
  private process?: ChildProcess;

  constructor(
    private readonly lab: NetnsLab,
    readonly port = REDIS_PORT,
    private readonly tls?: TestCertificates,
  ) {}

  get url(): string {
    return `${this.tls ? "rediss" : "redis"}://127.0.0.1:${this.port}`;
  }

  /** The CA a client must trust to reach this server over TLS. */
  get caFile(): string | undefined {
    return this.tls?.caFile;
  }

  get pid(): number {
    if (!this.process?.pid) throw new Error("redis-server is not running");
    return this.process.pid;
  }

  async start(extraArgs: string[] = []): Promise<void> {
    const dataDir = path.join(
      this.lab.dir,
      this.port === REDIS_PORT ? "redis" : `redis-${this.port}`,
    );
    fs.mkdirSync(dataDir, { recursive: true });
    const listen = this.tls
      ? ["--port", "0", "--tls-port", String(this.port), "--tls-auth-clients", "no"]
      : ["--port", String(this.port)];
    const certificates = this.tls
      ? [
          "--tls-cert-file",
          this.tls.certFile,
          "--tls-key-file",
          this.tls.keyFile,
          "--tls-ca-cert-file",
          this.tls.caFile,
        ]
      : [];
    const persistence = ["--save", "", "--appendonly", "yes", "--appendfsync", "always"];
    this.process = this.lab.spawn("redis-server", [
      ...["--bind", "127.0.0.1", "--protected-mode", "no", "--dir", dataDir],
      ...listen,
      ...certificates,
      ...persistence,
      ...extraArgs,
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

  /** A crash: no chance to flush anything; only what the append-only file already holds survives. */
  async crash(): Promise<void> {
    if (!this.process) return;
    this.process.kill("SIGKILL");
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
    const tls = this.tls ? ["--tls", "--cacert", this.tls.caFile] : [];
    return this.lab.run("redis-cli", ["-p", String(this.port), ...tls, "--raw", ...args]);
  }
}

export interface RunningApp {
  socketPath: string;
  /** /metrics listens on a socket of its own (METRICS_PORT in production). */
  metricsSocketPath: string;
  process: ChildProcess;
  logs: string[];
  stop(): Promise<void>;
}

/** Starts the built service (app/dist) inside the namespace, listening on a unix socket. */
export async function startApp(
  lab: NetnsLab,
  redis: Pick<RedisServer, "url" | "caFile">,
  env: Record<string, string> = {},
): Promise<RunningApp> {
  const main = path.join(PROJECT_ROOT, "app/dist/main.js");
  if (!fs.existsSync(main))
    throw new Error("app/dist/main.js is missing: run 'npm run build:app' first (npm test does)");
  const socketPath = path.join(lab.dir, `app-${Date.now()}.sock`);
  const metricsSocketPath = path.join(lab.dir, `metrics-${Date.now()}.sock`);
  const child = lab.spawn(process.execPath, [main], {
    LISTEN_PATH: socketPath,
    METRICS_LISTEN_PATH: metricsSocketPath,
    REDIS_URL: redis.url,
    ...(redis.caFile ? { REDIS_TLS_CA_FILE: redis.caFile } : {}),
    LOG_LEVEL: "info",
    // Suites about Redis run without tokens or rate limit (test/app/auth.test.ts covers them) and stop at once.
    AUTH_DISABLED: "true",
    RATE_LIMIT_MAX: "1000000",
    SHUTDOWN_DRAIN_MS: "0",
    ...env,
  });
  const logs: string[] = [];
  let lastReadiness = "no answer";
  const collect = (chunk: Buffer) =>
    logs.push(...chunk.toString("utf8").split("\n").filter(Boolean));
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  await eventually("the app answering /readyz", 10_000, async () => {
    if (child.exitCode !== null)
      throw new Error(`the app exited (${child.exitCode}): ${logs.join("\n")}`);
    const answer = await request(socketPath, "GET", "/readyz", { timeoutMs: 1_000 });
    lastReadiness = `${answer.status} ${answer.body}`;
    return answer.status === 200 ? true : undefined;
  }).catch((err: Error) => {
    const log = logs.slice(-20).join("\n");
    throw new Error(`${err.message} (last /readyz: ${lastReadiness})\napp log:\n${log}`, {
      cause: err,
    });
  });
  return {
    socketPath,
    metricsSocketPath,
    process: child,
    logs,
    async stop() {
      child.kill("SIGTERM");
      await waitForExit(child, 15_000);
    },
  };
}

/** Stops the app (if it started) and always removes the lab, for afterAll. */
export async function tearDown(lab: NetnsLab | undefined, app?: RunningApp): Promise<void> {
  try {
    await app?.stop();
  } finally {
    await lab?.destroy();
  }
}

export interface Probe {
  child: ChildProcess;
  /** The probe's JSON line number `index` (0-based), waiting for it up to timeoutMs. */
  line(index: number, timeoutMs?: number): Promise<Record<string, unknown>>;
}

/** Runs a script from test/support/probes inside the namespace (stdin open for "go" signals). */
export function runProbe(lab: NetnsLab, name: string, ...args: string[]): Probe {
  const script = path.join(PROJECT_ROOT, "test/support/probes", `${name}.ts`);
  const child = lab.spawn(process.execPath, ["--import", "tsx", script, ...args], {}, true);
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const lines = () =>
    output
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    child,
    line: (index, timeoutMs = 15_000) =>
      eventually(`line ${index + 1} from the ${name} probe`, timeoutMs, async () => lines()[index]),
  };
}

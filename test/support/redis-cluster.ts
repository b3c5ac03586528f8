import { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { bucketOf, CLUSTER_LAYOUT } from "../../app/src/store";
import { eventually, NetnsLab, waitForExit } from "./redis-netns";

/** Ports of the six nodes; each node's cluster bus listens on port + 10000. */
export const CLUSTER_PORTS = [7001, 7002, 7003, 7004, 7005, 7006];

/**
 * One redis-server of a Redis Cluster inside the lab's namespace. In memory only (no AOF, no
 * RDB): what a killed primary had not replicated is gone, which is what the durability test
 * measures. nodes.conf survives a restart, so a killed node comes back with its identity and
 * rejoins as a replica of the node that replaced it.
 */
export class ClusterNode {
  private process?: ChildProcess;

  constructor(
    private readonly lab: NetnsLab,
    readonly port: number,
    private readonly nodeTimeoutMs: number,
  ) {}

  get pid(): number {
    if (!this.process?.pid) throw new Error(`redis-server ${this.port} is not running`);
    return this.process.pid;
  }

  get running(): boolean {
    return this.process !== undefined;
  }

  /** Each node runs as its own uid, so iptables can drop every packet the node itself sends. */
  get uid(): number {
    return 20_000 + this.port;
  }

  async start(): Promise<void> {
    const dir = path.join(this.lab.dir, `node-${this.port}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.chmodSync(this.lab.dir, 0o711);
    fs.chownSync(dir, this.uid, this.uid);
    const asUid = ["--reuid", String(this.uid), "--regid", String(this.uid), "--clear-groups"];
    this.process = this.lab.spawn("setpriv", [
      ...asUid,
      "redis-server",
      ...["--bind", "127.0.0.1", "--protected-mode", "no", "--port", String(this.port)],
      ...["--dir", dir, "--save", "", "--appendonly", "no"],
      // A full resync starts at once (the default waits 5 s for more replicas to join).
      ...["--repl-diskless-sync-delay", "0"],
      ...["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"],
      ...["--cluster-node-timeout", String(this.nodeTimeoutMs)],
      // A replica may always take over (no data-age limit), and the shards that are up keep
      // serving while one is down (https://redis.io/docs/latest/operate/oss_and_stack/management/scaling/).
      ...["--cluster-replica-validity-factor", "0", "--cluster-require-full-coverage", "no"],
    ]);
    await eventually(`redis-server ${this.port} answering PING`, 10_000, async () =>
      this.cli("PING").trim() === "PONG" ? true : undefined,
    );
  }

  async kill(): Promise<void> {
    if (!this.process) return;
    this.process.kill("SIGCONT");
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

  /**
   * A partition: every packet to the node's client and cluster bus ports is dropped, and every
   * packet the node sends (its replies, and the PINGs of its own bus links, which would otherwise
   * keep the others from marking it as failing) is dropped by its uid.
   */
  blackhole(): void {
    this.lab.blackhole(this.port);
    this.lab.blackhole(this.port + 10_000);
    this.lab.run("iptables", this.ownerRule("-A"));
  }

  heal(): void {
    this.lab.heal(this.port);
    this.lab.heal(this.port + 10_000);
    this.lab.run("iptables", this.ownerRule("-D"));
  }

  private ownerRule(action: "-A" | "-D"): string[] {
    return [action, "OUTPUT", "-m", "owner", "--uid-owner", String(this.uid), "-j", "DROP"];
  }

  cli(...args: string[]): string {
    return this.lab.run("redis-cli", ["-p", String(this.port), "--raw", ...args]);
  }

  /** "master" or "slave" (ROLE's first line). */
  role(): string {
    return this.cli("ROLE").split("\n")[0].trim();
  }

  /** The primary this node replicates, as its port, or undefined for a primary. */
  primaryPort(): number | undefined {
    const lines = this.cli("ROLE").split("\n");
    return lines[0].trim() === "slave" ? Number(lines[2]) : undefined;
  }
}

export class RedisClusterLab {
  readonly nodes: ClusterNode[];

  constructor(
    private readonly lab: NetnsLab,
    readonly nodeTimeoutMs: number,
  ) {
    this.nodes = CLUSTER_PORTS.map((port) => new ClusterNode(lab, port, nodeTimeoutMs));
  }

  get seedUrl(): string {
    return `redis://127.0.0.1:${CLUSTER_PORTS[0]}`;
  }

  /** Six nodes, then `redis-cli --cluster create` with one replica per primary. */
  async create(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.start()));
    this.lab.run("redis-cli", [
      "--cluster",
      "create",
      ...CLUSTER_PORTS.map((port) => `127.0.0.1:${port}`),
      "--cluster-replicas",
      "1",
      "--cluster-yes",
    ]);
    await this.settled();
  }

  /** Every running node says cluster_state:ok and knows all six nodes. */
  async settled(timeoutMs = 20_000): Promise<void> {
    await eventually("the cluster settled", timeoutMs, async () => {
      for (const node of this.nodes.filter((candidate) => candidate.running)) {
        const info = node.cli("CLUSTER", "INFO");
        if (!/cluster_state:ok/.test(info) || !/cluster_known_nodes:6\b/.test(info)) {
          return undefined;
        }
      }
      return true;
    });
  }

  node(port: number): ClusterNode {
    const found = this.nodes.find((node) => node.port === port);
    if (!found) throw new Error(`no node on port ${port}`);
    return found;
  }

  /** The port of the primary serving a slot now, as a running node sees the cluster. */
  primaryOfSlot(slot: number): number {
    const asker = this.nodes.find((node) => node.running) ?? this.nodes[0];
    const lines = asker.cli("CLUSTER", "SLOTS").split("\n");
    // --raw prints each range as: start, end, primary ip, primary port, primary id, ...
    for (let i = 0; i + 3 < lines.length; i++) {
      const [start, end] = [Number(lines[i]), Number(lines[i + 1])];
      if (
        /^\d+$/.test(lines[i]) &&
        /^\d+$/.test(lines[i + 1]) &&
        lines[i + 2] === "127.0.0.1" &&
        slot >= start &&
        slot <= end
      ) {
        return Number(lines[i + 3]);
      }
    }
    throw new Error(`no primary serves slot ${slot}`);
  }

  /** Ports of the current primaries. */
  primaries(): number[] {
    return this.nodes.filter((node) => node.running && node.role() === "master").map((n) => n.port);
  }

  /** Kills every node (iptables rules go with the namespace). */
  async destroyNodes(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.kill()));
  }
}

/** The hash slot of the app's keys for an item id (its bucket's hash tag), as Redis computes it. */
export function slotOfItem(cluster: RedisClusterLab, id: string): number {
  const asker = cluster.nodes.find((node) => node.running) ?? cluster.nodes[0];
  return Number(asker.cli("CLUSTER", "KEYSLOT", CLUSTER_LAYOUT.itemKey(id)).trim());
}

/** `count` item ids per primary port, so a test can load one shard and watch the others. */
export function idsByPrimary(
  cluster: RedisClusterLab,
  label: string,
  count: number,
): Map<number, string[]> {
  const byPrimary = new Map<number, string[]>();
  const primaryOfBucket = new Map<number, number>();
  for (
    let n = 0;
    byPrimary.size < 3 || [...byPrimary.values()].some((ids) => ids.length < count);
    n++
  ) {
    const id = `${label}-${n}`;
    const bucket = bucketOf(id);
    let primary = primaryOfBucket.get(bucket);
    if (primary === undefined) {
      primary = cluster.primaryOfSlot(slotOfItem(cluster, id));
      primaryOfBucket.set(bucket, primary);
    }
    const ids = byPrimary.get(primary) ?? [];
    if (ids.length < count) ids.push(id);
    byPrimary.set(primary, ids);
    if (n > 100_000) throw new Error("could not find ids for every primary");
  }
  return byPrimary;
}

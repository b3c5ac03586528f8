import type { PolicyResource, ResourceValidationArgs } from "@pulumi/policy";
import { AGENT_POOL, MANAGED_CLUSTER } from "../../facts/tokens";
import { resourcePolicy, stackPolicy } from "../shared/control";
import { equalsIgnoringCase, ofType, reportProblems, shown } from "../shared/readers";
import { referrers } from "../shared/relations";
import type { AgentPoolProfile, ClusterProps } from "./cluster";
import { CRITICAL_ADDONS_TAINT } from "../../facts/kubernetes";

/** Under Azure's 4-minute load-balancer idle timeout (and Redis' 10 minutes), with margin. */
const MAX_TCP_KEEPALIVE_SECONDS = 120;

function keepaliveProblem(where: string, pool: AgentPoolProfile): string | undefined {
  if (equalsIgnoringCase(pool.osType, "Windows")) return undefined;
  const keepalive = pool.linuxOSConfig?.sysctls?.netIpv4TcpKeepaliveTime;
  if (typeof keepalive === "number" && keepalive <= MAX_TCP_KEEPALIVE_SECONDS) return undefined;
  return `${where}linuxOSConfig.sysctls.netIpv4TcpKeepaliveTime is ${shown(keepalive)}, set it to ${MAX_TCP_KEEPALIVE_SECONDS} or less so idle connections survive Azure's 4-minute load-balancer timeout`;
}

function poolsProblems(args: ResourceValidationArgs): string[] {
  if (args.type === AGENT_POOL) {
    const problem = keepaliveProblem("", args.props as AgentPoolProfile);
    return problem ? [problem] : [];
  }
  const pools = (args.props as ClusterProps).agentPoolProfiles ?? [];
  return pools
    .map((pool, index) => {
      const poolName = typeof pool.name === "string" ? `pool '${pool.name}'` : `pool ${index}`;
      return keepaliveProblem(`${poolName}: agentPoolProfiles[${index}].`, pool);
    })
    .filter((problem): problem is string => problem !== undefined);
}

export const aks13 = resourcePolicy(
  {
    id: "AKS-13",
    seed: "—",
    level: "A",
    rule: "Node pools' linuxOSConfig.sysctls.netIpv4TcpKeepaliveTime ≤ 120 (under Azure's 4-minute load-balancer and Redis 10-minute idle limits)",
  },
  {
    resourceTypes: [MANAGED_CLUSTER, AGENT_POOL],
    validateResource: (args, reportViolation) => {
      if (args.type !== MANAGED_CLUSTER && args.type !== AGENT_POOL) return;
      const kind = args.type === AGENT_POOL ? "agent pool" : "cluster";
      reportProblems(reportViolation, `${kind} '${args.name}'`, poolsProblems(args));
    },
  },
);

// ---------------------------------------------------------------------------------------------
// AKS-15, AKS-16: node pools

/** Every node pool of a cluster resource or an AgentPool resource, with a label for messages. */
function poolsOf(args: { type: string; props: unknown }): { pool: AgentPoolProfile; at: string }[] {
  if (args.type === AGENT_POOL) return [{ pool: args.props as AgentPoolProfile, at: "" }];
  const pools = (args.props as ClusterProps).agentPoolProfiles ?? [];
  return pools.map((pool, index) => ({
    pool,
    at: `${typeof pool.name === "string" ? `pool '${pool.name}'` : `pool ${index}`}: agentPoolProfiles[${index}].`,
  }));
}

export const aks15 = resourcePolicy(
  {
    id: "AKS-15",
    seed: "13",
    level: "P",
    rule: "Every node pool has enableEncryptionAtHost: true",
  },
  {
    resourceTypes: [MANAGED_CLUSTER, AGENT_POOL],
    validateResource: (args, reportViolation) => {
      if (args.type !== MANAGED_CLUSTER && args.type !== AGENT_POOL) return;
      const kind = args.type === AGENT_POOL ? "agent pool" : "cluster";
      const problems = poolsOf(args)
        .filter(({ pool }) => pool.enableEncryptionAtHost !== true)
        .map(
          ({ pool, at }) =>
            `${at}enableEncryptionAtHost is ${shown(pool.enableEncryptionAtHost)}, set it to true (temp disks and disk caches encrypted on the host; needs the subscription feature Microsoft.Compute/EncryptionAtHost and can only be set when the pool is created)`,
        );
      reportProblems(reportViolation, `${kind} '${args.name}'`, problems);
    },
  },
);

/** The cluster's pools: inline agentPoolProfiles and AgentPool resources that name the cluster. */
function clusterPools(cluster: PolicyResource, resources: PolicyResource[]): AgentPoolProfile[] {
  const inline = (cluster.props as ClusterProps).agentPoolProfiles ?? [];
  const separate = referrers(resources, cluster, AGENT_POOL, ["resourceName"]).map(
    (pool) => pool.props as AgentPoolProfile,
  );
  return [...inline, ...separate];
}

function poolLayoutProblems(pools: AgentPoolProfile[]): string[] {
  const problems: string[] = [];
  const name = (pool: AgentPoolProfile) => `pool '${pool.name ?? "?"}'`;
  for (const pool of pools.filter((candidate) => equalsIgnoringCase(candidate.mode, "System"))) {
    if (!(pool.nodeTaints ?? []).includes(CRITICAL_ADDONS_TAINT)) {
      problems.push(
        `system ${name(pool)} has nodeTaints ${shown(pool.nodeTaints)}, add "${CRITICAL_ADDONS_TAINT}" so only critical add-ons run there`,
      );
    }
  }
  if (!pools.some((pool) => equalsIgnoringCase(pool.mode, "User"))) {
    problems.push(
      `no node pool has mode "User", so workloads run on the system pool; add a user pool (agentPoolProfiles entry or containerservice:AgentPool with mode: "User")`,
    );
  }
  return problems;
}

export const aks16 = stackPolicy(
  {
    id: "AKS-16",
    seed: "15",
    level: "A",
    rule: "The system pool is tainted CriticalAddonsOnly=true:NoSchedule and workloads have a user pool",
  },
  {
    resourceTypes: [MANAGED_CLUSTER, AGENT_POOL],
    validateStack: (args, reportViolation) => {
      for (const cluster of ofType(args.resources, MANAGED_CLUSTER)) {
        reportProblems(
          reportViolation,
          `cluster '${cluster.name}'`,
          poolLayoutProblems(clusterPools(cluster, args.resources)),
          cluster.urn,
        );
      }
    },
  },
);

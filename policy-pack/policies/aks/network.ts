import { equalsIgnoringCase, shown } from "../shared/readers";
import { clusterPolicy } from "./cluster";

const NETWORK_POLICY_ENGINES = ["azure", "calico", "cilium"];

export const aks02 = clusterPolicy(
  {
    id: "AKS-02",
    seed: "16",
    level: "M",
    rule: "networkProfile.networkPolicy is azure, calico or cilium",
  },
  (props) => {
    const engine = props.networkProfile?.networkPolicy;
    if (NETWORK_POLICY_ENGINES.some((known) => equalsIgnoringCase(engine, known))) return [];
    return [
      `networkProfile.networkPolicy is ${shown(engine)}, so NetworkPolicy objects are not enforced, set networkProfile.networkPolicy: "cilium" (or "azure", "calico")`,
    ];
  },
);

/** 0.0.0.0/0, ::/0 and the like: every address. */
function isOpenRange(range: string): boolean {
  return range.trim().endsWith("/0") || range.trim() === "0.0.0.0";
}

export const aks08 = clusterPolicy(
  {
    id: "AKS-08",
    seed: "15",
    level: "P",
    rule: "apiServerAccessProfile.enablePrivateCluster true, or authorizedIPRanges non-empty without 0.0.0.0/0",
  },
  (props) => {
    const access = props.apiServerAccessProfile;
    if (access?.enablePrivateCluster === true) return [];
    const fix =
      "set apiServerAccessProfile.enablePrivateCluster: true, or list the admin networks in apiServerAccessProfile.authorizedIPRanges";
    const ranges = access?.authorizedIPRanges ?? [];
    if (ranges.length === 0) {
      return [`the API server is public and open to every address (no authorizedIPRanges), ${fix}`];
    }
    const open = ranges.filter(isOpenRange);
    if (open.length === 0) return [];
    return [
      `apiServerAccessProfile.authorizedIPRanges contains ${open.map((range) => JSON.stringify(range)).join(", ")}, which opens the API server to every address, remove it and ${fix}`,
    ];
  },
);

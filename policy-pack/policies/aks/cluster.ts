import { MANAGED_CLUSTER } from "../../facts/tokens";
import { type Control, type ControlPolicy, resourcePolicy } from "../shared/control";
import { propertyIgnoringCase, reportProblems } from "../shared/readers";

interface AddonProfile {
  enabled?: boolean;
  config?: Record<string, unknown>;
}

export interface AgentPoolProfile {
  name?: string;
  mode?: string;
  osType?: string;
  enableEncryptionAtHost?: boolean;
  nodeTaints?: string[];
  linuxOSConfig?: { sysctls?: { netIpv4TcpKeepaliveTime?: number } };
}

export interface ClusterProps {
  kubernetesVersion?: string;
  supportPlan?: string;
  sku?: { tier?: string };
  addonProfiles?: Record<string, AddonProfile>;
  networkProfile?: { networkPolicy?: string };
  aadProfile?: { managed?: boolean; enableAzureRBAC?: boolean };
  disableLocalAccounts?: boolean;
  enableRBAC?: boolean;
  securityProfile?: {
    defender?: {
      logAnalyticsWorkspaceResourceId?: string;
      securityMonitoring?: { enabled?: boolean };
    };
    workloadIdentity?: { enabled?: boolean };
  };
  oidcIssuerProfile?: { enabled?: boolean };
  apiServerAccessProfile?: { enablePrivateCluster?: boolean; authorizedIPRanges?: string[] };
  autoUpgradeProfile?: { upgradeChannel?: string; nodeOSUpgradeChannel?: string };
  agentPoolProfiles?: AgentPoolProfile[];
}

export interface PolicyAssignmentProps {
  displayName?: string;
  policyDefinitionId?: string;
  enforcementMode?: string;
  parameters?: Record<string, { value?: unknown }>;
}

/** A ManagedCluster policy: `check` returns the problems of one cluster, each with its fix. */
export function clusterPolicy(
  control: Control,
  check: (props: ClusterProps) => string[],
): ControlPolicy {
  return resourcePolicy(control, {
    resourceType: MANAGED_CLUSTER,
    validateResource: (args, reportViolation) => {
      reportProblems(reportViolation, `cluster '${args.name}'`, check(args.props as ClusterProps));
    },
  });
}

export function addon(props: ClusterProps, key: string): AddonProfile | undefined {
  return propertyIgnoringCase(props.addonProfiles, key) as AddonProfile | undefined;
}

export function isNonEmptyString(value: unknown): boolean {
  return typeof value === "string" && value.trim() !== "";
}

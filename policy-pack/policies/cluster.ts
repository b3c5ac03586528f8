import type { PolicyResource, ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import { aksSupport, TABLE_AS_OF, TABLE_MAX_AGE_MONTHS, tableIsStale } from "./aks-support";
import {
  AUDIT_CATEGORY_GROUPS,
  equalsIgnoringCase,
  ofType,
  propertyIgnoringCase,
  referencesThrough,
  reportMissingLogs,
  reportProblems,
  resourcePolicy,
  shown,
  stackPolicy,
  type Control,
  type ControlPolicy,
} from "./control";
import {
  AGENT_POOL,
  DIAGNOSTIC_SETTING,
  GATEKEEPER_CONSTRAINT,
  HELM_RELEASE,
  LOG_ANALYTICS_WORKSPACE,
  MANAGED_CLUSTER,
  POLICY_ASSIGNMENT,
  RATIFY_CONSTRAINT_KIND,
} from "../facts/tokens";

const NETWORK_POLICY_ENGINES = ["azure", "calico", "cilium"];
/** Built-in Kubernetes pod security initiatives (infra/azure/cluster.ts POD_SECURITY_INITIATIVES). */
const POD_SECURITY_INITIATIVES: Record<string, string> = {
  baseline: "a8640138-9b0a-4a28-b8cb-1666c838647d",
  restricted: "42b8ef37-b724-4e24-bbc8-7a7708edfe00",
};
const CLUSTER_AUDIT_LOGS = ["kube-audit-admin", "guard"];
/** Under Azure's 4-minute load-balancer idle timeout (and Redis' 10 minutes), with margin. */
const MAX_TCP_KEEPALIVE_SECONDS = 120;

interface AddonProfile {
  enabled?: boolean;
  config?: Record<string, unknown>;
}

interface AgentPoolProfile {
  name?: string;
  mode?: string;
  osType?: string;
  enableEncryptionAtHost?: boolean;
  nodeTaints?: string[];
  linuxOSConfig?: { sysctls?: { netIpv4TcpKeepaliveTime?: number } };
}

interface ClusterProps {
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

interface PolicyAssignmentProps {
  displayName?: string;
  policyDefinitionId?: string;
  enforcementMode?: string;
  parameters?: Record<string, { value?: unknown }>;
}

interface RatifyReleaseProps {
  chart?: string;
  values?: {
    azurekeyvault?: { enabled?: boolean; certificates?: { name?: string }[] };
    notation?: { enabled?: boolean };
  };
}

interface ConstraintProps {
  spec?: { enforcementAction?: string };
}

/** A ManagedCluster policy: `check` returns the problems of one cluster, each with its fix. */
function clusterPolicy(control: Control, check: (props: ClusterProps) => string[]): ControlPolicy {
  return resourcePolicy(control, {
    resourceType: MANAGED_CLUSTER,
    validateResource: (args, reportViolation) => {
      reportProblems(reportViolation, `cluster '${args.name}'`, check(args.props as ClusterProps));
    },
  });
}

function addon(props: ClusterProps, key: string): AddonProfile | undefined {
  return propertyIgnoringCase(props.addonProfiles, key) as AddonProfile | undefined;
}

function isNonEmptyString(value: unknown): boolean {
  return typeof value === "string" && value.trim() !== "";
}

const aks01 = clusterPolicy(
  { id: "AKS-01", seed: "15", level: "M", rule: "addonProfiles.azurepolicy.enabled is true" },
  (props) => {
    const enabled = addon(props, "azurepolicy")?.enabled;
    if (enabled === true) return [];
    return [
      `addonProfiles.azurepolicy.enabled is ${shown(enabled)}, set addonProfiles: { azurepolicy: { enabled: true } } (the Azure Policy add-on enforces pod security and image integrity)`,
    ];
  },
);

const aks02 = clusterPolicy(
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

const aks03 = clusterPolicy(
  {
    id: "AKS-03",
    seed: "1",
    level: "M",
    rule: "aadProfile.managed and aadProfile.enableAzureRBAC true, disableLocalAccounts true, enableRBAC not false",
  },
  (props) => {
    const problems: string[] = [];
    if (props.aadProfile?.managed !== true) {
      problems.push(
        `aadProfile.managed is ${shown(props.aadProfile?.managed)}, set aadProfile.managed: true (Entra ID sign-in)`,
      );
    }
    if (props.aadProfile?.enableAzureRBAC !== true) {
      problems.push(
        `aadProfile.enableAzureRBAC is ${shown(props.aadProfile?.enableAzureRBAC)}, set aadProfile.enableAzureRBAC: true (Kubernetes authorization through Azure role assignments)`,
      );
    }
    if (props.disableLocalAccounts !== true) {
      problems.push(
        `disableLocalAccounts is ${shown(props.disableLocalAccounts)}, set disableLocalAccounts: true (no static admin kubeconfig)`,
      );
    }
    if (props.enableRBAC === false) {
      problems.push(`enableRBAC is false, set enableRBAC: true`);
    }
    return problems;
  },
);

const aks04 = clusterPolicy(
  {
    id: "AKS-04",
    seed: "13",
    level: "M",
    rule: "securityProfile.defender.securityMonitoring.enabled true with a Log Analytics workspace",
  },
  (props) => {
    const defender = props.securityProfile?.defender;
    const problems: string[] = [];
    if (defender?.securityMonitoring?.enabled !== true) {
      problems.push(
        `securityProfile.defender.securityMonitoring.enabled is ${shown(defender?.securityMonitoring?.enabled)}, set it to true (Defender for Containers sensor)`,
      );
    }
    if (!isNonEmptyString(defender?.logAnalyticsWorkspaceResourceId)) {
      problems.push(
        `securityProfile.defender.logAnalyticsWorkspaceResourceId is ${shown(defender?.logAnalyticsWorkspaceResourceId)}, set it to the Log Analytics workspace's id`,
      );
    }
    return problems;
  },
);

const aks05 = clusterPolicy(
  {
    id: "AKS-05",
    seed: "17",
    level: "M",
    rule: "addonProfiles.omsagent enabled with a workspace (Container Insights)",
  },
  (props) => {
    const omsagent = addon(props, "omsagent");
    const problems: string[] = [];
    if (omsagent?.enabled !== true) {
      problems.push(
        `addonProfiles.omsagent.enabled is ${shown(omsagent?.enabled)}, set it to true (Container Insights)`,
      );
    }
    const workspace = propertyIgnoringCase(omsagent?.config, "logAnalyticsWorkspaceResourceID");
    if (!isNonEmptyString(workspace)) {
      problems.push(
        `addonProfiles.omsagent.config.logAnalyticsWorkspaceResourceID is ${shown(workspace)}, set it to the Log Analytics workspace's id`,
      );
    }
    return problems;
  },
);

const aks06 = clusterPolicy(
  {
    id: "AKS-06",
    seed: "14",
    level: "M",
    rule: 'addonProfiles.azureKeyvaultSecretsProvider enabled with enableSecretRotation "true"',
  },
  (props) => {
    const provider = addon(props, "azureKeyvaultSecretsProvider");
    const problems: string[] = [];
    if (provider?.enabled !== true) {
      problems.push(
        `addonProfiles.azureKeyvaultSecretsProvider.enabled is ${shown(provider?.enabled)}, set it to true (Key Vault secrets reach pods through the CSI driver)`,
      );
    }
    const rotation = propertyIgnoringCase(provider?.config, "enableSecretRotation");
    if (!equalsIgnoringCase(rotation, "true")) {
      problems.push(
        `addonProfiles.azureKeyvaultSecretsProvider.config.enableSecretRotation is ${shown(rotation)}, set it to "true" so rotated secrets reach the pods`,
      );
    }
    return problems;
  },
);

const aks07 = clusterPolicy(
  {
    id: "AKS-07",
    seed: "14",
    level: "M",
    rule: "oidcIssuerProfile.enabled and securityProfile.workloadIdentity.enabled true",
  },
  (props) => {
    const problems: string[] = [];
    if (props.oidcIssuerProfile?.enabled !== true) {
      problems.push(
        `oidcIssuerProfile.enabled is ${shown(props.oidcIssuerProfile?.enabled)}, set oidcIssuerProfile: { enabled: true }`,
      );
    }
    const workloadIdentity = props.securityProfile?.workloadIdentity?.enabled;
    if (workloadIdentity !== true) {
      problems.push(
        `securityProfile.workloadIdentity.enabled is ${shown(workloadIdentity)}, set it to true (pods reach Azure with federated credentials, not secrets)`,
      );
    }
    return problems;
  },
);

/** 0.0.0.0/0, ::/0 and the like: every address. */
function isOpenRange(range: string): boolean {
  return range.trim().endsWith("/0") || range.trim() === "0.0.0.0";
}

const aks08 = clusterPolicy(
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

const aks09 = clusterPolicy(
  {
    id: "AKS-09",
    seed: "15",
    level: "A",
    rule: "autoUpgradeProfile.upgradeChannel and nodeOSUpgradeChannel are set (not none)",
  },
  (props) => {
    const channels = props.autoUpgradeProfile;
    const problems: string[] = [];
    const unset = (channel: string | undefined) =>
      !isNonEmptyString(channel) || equalsIgnoringCase(channel, "none");
    if (unset(channels?.upgradeChannel)) {
      problems.push(
        `autoUpgradeProfile.upgradeChannel is ${shown(channels?.upgradeChannel)}, set it to "patch" or "stable" so Kubernetes patches arrive`,
      );
    }
    if (unset(channels?.nodeOSUpgradeChannel)) {
      problems.push(
        `autoUpgradeProfile.nodeOSUpgradeChannel is ${shown(channels?.nodeOSUpgradeChannel)}, set it to "NodeImage" or "SecurityPatch" so node OS fixes arrive`,
      );
    }
    return problems;
  },
);

const aks10 = stackPolicy(
  {
    id: "AKS-10",
    seed: "17,18",
    level: "M",
    rule: "Stack: a monitor:DiagnosticSetting on the cluster sends kube-audit-admin and guard to Log Analytics",
  },
  {
    resourceTypes: [MANAGED_CLUSTER, DIAGNOSTIC_SETTING, LOG_ANALYTICS_WORKSPACE],
    validateStack: (args, reportViolation) => {
      for (const cluster of ofType(args.resources, MANAGED_CLUSTER)) {
        reportMissingLogs(
          cluster,
          args.resources,
          {
            kind: "cluster",
            categories: CLUSTER_AUDIT_LOGS,
            coveringGroups: AUDIT_CATEGORY_GROUPS,
          },
          reportViolation,
        );
      }
    },
  },
);

function podSecurityStandardOf(assignment: PolicyResource): string | undefined {
  const definition = (assignment.props as PolicyAssignmentProps).policyDefinitionId;
  if (typeof definition !== "string") return undefined;
  return Object.keys(POD_SECURITY_INITIATIVES).find((standard) =>
    definition.toLowerCase().includes(POD_SECURITY_INITIATIVES[standard]),
  );
}

function effectOf(assignment: PolicyResource): unknown {
  return (assignment.props as PolicyAssignmentProps).parameters?.effect?.value;
}

/** An assignment whose policy denies: Deny effect, and not switched to DoNotEnforce. */
function isDenying(assignment: PolicyResource): boolean {
  const mode = (assignment.props as PolicyAssignmentProps).enforcementMode;
  return (
    equalsIgnoringCase(effectOf(assignment), "deny") && !equalsIgnoringCase(mode, "DoNotEnforce")
  );
}

function denyProblems(assignment: PolicyResource): string[] {
  const problems: string[] = [];
  const effect = effectOf(assignment);
  if (!equalsIgnoringCase(effect, "deny")) {
    problems.push(
      `parameters.effect.value is ${shown(effect)}, so violations are only audited, set parameters: { effect: { value: "Deny" } }`,
    );
  }
  const mode = (assignment.props as PolicyAssignmentProps).enforcementMode;
  if (equalsIgnoringCase(mode, "DoNotEnforce")) {
    problems.push(`enforcementMode is "DoNotEnforce", set enforcementMode: "Default"`);
  }
  return problems;
}

function checkPodSecurity(
  cluster: PolicyResource,
  resources: PolicyResource[],
  reportViolation: ReportViolation,
): void {
  const assignments = ofType(resources, POLICY_ASSIGNMENT)
    .filter((assignment) => referencesThrough(assignment, cluster, ["scope"]))
    .filter((assignment) => podSecurityStandardOf(assignment) !== undefined);
  if (assignments.some(isDenying)) return;
  if (assignments.length === 0) {
    reportViolation(
      `cluster '${cluster.name}' has no pod security initiative assigned; add an authorization:PolicyAssignment with scope: the cluster's id, policyDefinitionId: "/providers/Microsoft.Authorization/policySetDefinitions/${POD_SECURITY_INITIATIVES.baseline}" (baseline, or restricted ${POD_SECURITY_INITIATIVES.restricted}) and parameters: { effect: { value: "Deny" } }`,
      cluster.urn,
    );
    return;
  }
  for (const assignment of assignments) {
    reportProblems(
      reportViolation,
      `policy assignment '${assignment.name}' (pod security ${podSecurityStandardOf(assignment)} on cluster '${cluster.name}') does not deny`,
      denyProblems(assignment),
      assignment.urn,
    );
  }
}

const aks11 = stackPolicy(
  {
    id: "AKS-11",
    seed: "15",
    level: "P",
    rule: "Stack: an authorization:PolicyAssignment scoped to the cluster assigns the pod security baseline or restricted initiative in Deny effect",
  },
  {
    resourceTypes: [MANAGED_CLUSTER, POLICY_ASSIGNMENT],
    validateStack: (args, reportViolation) => {
      for (const cluster of ofType(args.resources, MANAGED_CLUSTER)) {
        checkPodSecurity(cluster, args.resources, reportViolation);
      }
    },
  },
);

export function isRatifyRelease(resource: PolicyResource): boolean {
  const chart = (resource.props as RatifyReleaseProps).chart;
  return (
    resource.type === HELM_RELEASE &&
    typeof chart === "string" &&
    chart.toLowerCase().includes("ratify")
  );
}

/** What a Ratify release lacks to verify Notation signatures against a Key Vault certificate. */
function verifierProblems(release: PolicyResource): string[] {
  const values = (release.props as RatifyReleaseProps).values;
  const keyVault = values?.azurekeyvault;
  const problems: string[] = [];
  if (keyVault?.enabled !== true) {
    problems.push(`values.azurekeyvault.enabled is ${shown(keyVault?.enabled)}, set it to true`);
  }
  const certificates = Array.isArray(keyVault?.certificates) ? keyVault.certificates : [];
  if (!certificates.some((certificate) => isNonEmptyString(certificate?.name))) {
    problems.push(
      `values.azurekeyvault.certificates names no certificate, set it to [{ name: "<the signing certificate in Key Vault>" }]`,
    );
  }
  if (values?.notation?.enabled === false) {
    problems.push(`values.notation.enabled is false, remove it or set it to true`);
  }
  return problems;
}

/** What is missing for a Ratify release trusting a Key Vault certificate; none when one does. */
function missingVerifier(resources: PolicyResource[]): string[] {
  const releases = resources.filter(isRatifyRelease);
  if (releases.length === 0) {
    return [
      `no Ratify verifier: add a kubernetes:helm.sh/v3:Release of the "ratify" chart with values.azurekeyvault.enabled: true and values.azurekeyvault.certificates: [{ name: "<the signing certificate>" }] (Notation verifier)`,
    ];
  }
  const checked = releases.map((release) => ({ release, problems: verifierProblems(release) }));
  if (checked.some(({ problems }) => problems.length === 0)) return [];
  return checked.map(
    ({ release, problems }) =>
      `Helm release '${release.name}' does not trust a Key Vault signing certificate (${problems.join("; ")})`,
  );
}

interface Enforcement {
  resource: PolicyResource;
  /** The setting as the program wrote it, e.g. `spec.enforcementAction "dryrun"`. */
  setting: string;
  denies: boolean;
}

function constraintEnforcement(resource: PolicyResource): Enforcement | undefined {
  if (!resource.type.startsWith(GATEKEEPER_CONSTRAINT)) return undefined;
  if (!resource.type.endsWith(RATIFY_CONSTRAINT_KIND)) return undefined;
  // Gatekeeper's own default for a constraint without enforcementAction is "deny".
  const action = (resource.props as ConstraintProps).spec?.enforcementAction ?? "deny";
  return {
    resource,
    setting: `spec.enforcementAction ${shown(action)}`,
    denies: equalsIgnoringCase(action, "deny"),
  };
}

function mentionsRatify(assignment: PolicyResource): boolean {
  const props = assignment.props as PolicyAssignmentProps;
  const mentions = (text: unknown) => typeof text === "string" && /ratify/i.test(text);
  return mentions(props.policyDefinitionId) || mentions(props.displayName);
}

function assignmentEnforcement(resource: PolicyResource): Enforcement | undefined {
  if (resource.type !== POLICY_ASSIGNMENT || !mentionsRatify(resource)) return undefined;
  return {
    resource,
    setting: `parameters.effect.value ${shown(effectOf(resource))}`,
    denies: isDenying(resource),
  };
}

/** Whether the stack verifies image signatures (a Ratify release or a Ratify constraint). */
export function requiresSignatures(resources: PolicyResource[]): boolean {
  return resources.some(
    (resource) => isRatifyRelease(resource) || constraintEnforcement(resource) !== undefined,
  );
}

function imageIntegrityEnforcements(resources: PolicyResource[]): Enforcement[] {
  return resources
    .map((resource) => constraintEnforcement(resource) ?? assignmentEnforcement(resource))
    .filter((enforcement): enforcement is Enforcement => enforcement !== undefined);
}

const MISSING_ENFORCEMENT = `no enforcement: add a Gatekeeper constraint kubernetes:constraints.gatekeeper.sh/v1beta1:RatifyVerification with spec.enforcementAction: "deny", or an authorization:PolicyAssignment of the Ratify image-verification policy with parameters: { effect: { value: "Deny" } }`;

/** Enforcement that exists but only audits (dryrun, warn, Audit) lets unsigned images run. */
function reportAuditOnly(
  cluster: PolicyResource,
  enforcements: Enforcement[],
  reportViolation: ReportViolation,
): void {
  if (enforcements.length === 0 || enforcements.some(({ denies }) => denies)) return;
  const settings = enforcements
    .map(({ resource, setting }) => `'${resource.name}' has ${setting}`)
    .join(", ");
  reportViolation(
    `signature verification on cluster '${cluster.name}' only audits: ${settings}; set deny (spec.enforcementAction: "deny" / parameters.effect.value: "Deny") so unsigned images are rejected`,
    enforcements[0].resource.urn,
  );
}

const aks12 = stackPolicy(
  {
    id: "AKS-12",
    seed: "10",
    level: "P",
    rule: "Stack: image integrity: Ratify with a Notation verifier trusting the Key Vault signing certificate, enforced by Gatekeeper or Azure Policy, is deployed on the cluster",
  },
  {
    resourceTypes: (type) =>
      [MANAGED_CLUSTER, HELM_RELEASE, POLICY_ASSIGNMENT].includes(type) ||
      (type.startsWith(GATEKEEPER_CONSTRAINT) && type.endsWith(RATIFY_CONSTRAINT_KIND)),
    validateStack: (args, reportViolation) => {
      // One cluster per stack: the Kubernetes resources of the stack are deployed to it.
      const [cluster] = ofType(args.resources, MANAGED_CLUSTER);
      if (!cluster) return;
      const enforcements = imageIntegrityEnforcements(args.resources);
      const missing = missingVerifier(args.resources);
      if (enforcements.length === 0) missing.push(MISSING_ENFORCEMENT);
      reportProblems(
        reportViolation,
        `cluster '${cluster.name}' does not verify image signatures`,
        missing,
        cluster.urn,
      );
      reportAuditOnly(cluster, enforcements, reportViolation);
    },
  },
);

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

const aks13 = resourcePolicy(
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
// AKS-14: a supported Kubernetes version

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const LONG_TERM_SUPPORT = "AKSLongTermSupport";

/** The day of the check: the `today` setting (a fixed day, for reproducible reports) or now. */
function dayOfCheck(setting: unknown): string {
  if (typeof setting === "string" && ISO_DATE.test(setting)) return setting;
  return new Date().toISOString().slice(0, 10);
}

function versionProblems(props: ClusterProps, today: string): string[] {
  const problems: string[] = [];
  const longTermSupport = equalsIgnoringCase(props.supportPlan, LONG_TERM_SUPPORT);
  if (longTermSupport && !equalsIgnoringCase(props.sku?.tier, "Premium")) {
    problems.push(
      `supportPlan is "${LONG_TERM_SUPPORT}" but sku.tier is ${shown(props.sku?.tier)}; long-term support needs sku: { name: "Base", tier: "Premium" } (Azure rejects it otherwise)`,
    );
  }
  const version = props.kubernetesVersion;
  // Without a version AKS creates the cluster on its default minor, which is always supported.
  if (version === undefined) return problems;
  const answer = aksSupport({
    kubernetesVersion: String(version),
    today,
    longTermSupport: longTermSupport && equalsIgnoringCase(props.sku?.tier, "Premium"),
  });
  if (!answer.supported) problems.push(`kubernetesVersion ${shown(version)} ${answer.reason}`);
  return problems;
}

/**
 * @pulumi/policy gives a policy one level, and AKS-14 is mandatory; "the table is out of date" is
 * advisory. The one advisory, "not checked, not passed" outcome the library has is the one it
 * gives a policy that cannot decide (UnknownValueError, what an unknown value raises): a stale
 * table is exactly that, since whether a listed minor is still supported is no longer known.
 * Pinned to @pulumi/policy 1.21.0 like fast-path.ts.
 */
function staleTable(today: string): Error {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { UnknownValueError } = require("@pulumi/policy/proxy") as {
    UnknownValueError: { prototype: Error };
  };
  // Its constructor wants an unknown-value sentinel and a property path; neither applies here.
  const error = Object.create(UnknownValueError.prototype) as Error;
  error.message = `the AKS support table (as of ${TABLE_AS_OF}) is more than ${TABLE_MAX_AGE_MONTHS} months old on ${today}: table out of date; update policy-pack/policies/aks-support.ts from https://learn.microsoft.com/azure/aks/supported-kubernetes-versions`;
  return error;
}

const aks14 = resourcePolicy(
  {
    id: "AKS-14",
    seed: "15",
    level: "M",
    rule: 'kubernetesVersion is inside AKS\'s support window on the day of the check (a dated support table in the pack; long-term support only with supportPlan AKSLongTermSupport on the Premium tier); advisory "table out of date" when the table is older than 6 months',
  },
  {
    resourceType: MANAGED_CLUSTER,
    configSchema: {
      properties: {
        today: {
          type: "string",
          pattern: "^\\d{4}-\\d{2}-\\d{2}$",
          description: "The day to check against (YYYY-MM-DD); the day of the check when unset",
        },
      },
    },
    validateResource: (args, reportViolation) => {
      const today = dayOfCheck(args.getConfig<{ today?: string }>().today);
      const props = args.props as ClusterProps;
      const problems = versionProblems(props, today);
      reportProblems(reportViolation, `cluster '${args.name}'`, problems);
      const checkedByTable = props.kubernetesVersion !== undefined;
      if (checkedByTable && problems.length === 0 && tableIsStale(today)) throw staleTable(today);
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

const aks15 = resourcePolicy(
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

export const CRITICAL_ADDONS_TAINT = "CriticalAddonsOnly=true:NoSchedule";

/** The cluster's pools: inline agentPoolProfiles and AgentPool resources that name the cluster. */
function clusterPools(cluster: PolicyResource, resources: PolicyResource[]): AgentPoolProfile[] {
  const inline = (cluster.props as ClusterProps).agentPoolProfiles ?? [];
  const separate = ofType(resources, AGENT_POOL)
    .filter((pool) => referencesThrough(pool, cluster, ["resourceName"]))
    .map((pool) => pool.props as AgentPoolProfile);
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

const aks16 = stackPolicy(
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

export const clusterPolicies: ControlPolicy[] = [
  aks01,
  aks02,
  aks03,
  aks04,
  aks05,
  aks06,
  aks07,
  aks08,
  aks09,
  aks10,
  aks11,
  aks12,
  aks13,
  aks14,
  aks15,
  aks16,
];

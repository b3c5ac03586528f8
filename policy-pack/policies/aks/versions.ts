import { MANAGED_CLUSTER } from "../../facts/tokens";
import { resourcePolicy } from "../shared/control";
import { equalsIgnoringCase, reportProblems, shown } from "../shared/readers";
import { aksSupport, TABLE_AS_OF, TABLE_MAX_AGE_MONTHS, tableIsStale } from "./aks-support";
import { clusterPolicy, type ClusterProps, isNonEmptyString } from "./cluster";

export const aks09 = clusterPolicy(
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
  error.message = `the AKS support table (as of ${TABLE_AS_OF}) is more than ${TABLE_MAX_AGE_MONTHS} months old on ${today}: table out of date; update policy-pack/policies/aks/aks-support.ts from https://learn.microsoft.com/azure/aks/supported-kubernetes-versions`;
  return error;
}

export const aks14 = resourcePolicy(
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

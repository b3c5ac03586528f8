import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import {
  GATEKEEPER_CONSTRAINT,
  HELM_RELEASE,
  MANAGED_CLUSTER,
  POLICY_ASSIGNMENT,
  RATIFY_CONSTRAINT_KIND,
} from "../../facts/tokens";
import { stackPolicy } from "../shared/control";
import { equalsIgnoringCase, ofType, reportProblems, shown } from "../shared/readers";
import { isNonEmptyString, type PolicyAssignmentProps } from "./cluster";
import { effectOf, isDenying } from "./pod-security";

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

export const aks12 = stackPolicy(
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

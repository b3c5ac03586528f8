import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import { POD_SECURITY_INITIATIVES, type PodSecurityStandard } from "../../facts/azure";
import { MANAGED_CLUSTER, POLICY_ASSIGNMENT } from "../../facts/tokens";
import { stackPolicy } from "../shared/control";
import { equalsIgnoringCase, ofType, reportProblems, shown } from "../shared/readers";
import { referrers } from "../shared/relations";
import type { PolicyAssignmentProps } from "./cluster";

function podSecurityStandardOf(assignment: PolicyResource): string | undefined {
  const definition = (assignment.props as PolicyAssignmentProps).policyDefinitionId;
  if (typeof definition !== "string") return undefined;
  return (Object.keys(POD_SECURITY_INITIATIVES) as PodSecurityStandard[]).find((standard) =>
    definition.toLowerCase().includes(POD_SECURITY_INITIATIVES[standard]),
  );
}

export function effectOf(assignment: PolicyResource): unknown {
  return (assignment.props as PolicyAssignmentProps).parameters?.effect?.value;
}

/** An assignment whose policy denies: Deny effect, and not switched to DoNotEnforce. */
export function isDenying(assignment: PolicyResource): boolean {
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
  const assignments = referrers(resources, cluster, POLICY_ASSIGNMENT, ["scope"]).filter(
    (assignment) => podSecurityStandardOf(assignment) !== undefined,
  );
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

export const aks11 = stackPolicy(
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

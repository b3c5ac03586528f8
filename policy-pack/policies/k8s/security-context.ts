import { resourcePolicy } from "../shared/control";
import { reportProblems } from "../shared/readers";
import {
  ALL_CONTAINERS,
  containersOf,
  isWorkloadType,
  type PodSpec,
  type Workload,
  type WorkloadContainer,
  workloadOf,
} from "./workloads";

// ---------------------------------------------------------------------------------------------
// K8S-03: hardened security contexts

/** Each container's settings that fail K8S-03, as "what is wrong; what to set". */
function securityContextFindings(pod: PodSpec, { container, path }: WorkloadContainer): string[] {
  const own = container.securityContext ?? {};
  const podLevel = pod.securityContext ?? {};
  const findings: string[] = [];
  const at = `${path}.securityContext`;
  if ((own.runAsNonRoot ?? podLevel.runAsNonRoot) !== true) {
    findings.push(`runAsNonRoot is not true; set ${at}.runAsNonRoot: true (or on the pod)`);
  }
  if ((own.runAsUser ?? podLevel.runAsUser) === 0) {
    findings.push(`runAsUser is 0 (root); set ${at}.runAsUser to a non-zero user id`);
  }
  if (own.allowPrivilegeEscalation !== false) {
    findings.push(
      `allowPrivilegeEscalation is not false; set ${at}.allowPrivilegeEscalation: false`,
    );
  }
  if (own.readOnlyRootFilesystem !== true) {
    findings.push(`readOnlyRootFilesystem is not true; set ${at}.readOnlyRootFilesystem: true`);
  }
  const dropped = (own.capabilities?.drop ?? []).map((capability) => capability.toUpperCase());
  if (!dropped.includes("ALL")) {
    findings.push(`capabilities do not drop ALL; set ${at}.capabilities.drop: ["ALL"]`);
  }
  const seccomp = own.seccompProfile?.type ?? podLevel.seccompProfile?.type;
  if (seccomp !== "RuntimeDefault") {
    findings.push(
      `seccompProfile.type is ${seccomp ?? "unset"}; set ${at}.seccompProfile.type: "RuntimeDefault" (or on the pod)`,
    );
  }
  if (own.privileged === true) {
    findings.push(`privileged is true; set ${at}.privileged: false`);
  }
  return findings;
}

function podFindings(workload: Workload): string[] {
  const pod = workload.podSpec;
  const findings: string[] = [];
  if (pod.hostNetwork === true) {
    findings.push(`hostNetwork is true; set ${workload.podPath}.hostNetwork: false`);
  }
  if (pod.hostPID === true) {
    findings.push(`hostPID is true; set ${workload.podPath}.hostPID: false`);
  }
  (pod.volumes ?? []).forEach((volume, index) => {
    if (volume.hostPath !== undefined) {
      findings.push(
        `volume '${volume.name ?? index}' is a hostPath; remove ${workload.podPath}.volumes[${index}].hostPath (use emptyDir, a PVC or a CSI volume)`,
      );
    }
  });
  return findings;
}

export const k8s03 = resourcePolicy(
  {
    id: "K8S-03",
    seed: "15",
    level: "M",
    rule: "Containers: runAsNonRoot, allowPrivilegeEscalation: false, readOnlyRootFilesystem, capabilities drop ALL, seccomp RuntimeDefault; no privileged, hostNetwork, hostPID, hostPath",
  },
  {
    resourceTypes: isWorkloadType,
    validateResource: (args, reportViolation) => {
      const workload = workloadOf(args.type, args.name, args.props);
      if (!workload) return;
      reportProblems(reportViolation, workload.label, podFindings(workload));
      for (const container of containersOf(workload, ALL_CONTAINERS)) {
        const findings = securityContextFindings(workload.podSpec, container);
        reportProblems(reportViolation, `${workload.label} ${container.label}`, findings);
      }
    },
  },
);

// ---------------------------------------------------------------------------------------------
// K8S-09: UIDs outside the host's system range

const MIN_UID = 10000;

export const k8s09 = resourcePolicy(
  {
    id: "K8S-09",
    seed: "15",
    level: "A",
    rule: "Containers run as a UID of 10000 or more (runAsUser)",
  },
  {
    resourceTypes: isWorkloadType,
    validateResource: (args, reportViolation) => {
      const workload = workloadOf(args.type, args.name, args.props);
      if (!workload) return;
      const podUser = workload.podSpec.securityContext?.runAsUser;
      for (const { container, label, path } of containersOf(workload, ALL_CONTAINERS)) {
        const user = container.securityContext?.runAsUser ?? podUser;
        if (typeof user === "number" && user >= MIN_UID) continue;
        reportViolation(
          `${workload.label} ${label} runs as UID ${user === undefined ? "unset (the image's user)" : user}; set ${path}.securityContext.runAsUser (or ${workload.podPath}.securityContext.runAsUser) to ${MIN_UID} or more, so it shares no UID with a host user`,
        );
      }
    },
  },
);

import type { PolicyResource, ReportViolation } from "@pulumi/policy";

// ---------------------------------------------------------------------------------------------
// Kubernetes inputs (the @pulumi/kubernetes v4 input names the policies read)

export interface Metadata {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  privileged?: boolean;
  capabilities?: { drop?: string[] };
  seccompProfile?: { type?: string };
}

interface EnvVar {
  name?: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name?: string } };
}

export interface Container {
  name?: string;
  image?: string;
  securityContext?: SecurityContext;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  env?: EnvVar[];
  envFrom?: { secretRef?: { name?: string } }[];
  volumeMounts?: { mountPath?: string }[];
  livenessProbe?: unknown;
  readinessProbe?: unknown;
}

export interface PodSpec {
  automountServiceAccountToken?: boolean;
  securityContext?: SecurityContext;
  containers?: Container[];
  initContainers?: Container[];
  ephemeralContainers?: Container[];
  hostNetwork?: boolean;
  hostPID?: boolean;
  volumes?: { name?: string; hostPath?: unknown }[];
}

// ---------------------------------------------------------------------------------------------
// Workloads: every kind that carries a pod spec, and where it carries it

/** Path from the resource's inputs to its pod spec, per kind (any API version). */
export const POD_SPEC_PATHS: Record<string, string[]> = {
  Pod: ["spec"],
  Deployment: ["spec", "template", "spec"],
  StatefulSet: ["spec", "template", "spec"],
  DaemonSet: ["spec", "template", "spec"],
  ReplicaSet: ["spec", "template", "spec"],
  ReplicationController: ["spec", "template", "spec"],
  Job: ["spec", "template", "spec"],
  CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
};

const WORKLOAD_TYPE = /^kubernetes:(?:core|apps|batch|extensions)\/[a-z0-9]+:([A-Za-z]+)$/;

type ContainerRole = "containers" | "initContainers" | "ephemeralContainers";

export const ALL_CONTAINERS: ContainerRole[] = [
  "containers",
  "initContainers",
  "ephemeralContainers",
];

const ROLE_LABELS: Record<ContainerRole, string> = {
  containers: "container",
  initContainers: "init container",
  ephemeralContainers: "ephemeral container",
};

export interface Workload {
  /** e.g. "deployment 'app-deployment'", for messages. */
  label: string;
  podSpec: PodSpec;
  /** e.g. "spec.template.spec". */
  podPath: string;
}

export interface WorkloadContainer {
  container: Container;
  /** e.g. "container 'items-api'". */
  label: string;
  /** e.g. "spec.template.spec.containers[0]". */
  path: string;
}

export function workloadKind(type: string): string | undefined {
  const kind = WORKLOAD_TYPE.exec(type)?.[1];
  return kind !== undefined && Object.hasOwn(POD_SPEC_PATHS, kind) ? kind : undefined;
}

/** Whether a type carries a pod spec (the workload policies' coverage). */
export function isWorkloadType(type: string): boolean {
  return workloadKind(type) !== undefined;
}

export function workloadOf(
  type: string,
  name: string,
  props: Record<string, unknown>,
): Workload | undefined {
  const kind = workloadKind(type);
  if (kind === undefined) return undefined;
  const path = POD_SPEC_PATHS[kind];
  let node: unknown = props;
  for (const key of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  if (typeof node !== "object" || node === null) return undefined;
  return {
    label: `${kind.toLowerCase()} '${name}'`,
    podSpec: node as PodSpec,
    podPath: path.join("."),
  };
}

export function containersOf(workload: Workload, roles: ContainerRole[]): WorkloadContainer[] {
  return roles.flatMap((role) =>
    (workload.podSpec[role] ?? []).map((container, index) => ({
      container,
      label: `${ROLE_LABELS[role]} '${container.name ?? index}'`,
      path: `${workload.podPath}.${role}[${index}]`,
    })),
  );
}

/** The resource policies for workloads: one callback per container of the chosen roles. */
export function forEachContainer(
  roles: ContainerRole[],
  check: (
    workload: Workload,
    container: WorkloadContainer,
    reportViolation: ReportViolation,
  ) => void,
) {
  return (
    args: { type: string; name: string; props: Record<string, unknown> },
    reportViolation: ReportViolation,
  ) => {
    const workload = workloadOf(args.type, args.name, args.props);
    if (!workload) return;
    for (const container of containersOf(workload, roles)) {
      check(workload, container, reportViolation);
    }
  };
}

export function stackWorkloads(resources: PolicyResource[]) {
  return resources.flatMap((resource) => {
    const workload = workloadOf(resource.type, resource.name, resource.props);
    return workload ? [{ resource, workload }] : [];
  });
}

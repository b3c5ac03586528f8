import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import {
  ofType,
  referencesResource,
  reportProblems,
  resourcePolicy,
  stackPolicy,
  type ControlPolicy,
} from "./control";
import {
  INGRESS,
  KUBERNETES_SECRET,
  NAMESPACE,
  NETWORK_POLICY,
  REGISTRY,
  SERVICE,
} from "../facts/tokens";

// ---------------------------------------------------------------------------------------------
// Kubernetes inputs (the @pulumi/kubernetes v4 input names the policies read)

interface Metadata {
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

interface Container {
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

interface PodSpec {
  automountServiceAccountToken?: boolean;
  securityContext?: SecurityContext;
  containers?: Container[];
  initContainers?: Container[];
  ephemeralContainers?: Container[];
  hostNetwork?: boolean;
  hostPID?: boolean;
  volumes?: { name?: string; hostPath?: unknown }[];
}

interface NetworkPolicySpec {
  podSelector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
  policyTypes?: string[];
  ingress?: unknown[];
  egress?: unknown[];
}

// ---------------------------------------------------------------------------------------------
// Workloads: every kind that carries a pod spec, and where it carries it

/** Path from the resource's inputs to its pod spec, per kind (any API version). */
const POD_SPEC_PATHS: Record<string, string[]> = {
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
const ALL_CONTAINERS: ContainerRole[] = ["containers", "initContainers", "ephemeralContainers"];
const ROLE_LABELS: Record<ContainerRole, string> = {
  containers: "container",
  initContainers: "init container",
  ephemeralContainers: "ephemeral container",
};

interface Workload {
  /** e.g. "deployment 'app-deployment'", for messages. */
  label: string;
  podSpec: PodSpec;
  /** e.g. "spec.template.spec". */
  podPath: string;
}

interface WorkloadContainer {
  container: Container;
  /** e.g. "container 'items-api'". */
  label: string;
  /** e.g. "spec.template.spec.containers[0]". */
  path: string;
}

function workloadKind(type: string): string | undefined {
  const kind = WORKLOAD_TYPE.exec(type)?.[1];
  return kind !== undefined && Object.hasOwn(POD_SPEC_PATHS, kind) ? kind : undefined;
}

/** Whether a type carries a pod spec (the workload policies' coverage). */
function isWorkloadType(type: string): boolean {
  return workloadKind(type) !== undefined;
}

function workloadOf(
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

function containersOf(workload: Workload, roles: ContainerRole[]): WorkloadContainer[] {
  return roles.flatMap((role) =>
    (workload.podSpec[role] ?? []).map((container, index) => ({
      container,
      label: `${ROLE_LABELS[role]} '${container.name ?? index}'`,
      path: `${workload.podPath}.${role}[${index}]`,
    })),
  );
}

/** The resource policies for workloads: one callback per container of the chosen roles. */
function forEachContainer(
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

function stackWorkloads(resources: PolicyResource[]) {
  return resources.flatMap((resource) => {
    const workload = workloadOf(resource.type, resource.name, resource.props);
    return workload ? [{ resource, workload }] : [];
  });
}

// ---------------------------------------------------------------------------------------------
// K8S-01: default-deny network policy per namespace

function isEmptySelector(selector: NetworkPolicySpec["podSelector"]): boolean {
  if (typeof selector !== "object" || selector === null) return false;
  const labels = Object.keys(selector.matchLabels ?? {});
  return labels.length === 0 && (selector.matchExpressions ?? []).length === 0;
}

/** podSelector {} with Ingress and Egress and no rule: nothing in, nothing out. */
function isDefaultDenyAll(policy: PolicyResource): boolean {
  const spec = (policy.props as { spec?: NetworkPolicySpec }).spec;
  if (!spec || !isEmptySelector(spec.podSelector)) return false;
  const types = spec.policyTypes ?? [];
  return (
    types.includes("Ingress") &&
    types.includes("Egress") &&
    (spec.ingress ?? []).length === 0 &&
    (spec.egress ?? []).length === 0
  );
}

function inNamespaceByName(policy: PolicyResource, namespace: PolicyResource): boolean {
  const policyNamespace = (policy.props as { metadata?: Metadata }).metadata?.namespace;
  const namespaceName = (namespace.props as { metadata?: Metadata }).metadata?.name;
  return typeof namespaceName === "string" && policyNamespace === namespaceName;
}

const k8s01 = stackPolicy(
  {
    id: "K8S-01",
    seed: "16",
    level: "M",
    rule: "Stack: every Namespace the stack creates has a default-deny NetworkPolicy (ingress and egress)",
  },
  {
    resourceTypes: [NAMESPACE, NETWORK_POLICY],
    validateStack: (args, reportViolation) => {
      const policies = ofType(args.resources, NETWORK_POLICY);
      for (const namespace of ofType(args.resources, NAMESPACE)) {
        // The namespace's name is often an output: a policy taking it is in the namespace.
        const linked = policies.filter((policy) => referencesResource(policy, namespace));
        if (linked.some(isDefaultDenyAll)) continue;
        const named = policies.filter(
          (policy) => !linked.includes(policy) && inNamespaceByName(policy, namespace),
        );
        if (named.some(isDefaultDenyAll)) continue;
        reportViolation(
          `namespace '${namespace.name}' has no default-deny NetworkPolicy; add a networking.k8s.io/v1 NetworkPolicy in it with spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } and no ingress or egress rules`,
          namespace.urn,
        );
      }
    },
  },
);

// ---------------------------------------------------------------------------------------------
// K8S-02: pod security admission level of each namespace

const ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";
const REASON_LABEL = "platform/pod-security-reason";

const k8s02 = resourcePolicy(
  {
    id: "K8S-02",
    seed: "15",
    level: "M",
    rule: "Namespaces carry pod-security.kubernetes.io/enforce: restricted (or baseline with a reason label)",
  },
  {
    resourceType: NAMESPACE,
    validateResource: (args, reportViolation) => {
      const labels = (args.props as { metadata?: Metadata }).metadata?.labels ?? {};
      const level = labels[ENFORCE_LABEL];
      if (level === "restricted") return;
      const reason = labels[REASON_LABEL];
      if (level === "baseline" && typeof reason === "string" && reason.trim() !== "") return;
      const fix = `set metadata.labels["${ENFORCE_LABEL}"]: "restricted" (or "baseline" with a "${REASON_LABEL}" label saying why)`;
      if (level === "baseline") {
        reportViolation(
          `namespace '${args.name}' enforces baseline pod security without a "${REASON_LABEL}" label; ${fix}`,
        );
      } else {
        reportViolation(
          `namespace '${args.name}' has ${ENFORCE_LABEL}=${level ?? "unset"}; ${fix}`,
        );
      }
    },
  },
);

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

const k8s03 = resourcePolicy(
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
// K8S-04: requests and limits

const RESOURCE_NEEDS = [
  ["requests", "cpu"],
  ["requests", "memory"],
  ["limits", "cpu"],
  ["limits", "memory"],
] as const;

function isDeclared(value: unknown): boolean {
  return (typeof value === "string" && value.trim() !== "") || typeof value === "number";
}

const k8s04 = resourcePolicy(
  {
    id: "K8S-04",
    seed: "15",
    level: "M",
    rule: "Containers declare CPU and memory requests and limits",
  },
  {
    resourceTypes: isWorkloadType,
    // Ephemeral containers cannot have resources; init containers can and are scheduled with them.
    validateResource: forEachContainer(
      ["containers", "initContainers"],
      (workload, { container, label, path }, reportViolation) => {
        const missing = RESOURCE_NEEDS.filter(
          ([kind, resource]) => !isDeclared(container.resources?.[kind]?.[resource]),
        ).map(([kind, resource]) => `${kind}.${resource}`);
        if (missing.length === 0) return;
        reportViolation(
          `${workload.label} ${label} declares no ${missing.join(", ")}; set ${path}.resources.requests and .limits for cpu and memory`,
        );
      },
    ),
  },
);

// ---------------------------------------------------------------------------------------------
// K8S-05: images from the stack's registry, pinned by digest where required

const DIGEST = /@sha256:[0-9a-f]{64}$/;

/** The registry host of an image reference; Docker Hub when the first part is not a host. */
function imageHost(image: string): string {
  const slash = image.indexOf("/");
  if (slash < 0) return "docker.io";
  const first = image.slice(0, slash);
  const isHost = first.includes(".") || first.includes(":") || first === "localhost";
  return isHost ? first.toLowerCase() : "docker.io";
}

/** `<registryName>.azurecr.io` of every registry of the stack that names itself. */
function stackLoginServers(resources: PolicyResource[]): string[] {
  return ofType(resources, REGISTRY).flatMap((registry) => {
    const name = (registry.props as { registryName?: string }).registryName;
    return typeof name === "string" ? [`${name.toLowerCase()}.azurecr.io`] : [];
  });
}

function imageFindings(
  image: unknown,
  loginServers: string[],
  requireDigest: boolean,
  path: string,
): string[] {
  if (typeof image !== "string" || image.trim() === "") {
    return [`sets no image; set ${path}.image to an image in the stack's registry`];
  }
  const findings: string[] = [];
  if (!loginServers.includes(imageHost(image))) {
    const where =
      loginServers.length > 0
        ? loginServers.join(" or ")
        : "the stack's registry (the stack declares no containerregistry:Registry with a registryName)";
    findings.push(
      `uses image '${image}' from outside the stack's registry; push it to ${where} and reference it from there in ${path}.image`,
    );
  }
  if (requireDigest && !DIGEST.test(image)) {
    findings.push(
      `uses image '${image}' without a digest; pin it as <registry>/<repository>@sha256:<digest> in ${path}.image`,
    );
  }
  return findings;
}

const k8s05 = stackPolicy(
  {
    id: "K8S-05",
    seed: "10",
    level: "P",
    rule: "Stack: images come from the stack's registry; in prod (config requireDigest) pinned by digest",
  },
  {
    resourceTypes: (type) => isWorkloadType(type) || type === REGISTRY,
    configSchema: { properties: { requireDigest: { type: "boolean", default: false } } },
    validateStack: (args, reportViolation) => {
      const requireDigest = args.getConfig<{ requireDigest?: boolean }>().requireDigest ?? false;
      const workloads = stackWorkloads(args.resources);
      if (workloads.length === 0) return;
      const loginServers = stackLoginServers(args.resources);
      for (const { resource, workload } of workloads) {
        for (const { container, label, path } of containersOf(workload, ALL_CONTAINERS)) {
          const findings = imageFindings(container.image, loginServers, requireDigest, path);
          reportProblems(reportViolation, `${workload.label} ${label}`, findings, resource.urn);
        }
      }
    },
  },
);

// ---------------------------------------------------------------------------------------------
// K8S-06: no secrets in env vars

// Not PWD: that is the shell's working directory.
const SECRET_NAME_WORDS = ["PASSWD", "PASSPHRASE", "CREDENTIAL", "CREDENTIALS"];
const SECRET_NAME_PARTS = [
  "PASSWORD",
  "SECRET",
  "TOKEN",
  "APIKEY",
  "ACCESSKEY",
  "PRIVATEKEY",
  "CONNECTIONSTRING",
  "CONNSTR",
];
/** Values that carry a credential whatever the variable is called. */
const CREDENTIAL_VALUES = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@/i,
  /(?:^|;)\s*(?:password|pwd|accountkey|sharedaccesskey|clientsecret)\s*=/i,
];
const SECRET_FIX =
  "deliver secrets through the Key Vault CSI driver (a SecretProviderClass volume, read from a file) or use workload identity instead";

function nameWords(name: string): string[] {
  // "dbPassword" -> DB_PASSWORD, then split on anything that is not a letter or digit
  const snake = name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
  return snake.split(/[^A-Z0-9]+/).filter((word) => word !== "");
}

function looksLikeSecretName(name: string): boolean {
  const words = nameWords(name);
  const last = words[words.length - 1];
  if (last === "KEY" || last === "KEYS") return true;
  if (words.some((word) => SECRET_NAME_WORDS.includes(word))) return true;
  const compact = words.join("");
  return SECRET_NAME_PARTS.some((part) => compact.includes(part));
}

/**
 * REDIS_PASSWORD_FILE=/mnt/secrets/redis-access-key: the variable names a file of a volume mount
 * (the CSI driver's), not the secret itself.
 */
function namesMountedFile(value: string, container: Container): boolean {
  if (!value.startsWith("/")) return false;
  return (container.volumeMounts ?? []).some(({ mountPath }) => {
    if (typeof mountPath !== "string") return false;
    const directory = mountPath.endsWith("/") ? mountPath : `${mountPath}/`;
    return value.startsWith(directory) && value.length > directory.length;
  });
}

function literalEnvFindings({ container, path }: WorkloadContainer): string[] {
  const findings: string[] = [];
  (container.env ?? []).forEach((variable, index) => {
    const name = variable.name ?? `#${index}`;
    const value = variable.value;
    if (typeof value !== "string" || value === "") return;
    const at = `${path}.env[${index}]`;
    if (CREDENTIAL_VALUES.some((pattern) => pattern.test(value))) {
      findings.push(`env ${name} (${at}.value) holds a credential in its literal value`);
    } else if (looksLikeSecretName(name) && !namesMountedFile(value, container)) {
      const hint = value.startsWith("/") ? " (a path, but not to a file of a volume mount)" : "";
      findings.push(`env ${name} (${at}.value) is a literal secret value${hint}`);
    }
  });
  return findings;
}

interface StackSecret {
  resource: PolicyResource;
  name: unknown;
  namespace: unknown;
}

/** Secrets the stack creates with data in them: their values sit in the program and the state. */
function secretsWithLiteralData(resources: PolicyResource[]): StackSecret[] {
  return ofType(resources, KUBERNETES_SECRET).flatMap((resource) => {
    const props = resource.props as {
      metadata?: Metadata;
      data?: Record<string, unknown>;
      stringData?: Record<string, unknown>;
    };
    const entries =
      Object.keys(props.data ?? {}).length + Object.keys(props.stringData ?? {}).length;
    if (entries === 0) return [];
    const metadata = props.metadata ?? {};
    return [{ resource, name: metadata.name, namespace: metadata.namespace }];
  });
}

/** The stack Secret a reference by name means: same name (and namespace), or a taken output. */
function referencedSecret(
  secretName: unknown,
  workload: PolicyResource,
  secrets: StackSecret[],
): StackSecret | undefined {
  const workloadNamespace = (workload.props as { metadata?: Metadata }).metadata?.namespace;
  return secrets.find((secret) => {
    if (typeof secret.name !== "string") return referencesResource(workload, secret.resource);
    const sameNamespace =
      typeof secret.namespace !== "string" ||
      typeof workloadNamespace !== "string" ||
      secret.namespace === workloadNamespace;
    return secret.name === secretName && sameNamespace;
  });
}

function secretReferenceFindings(
  { container, path }: WorkloadContainer,
  workload: PolicyResource,
  secrets: () => StackSecret[],
): string[] {
  const references = [
    ...(container.env ?? []).flatMap((variable, index) => {
      const reference = variable.valueFrom?.secretKeyRef;
      return reference
        ? [{ at: `${path}.env[${index}].valueFrom.secretKeyRef`, name: reference.name }]
        : [];
    }),
    ...(container.envFrom ?? []).flatMap((source, index) =>
      source.secretRef
        ? [{ at: `${path}.envFrom[${index}].secretRef`, name: source.secretRef.name }]
        : [],
    ),
  ];
  return references.flatMap(({ at, name }) => {
    const secret = referencedSecret(name, workload, secrets());
    return secret
      ? [`${at} reads Secret '${secret.resource.name}', which the stack creates with literal data`]
      : [];
  });
}

const k8s06 = stackPolicy(
  {
    id: "K8S-06",
    seed: "14",
    level: "M",
    rule: "Stack: no secret values as literal env vars (nor from Secrets the stack fills); secrets arrive through the Key Vault CSI driver or workload identity",
  },
  {
    resourceTypes: (type) => isWorkloadType(type) || type === KUBERNETES_SECRET,
    validateStack: (args, reportViolation) => {
      let secrets: StackSecret[] | undefined;
      const stackSecrets = () => (secrets ??= secretsWithLiteralData(args.resources));
      for (const { resource, workload } of stackWorkloads(args.resources)) {
        for (const container of containersOf(workload, ALL_CONTAINERS)) {
          const findings = [
            ...literalEnvFindings(container),
            ...secretReferenceFindings(container, resource, stackSecrets),
          ];
          if (findings.length === 0) continue;
          reportViolation(
            `${workload.label} ${container.label}: ${findings.join("; ")}; ${SECRET_FIX}`,
            resource.urn,
          );
        }
      }
    },
  },
);

// ---------------------------------------------------------------------------------------------
// K8S-07: probes

const k8s07 = resourcePolicy(
  {
    id: "K8S-07",
    seed: "—",
    level: "A",
    rule: "Containers declare liveness and readiness probes",
  },
  {
    resourceTypes: isWorkloadType,
    validateResource: forEachContainer(
      ["containers"],
      (workload, { container, label, path }, reportViolation) => {
        const missing = (["livenessProbe", "readinessProbe"] as const).filter(
          (probe) => container[probe] === undefined || container[probe] === null,
        );
        if (missing.length === 0) return;
        reportViolation(
          `${workload.label} ${label} declares no ${missing.join(" or ")}; set ${missing.map((probe) => `${path}.${probe}`).join(" and ")} (e.g. httpGet on a health endpoint)`,
        );
      },
    ),
  },
);

// ---------------------------------------------------------------------------------------------
// K8S-08: no Kubernetes API token unless the pod calls the API

/** The annotation on a pod (template) that says why it calls the Kubernetes API. */
export const KUBERNETES_API_REASON = "platform/kubernetes-api-reason";

/** The pod (template) metadata of a workload: the sibling of its pod spec. */
function podMetadataOf(type: string, props: Record<string, unknown>): Metadata | undefined {
  const kind = workloadKind(type);
  if (kind === undefined) return undefined;
  let node: unknown = props;
  for (const key of POD_SPEC_PATHS[kind].slice(0, -1)) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  if (typeof node !== "object" || node === null) return undefined;
  return (node as { metadata?: Metadata }).metadata;
}

/**
 * Workload identity does not need the automounted token: the azure-workload-identity webhook
 * adds its own projected service account token volume (audience api://AzureADTokenExchange) to
 * every pod it mutates, whatever automountServiceAccountToken says
 * (Azure/azure-workload-identity, pkg/webhook/webhook.go: addProjectedVolume and
 * addProjectedVolumeMount), and the Key Vault CSI driver gets its token through the CSIDriver's
 * tokenRequests, not the pod's automounted one.
 */
const k8s08 = resourcePolicy(
  {
    id: "K8S-08",
    seed: "14",
    level: "M",
    rule: "Pods set automountServiceAccountToken: false unless they call the Kubernetes API (workload identity projects its own token)",
  },
  {
    resourceTypes: isWorkloadType,
    validateResource: (args, reportViolation) => {
      const workload = workloadOf(args.type, args.name, args.props);
      if (!workload) return;
      if (workload.podSpec.automountServiceAccountToken === false) return;
      const annotations = podMetadataOf(args.type, args.props)?.annotations ?? {};
      const reason = annotations[KUBERNETES_API_REASON];
      if (typeof reason === "string" && reason.trim() !== "") return;
      reportViolation(
        `${workload.label} has automountServiceAccountToken ${workload.podSpec.automountServiceAccountToken === undefined ? "unset (Kubernetes mounts the token)" : "true"}; set ${workload.podPath}.automountServiceAccountToken: false (workload identity projects its own token), or, if the pod calls the Kubernetes API, say why in the pod annotation "${KUBERNETES_API_REASON}"`,
      );
    },
  },
);

// ---------------------------------------------------------------------------------------------
// K8S-09: UIDs outside the host's system range

const MIN_UID = 10000;

const k8s09 = resourcePolicy(
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

// ---------------------------------------------------------------------------------------------
// K8S-10: TLS for every Ingress host

interface IngressSpec {
  rules?: { host?: string }[];
  tls?: { hosts?: string[]; secretName?: string }[];
}

const k8s10 = resourcePolicy(
  {
    id: "K8S-10",
    seed: "15",
    level: "M",
    rule: "Every `Ingress` has TLS for each of its hosts",
  },
  {
    resourceType: INGRESS,
    validateResource: (args, reportViolation) => {
      const spec = (args.props.spec ?? {}) as IngressSpec;
      const name = (args.props.metadata as Metadata | undefined)?.name ?? args.name;
      const covered = new Set(
        (spec.tls ?? []).filter((entry) => entry.secretName).flatMap((entry) => entry.hosts ?? []),
      );
      const rules = spec.rules ?? [];
      const problems = rules.flatMap((rule, index) => {
        if (!rule.host) {
          return [
            `spec.rules[${index}] has no host, so it answers any name without a certificate; set spec.rules[${index}].host`,
          ];
        }
        return covered.has(rule.host)
          ? []
          : [
              `host '${rule.host}' (spec.rules[${index}]) has no TLS; add it to spec.tls[].hosts with a spec.tls[].secretName (or the Key Vault certificate annotation of application routing)`,
            ];
      });
      if (rules.length === 0)
        problems.push("has no rules with a host; declare spec.rules[].host and TLS for it");
      reportProblems(reportViolation, `Ingress '${name}'`, problems);
    },
  },
);

// ---------------------------------------------------------------------------------------------
// K8S-11: load balancers stay internal

/**
 * The annotation of the Azure cloud provider that gives a LoadBalancer Service a private frontend
 * (https://learn.microsoft.com/azure/aks/internal-lb; cloud-provider-azure's
 * ServiceAnnotationLoadBalancerInternal).
 */
export const INTERNAL_LB_ANNOTATION = "service.beta.kubernetes.io/azure-load-balancer-internal";

const k8s11 = resourcePolicy(
  {
    id: "K8S-11",
    seed: "15",
    level: "P",
    rule: "No `Service` of type `LoadBalancer` without the internal load-balancer annotation",
  },
  {
    resourceType: SERVICE,
    validateResource: (args, reportViolation) => {
      const spec = (args.props.spec ?? {}) as { type?: string };
      if (spec.type !== "LoadBalancer") return;
      const metadata = (args.props.metadata ?? {}) as Metadata & {
        annotations?: Record<string, string>;
      };
      const value = metadata.annotations?.[INTERNAL_LB_ANNOTATION];
      if (value === "true") return;
      reportViolation(
        `Service '${metadata.name ?? args.name}' is a LoadBalancer with a public frontend (${INTERNAL_LB_ANNOTATION} is ${value === undefined ? "unset" : JSON.stringify(value)}); set metadata.annotations["${INTERNAL_LB_ANNOTATION}"]: "true", or expose it through the ingress controller`,
      );
    },
  },
);

export const kubernetesPolicies: ControlPolicy[] = [
  k8s01,
  k8s02,
  k8s03,
  k8s04,
  k8s05,
  k8s06,
  k8s07,
  k8s08,
  k8s09,
  k8s10,
  k8s11,
];

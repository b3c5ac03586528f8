import { describe, expect, it } from "vitest";
import {
  expectCantRun,
  expectFailure,
  expectPasses,
  fixtureChanger,
  NAMESPACE,
  present,
  REGISTRY,
  type FailureCase,
} from "../../support/policy-fixtures";
import {
  analyze,
  secret,
  testResource,
  UNKNOWN,
  violationsOf,
  type TestResource,
} from "../../support/policy-harness";

const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SECRET = "kubernetes:core/v1:Secret";

const K8S_POLICIES = [
  "k8s-01",
  "k8s-02",
  "k8s-03",
  "k8s-04",
  "k8s-05",
  "k8s-06",
  "k8s-07",
  "k8s-10",
  "k8s-11",
];
const DIGEST = `sha256:${"4f53cda18c2baa0c".repeat(4)}`;
const IMAGE = `acrcontosoprod.azurecr.io/apps/items-api@${DIGEST}`;

// ---------------------------------------------------------------------------------------------
// Fixtures: prod's namespace and workload, built fresh for each test

interface TestContainer {
  name: string;
  image?: string;
  securityContext?: Record<string, unknown>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  env?: Record<string, unknown>[];
  envFrom?: Record<string, unknown>[];
  volumeMounts?: { name: string; mountPath: string }[];
  livenessProbe?: unknown;
  readinessProbe?: unknown;
}

interface TestPodSpec {
  automountServiceAccountToken?: boolean;
  securityContext?: Record<string, unknown>;
  containers: TestContainer[];
  initContainers?: TestContainer[];
  ephemeralContainers?: TestContainer[];
  hostNetwork?: boolean;
  hostPID?: boolean;
  volumes?: Record<string, unknown>[];
}

function hardenedContext(): Record<string, unknown> {
  return {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    privileged: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** The app's pod, plus an init container that inherits runAsNonRoot and seccomp from the pod. */
function compliantPod(): TestPodSpec {
  return {
    automountServiceAccountToken: false,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 10001,
      seccompProfile: { type: "RuntimeDefault" },
    },
    containers: [
      {
        name: "items-api",
        image: IMAGE,
        env: [
          { name: "PORT", value: "8080" },
          { name: "REDIS_URL", value: "rediss://redis-contoso-prod.redis.cache.windows.net:6380" },
          { name: "KEY_VAULT_NAME", value: "kv-contoso-prod" },
          { name: "REDIS_PASSWORD_FILE", value: "/mnt/secrets/redis-access-key" },
        ],
        resources: {
          requests: { cpu: "100m", memory: "128Mi" },
          limits: { cpu: "500m", memory: "256Mi" },
        },
        securityContext: hardenedContext(),
        livenessProbe: { httpGet: { path: "/healthz", port: "http" } },
        readinessProbe: { httpGet: { path: "/readyz", port: "http" } },
        volumeMounts: [
          { name: "tmp", mountPath: "/tmp" },
          { name: "secrets", mountPath: "/mnt/secrets" },
        ],
      },
    ],
    initContainers: [
      {
        name: "migrate",
        image: IMAGE,
        resources: {
          requests: { cpu: "50m", memory: "64Mi" },
          limits: { cpu: "100m", memory: "64Mi" },
        },
        securityContext: {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["all"] },
        },
      },
    ],
    volumes: [
      { name: "tmp", emptyDir: {} },
      {
        name: "secrets",
        csi: { driver: "secrets-store.csi.k8s.io", volumeAttributes: { secretProviderClass: "x" } },
      },
    ],
  };
}

interface Fixture {
  namespace: TestResource;
  denyAll?: TestResource;
  registry?: TestResource;
  pod: TestPodSpec;
  others: TestResource[];
}

function compliantFixture(): Fixture {
  const namespace = testResource(NAMESPACE, "app-namespace-ns", {
    metadata: {
      name: "items",
      labels: {
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/audit": "restricted",
      },
    },
  });
  const denyAll = testResource(
    NETWORK_POLICY,
    "app-namespace-default-deny",
    {
      metadata: { name: "default-deny-all", namespace: "items" },
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    },
    { dependsOn: { metadata: [namespace] } },
  );
  const registry = testResource(REGISTRY, "registry-acr", { registryName: "acrContosoProd" });
  return { namespace, denyAll, registry, pod: compliantPod(), others: [] };
}

/** Wraps a pod spec the way each workload kind carries it. */
const WORKLOAD_KINDS = {
  Pod: { type: "kubernetes:core/v1:Pod", path: "spec", wrap: (pod: TestPodSpec) => pod },
  Deployment: { type: DEPLOYMENT, path: "spec.template.spec", wrap: templated },
  StatefulSet: {
    type: "kubernetes:apps/v1:StatefulSet",
    path: "spec.template.spec",
    wrap: templated,
  },
  DaemonSet: { type: "kubernetes:apps/v1:DaemonSet", path: "spec.template.spec", wrap: templated },
  ReplicaSet: {
    type: "kubernetes:apps/v1:ReplicaSet",
    path: "spec.template.spec",
    wrap: templated,
  },
  Job: { type: "kubernetes:batch/v1:Job", path: "spec.template.spec", wrap: templated },
  CronJob: {
    type: "kubernetes:batch/v1:CronJob",
    path: "spec.jobTemplate.spec.template.spec",
    wrap: (pod: TestPodSpec) => ({ schedule: "0 * * * *", jobTemplate: { spec: templated(pod) } }),
  },
} as const;

function templated(pod: TestPodSpec) {
  return { selector: { matchLabels: { app: "items-api" } }, template: { spec: pod } };
}

function workload(fixture: Fixture, kind: keyof typeof WORKLOAD_KINDS = "Deployment") {
  const { type, wrap } = WORKLOAD_KINDS[kind];
  return testResource(
    type,
    "app-workload",
    { metadata: { name: "items-api", namespace: "items" }, spec: wrap(fixture.pod) },
    { dependsOn: { metadata: [fixture.namespace] } },
  );
}

function resourcesOf(fixture: Fixture, kind: keyof typeof WORKLOAD_KINDS = "Deployment") {
  const { namespace, denyAll, registry, others } = fixture;
  return present(namespace, denyAll, registry, workload(fixture, kind), ...others);
}

const withFixture = fixtureChanger(compliantFixture, resourcesOf);

/** Shorthands for the app container, the init container and the pod of a fixture. */
const app = (fixture: Fixture) => fixture.pod.containers[0];
const init = (fixture: Fixture) => fixture.pod.initContainers![0];

const URNS = (() => {
  const fixture = compliantFixture();
  return { namespace: fixture.namespace.urn, workload: workload(fixture).urn };
})();

// ---------------------------------------------------------------------------------------------

describe("kubernetes policies: compliant stacks", () => {
  it("prod's namespace, deny-all policy and hardened workload pass every K8S policy", async () => {
    await expectPasses(resourcesOf(compliantFixture()), K8S_POLICIES);
  });

  it("K8S-01 finds the deny-all policy by namespace name when there is no dependency", async () => {
    const violations = await analyze(
      withFixture((fixture) => {
        fixture.denyAll = testResource(NETWORK_POLICY, "by-name", {
          metadata: { name: "deny", namespace: "items" },
          spec: { podSelector: { matchLabels: {} }, policyTypes: ["Egress", "Ingress"] },
        });
      }),
    );
    expect(violationsOf(violations, "k8s-01")).toEqual([]);
  });

  it("K8S-02 accepts baseline with a reason label", async () => {
    const violations = await analyze(
      withFixture(({ namespace }) => {
        namespace.inputs.metadata = {
          name: "ingress",
          labels: {
            "pod-security.kubernetes.io/enforce": "baseline",
            "platform/pod-security-reason": "ingress-controller-needs-net-bind",
          },
        };
      }),
    );
    expect(violationsOf(violations, "k8s-02")).toEqual([]);
  });

  it("K8S-06 passes mounted files, names that are no secret and Secrets the stack does not fill", async () => {
    const violations = await analyze(
      withFixture((fixture) => {
        app(fixture).env!.push(
          {
            name: "DB_PASSWORD",
            valueFrom: { secretKeyRef: { name: "made-by-the-csi-driver", key: "password" } },
          },
          { name: "PWD", value: "/app" },
          { name: "APP_CREDENTIALS", value: "/mnt/secrets/app.json" },
          { name: "MONKEY_BUSINESS", value: "none" },
        );
        fixture.others.push(
          testResource(SECRET, "unrelated", {
            metadata: { name: "unrelated", namespace: "items" },
            stringData: { token: "x" },
          }),
        );
      }),
    );
    expect(violationsOf(violations, "k8s-06")).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------

/** A failure case that changes the compliant fixture. */
type FixtureFailure = Omit<FailureCase, "resources"> & { change: (fixture: Fixture) => void };

const C0 = "spec.template.spec.containers[0]";
const I0 = "spec.template.spec.initContainers[0]";

const namespaceFailures: FixtureFailure[] = [
  {
    what: "no network policy in the namespace",
    change: (fixture) => delete fixture.denyAll,
    policy: "k8s-01",
    level: "mandatory",
    urn: URNS.namespace,
    message: `namespace 'app-namespace-ns' has no default-deny NetworkPolicy; add a networking.k8s.io/v1 NetworkPolicy in it with spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] }`,
  },
  {
    what: "a deny policy that selects only some pods",
    change: ({ denyAll }) =>
      Object.assign(denyAll!.inputs, {
        spec: { podSelector: { matchLabels: { app: "x" } }, policyTypes: ["Ingress", "Egress"] },
      }),
    policy: "k8s-01",
    level: "mandatory",
    urn: URNS.namespace,
    message: "has no default-deny NetworkPolicy",
  },
  {
    what: "a deny policy for ingress only",
    change: ({ denyAll }) =>
      Object.assign(denyAll!.inputs, { spec: { podSelector: {}, policyTypes: ["Ingress"] } }),
    policy: "k8s-01",
    level: "mandatory",
    urn: URNS.namespace,
    message: "has no default-deny NetworkPolicy",
  },
  {
    what: "a policy with an allow rule (allow-dns)",
    change: ({ denyAll }) =>
      Object.assign(denyAll!.inputs, {
        spec: {
          podSelector: {},
          policyTypes: ["Ingress", "Egress"],
          egress: [{ ports: [{ protocol: "UDP", port: 53 }] }],
        },
      }),
    policy: "k8s-01",
    level: "mandatory",
    urn: URNS.namespace,
    message: "has no default-deny NetworkPolicy",
  },
  {
    what: "a deny-all policy in another namespace",
    change: (fixture) => {
      fixture.denyAll = testResource(NETWORK_POLICY, "elsewhere", {
        metadata: { name: "deny", namespace: "other" },
        spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
      });
    },
    policy: "k8s-01",
    level: "mandatory",
    urn: URNS.namespace,
    message: "has no default-deny NetworkPolicy",
  },
  {
    what: "baseline without a reason",
    change: ({ namespace }) => {
      namespace.inputs.metadata = {
        name: "items",
        labels: { "pod-security.kubernetes.io/enforce": "baseline" },
      };
    },
    policy: "k8s-02",
    level: "mandatory",
    urn: URNS.namespace,
    message: `namespace 'app-namespace-ns' enforces baseline pod security without a "platform/pod-security-reason" label; set metadata.labels["pod-security.kubernetes.io/enforce"]: "restricted"`,
  },
  {
    what: "privileged pod security",
    change: ({ namespace }) => {
      namespace.inputs.metadata = {
        name: "items",
        labels: { "pod-security.kubernetes.io/enforce": "privileged" },
      };
    },
    policy: "k8s-02",
    level: "mandatory",
    urn: URNS.namespace,
    message: "namespace 'app-namespace-ns' has pod-security.kubernetes.io/enforce=privileged",
  },
  {
    what: "no pod security labels",
    change: ({ namespace }) => {
      namespace.inputs.metadata = { name: "items" };
    },
    policy: "k8s-02",
    level: "mandatory",
    urn: URNS.namespace,
    message: "has pod-security.kubernetes.io/enforce=unset",
  },
];

const securityFailures: FixtureFailure[] = [
  {
    what: "a container overriding runAsNonRoot",
    change: (fixture) => (app(fixture).securityContext!.runAsNonRoot = false),
    policy: "k8s-03",
    level: "mandatory",
    message: `deployment 'app-workload' container 'items-api': runAsNonRoot is not true; set ${C0}.securityContext.runAsNonRoot: true`,
  },
  {
    what: "runAsNonRoot on neither pod nor init container",
    change: (fixture) => delete fixture.pod.securityContext!.runAsNonRoot,
    policy: "k8s-03",
    level: "mandatory",
    message: `deployment 'app-workload' init container 'migrate': runAsNonRoot is not true; set ${I0}.securityContext.runAsNonRoot`,
  },
  {
    what: "a root user id",
    change: (fixture) => (app(fixture).securityContext!.runAsUser = 0),
    policy: "k8s-03",
    level: "mandatory",
    message: "runAsUser is 0 (root)",
  },
  {
    what: "privilege escalation not switched off",
    change: (fixture) => delete app(fixture).securityContext!.allowPrivilegeEscalation,
    policy: "k8s-03",
    level: "mandatory",
    message: `allowPrivilegeEscalation is not false; set ${C0}.securityContext.allowPrivilegeEscalation: false`,
  },
  {
    what: "a writable root filesystem",
    change: (fixture) => (app(fixture).securityContext!.readOnlyRootFilesystem = false),
    policy: "k8s-03",
    level: "mandatory",
    message: `readOnlyRootFilesystem is not true; set ${C0}.securityContext.readOnlyRootFilesystem: true`,
  },
  {
    what: "capabilities not all dropped",
    change: (fixture) => (app(fixture).securityContext!.capabilities = { drop: ["NET_RAW"] }),
    policy: "k8s-03",
    level: "mandatory",
    message: `capabilities do not drop ALL; set ${C0}.securityContext.capabilities.drop: ["ALL"]`,
  },
  {
    what: "a container overriding seccomp with Unconfined",
    change: (fixture) => (app(fixture).securityContext!.seccompProfile = { type: "Unconfined" }),
    policy: "k8s-03",
    level: "mandatory",
    message: `seccompProfile.type is Unconfined; set ${C0}.securityContext.seccompProfile.type: "RuntimeDefault"`,
  },
  {
    what: "no seccomp profile on pod or init container",
    change: (fixture) => delete fixture.pod.securityContext!.seccompProfile,
    policy: "k8s-03",
    level: "mandatory",
    message: "init container 'migrate': seccompProfile.type is unset",
  },
  {
    what: "a privileged container",
    change: (fixture) => (app(fixture).securityContext!.privileged = true),
    policy: "k8s-03",
    level: "mandatory",
    message: `privileged is true; set ${C0}.securityContext.privileged: false`,
  },
  {
    what: "an ephemeral debug container without hardening",
    change: (fixture) => (fixture.pod.ephemeralContainers = [{ name: "debug", image: IMAGE }]),
    policy: "k8s-03",
    level: "mandatory",
    message: "deployment 'app-workload' ephemeral container 'debug': allowPrivilegeEscalation",
  },
  {
    what: "host networking",
    change: (fixture) => (fixture.pod.hostNetwork = true),
    policy: "k8s-03",
    level: "mandatory",
    message:
      "deployment 'app-workload': hostNetwork is true; set spec.template.spec.hostNetwork: false",
  },
  {
    what: "the host's PID namespace",
    change: (fixture) => (fixture.pod.hostPID = true),
    policy: "k8s-03",
    level: "mandatory",
    message: "hostPID is true; set spec.template.spec.hostPID: false",
  },
  {
    what: "a hostPath volume",
    change: (fixture) => fixture.pod.volumes!.push({ name: "docker", hostPath: { path: "/var" } }),
    policy: "k8s-03",
    level: "mandatory",
    message:
      "volume 'docker' is a hostPath; remove spec.template.spec.volumes[2].hostPath (use emptyDir",
  },
  {
    what: "no memory limit",
    change: (fixture) => delete app(fixture).resources!.limits!.memory,
    policy: "k8s-04",
    level: "mandatory",
    message: `deployment 'app-workload' container 'items-api' declares no limits.memory; set ${C0}.resources.requests and .limits for cpu and memory`,
  },
  {
    what: "an init container without resources",
    change: (fixture) => delete init(fixture).resources,
    policy: "k8s-04",
    level: "mandatory",
    message:
      "init container 'migrate' declares no requests.cpu, requests.memory, limits.cpu, limits.memory",
  },
  {
    what: "an empty CPU request",
    change: (fixture) => (app(fixture).resources!.requests!.cpu = ""),
    policy: "k8s-04",
    level: "mandatory",
    message: "container 'items-api' declares no requests.cpu;",
  },
  {
    what: "no readiness probe",
    change: (fixture) => delete app(fixture).readinessProbe,
    policy: "k8s-07",
    level: "advisory",
    message: `deployment 'app-workload' container 'items-api' declares no readinessProbe; set ${C0}.readinessProbe`,
  },
  {
    what: "no probes at all",
    change: (fixture) => {
      delete app(fixture).readinessProbe;
      delete app(fixture).livenessProbe;
    },
    policy: "k8s-07",
    level: "advisory",
    message: `declares no livenessProbe or readinessProbe; set ${C0}.livenessProbe and ${C0}.readinessProbe`,
  },
];

const imageFailures: FixtureFailure[] = [
  {
    what: "an image from Docker Hub",
    change: (fixture) => (app(fixture).image = "nginx:1.27"),
    policy: "k8s-05",
    level: "advisory",
    message: `deployment 'app-workload' container 'items-api': uses image 'nginx:1.27' from outside the stack's registry; push it to acrcontosoprod.azurecr.io and reference it from there in ${C0}.image`,
  },
  {
    what: "an init container image from another registry",
    change: (fixture) => (init(fixture).image = `ghcr.io/acme/migrate@${DIGEST}`),
    policy: "k8s-05",
    level: "advisory",
    message: `init container 'migrate': uses image 'ghcr.io/acme/migrate@${DIGEST}' from outside`,
  },
  {
    what: "a registry lookalike path",
    change: (fixture) => (app(fixture).image = `docker.io/acrcontosoprod.azurecr.io/app@${DIGEST}`),
    policy: "k8s-05",
    level: "advisory",
    message: "from outside the stack's registry",
  },
  {
    what: "no registry in the stack",
    change: (fixture) => {
      delete fixture.registry;
      delete fixture.pod.initContainers;
    },
    policy: "k8s-05",
    level: "advisory",
    message:
      "the stack's registry (the stack declares no containerregistry:Registry with a registryName)",
  },
  {
    what: "no image",
    change: (fixture) => delete app(fixture).image,
    policy: "k8s-05",
    level: "advisory",
    message: `container 'items-api': sets no image; set ${C0}.image`,
  },
];

const SECRET_FIX = "through the Key Vault CSI driver";
const secretFailures: FixtureFailure[] = [
  {
    what: "a literal password",
    change: (fixture) => app(fixture).env!.push({ name: "DB_PASSWORD", value: "hunter2" }),
    policy: "k8s-06",
    level: "mandatory",
    message: `deployment 'app-workload' container 'items-api': env DB_PASSWORD (${C0}.env[4].value) is a literal secret value; deliver secrets through the Key Vault CSI driver (a SecretProviderClass volume, read from a file) or use workload identity instead`,
  },
  {
    what: "a literal password that is a secret on the wire",
    change: (fixture) => app(fixture).env!.push({ name: "REDIS_KEY", value: secret("abc") }),
    policy: "k8s-06",
    level: "mandatory",
    message: "env REDIS_KEY (",
  },
  {
    what: "a camel-case API key",
    change: (fixture) => app(fixture).env!.push({ name: "stripeApiKey", value: "sk_live_x" }),
    policy: "k8s-06",
    level: "mandatory",
    message: "env stripeApiKey",
  },
  {
    what: "a token",
    change: (fixture) => app(fixture).env!.push({ name: "GITHUB_TOKEN", value: "ghp_x" }),
    policy: "k8s-06",
    level: "mandatory",
    message: "env GITHUB_TOKEN",
  },
  {
    what: "a connection string",
    change: (fixture) =>
      app(fixture).env!.push({ name: "SERVICEBUS_CONNECTION_STRING", value: "Endpoint=sb://x" }),
    policy: "k8s-06",
    level: "mandatory",
    message: "env SERVICEBUS_CONNECTION_STRING",
  },
  {
    what: "a credential inside an innocent name's URL",
    change: (fixture) => {
      app(fixture).env![1] = { name: "REDIS_URL", value: "rediss://:hunter2@redis:6380" }; // secret-scan: allow
    },
    policy: "k8s-06",
    level: "mandatory",
    message: `env REDIS_URL (${C0}.env[1].value) holds a credential in its literal value`,
  },
  {
    what: "a password in a connection string of an innocent name",
    change: (fixture) =>
      app(fixture).env!.push({ name: "DATABASE", value: "Server=db;User Id=app;Password=x;" }),
    policy: "k8s-06",
    level: "mandatory",
    message: "env DATABASE",
  },
  {
    what: "a _FILE variable that is not a mounted file",
    change: (fixture) => {
      app(fixture).env![3] = { name: "REDIS_PASSWORD_FILE", value: "/etc/redis-password" };
    },
    policy: "k8s-06",
    level: "mandatory",
    message: `env REDIS_PASSWORD_FILE (${C0}.env[3].value) is a literal secret value (a path, but not to a file of a volume mount)`,
  },
  {
    what: "an init container's literal secret",
    change: (fixture) => (init(fixture).env = [{ name: "ADMIN_SECRET", value: "x" }]),
    policy: "k8s-06",
    level: "mandatory",
    message: `init container 'migrate': env ADMIN_SECRET (${I0}.env[0].value)`,
  },
  {
    what: "a secretKeyRef to a Secret the stack fills with stringData",
    change: (fixture) => {
      fixture.others.push(
        testResource(SECRET, "redis-secret", {
          metadata: { name: "redis", namespace: "items" },
          stringData: { password: secret("hunter2") },
        }),
      );
      app(fixture).env!.push({
        name: "REDIS_PASSWORD",
        valueFrom: { secretKeyRef: { name: "redis", key: "password" } },
      });
    },
    policy: "k8s-06",
    level: "mandatory",
    message: `${C0}.env[4].valueFrom.secretKeyRef reads Secret 'redis-secret', which the stack creates with literal data`,
  },
  {
    what: "envFrom a Secret the stack fills, named by output",
    change: (fixture) => {
      const filled = testResource(SECRET, "app-env", { data: { TOKEN: "eA==" } });
      fixture.others.push(filled);
      app(fixture).envFrom = [{ secretRef: { name: "app-env-1a2b3c" } }];
      fixture.others.push(
        testResource(
          WORKLOAD_KINDS.Pod.type,
          "uses-output",
          { metadata: { name: "x" }, spec: { containers: [app(fixture)] } },
          { dependsOn: { spec: [filled] } },
        ),
      );
    },
    policy: "k8s-06",
    level: "mandatory",
    urn: `urn:pulumi:test::aks-devsecops::${WORKLOAD_KINDS.Pod.type}::uses-output`,
    message:
      "pod 'uses-output' container 'items-api': spec.containers[0].envFrom[0].secretRef reads Secret 'app-env'",
  },
];

describe("kubernetes policies: each failure mode", () => {
  it.each([...namespaceFailures, ...securityFailures, ...imageFailures, ...secretFailures])(
    "$policy: $what",
    ({ change, ...failure }) =>
      expectFailure({ ...failure, resources: () => withFixture(change) }, URNS.workload),
  );

  it("K8S-06 names the fix in every message", async () => {
    const violations = violationsOf(
      await analyze(
        withFixture((fixture) => app(fixture).env!.push({ name: "SMTP_PASSWD", value: "x" })),
      ),
      "k8s-06",
    );
    expect(violations.map(({ message }) => message)).toEqual([expect.stringContaining(SECRET_FIX)]);
  });

  it("K8S-03 reports each container's problems in one violation", async () => {
    const violations = violationsOf(
      await analyze(withFixture((fixture) => delete app(fixture).securityContext)),
      "k8s-03",
    );
    expect(violations.map(({ message }) => message)).toEqual([
      expect.stringMatching(
        /container 'items-api': allowPrivilegeEscalation.*readOnlyRootFilesystem.*capabilities/,
      ),
    ]);
  });
});

describe("kubernetes policies: every kind of workload", () => {
  it.each(Object.keys(WORKLOAD_KINDS) as (keyof typeof WORKLOAD_KINDS)[])(
    "%s: its pod spec is checked by K8S-03, K8S-04, K8S-05, K8S-06 and K8S-07",
    async (kind) => {
      const fixture = compliantFixture();
      Object.assign(app(fixture), {
        image: "nginx",
        env: [{ name: "API_TOKEN", value: "x" }],
        securityContext: { ...hardenedContext(), privileged: true },
      });
      delete app(fixture).resources;
      delete app(fixture).livenessProbe;
      const violations = await analyze(resourcesOf(fixture, kind));
      const container = `${WORKLOAD_KINDS[kind].path}.containers[0]`;
      for (const [policy, text] of [
        ["k8s-03", `${container}.securityContext.privileged: false`],
        ["k8s-04", `${container}.resources.requests`],
        ["k8s-05", `${container}.image`],
        ["k8s-06", `${container}.env[0].value`],
        ["k8s-07", `${container}.livenessProbe`],
      ]) {
        expect(violationsOf(violations, policy).map(({ message }) => message)).toEqual([
          expect.stringContaining(text),
        ]);
      }
    },
  );
});

describe("kubernetes policies: config and unknown values", () => {
  it("K8S-05 requires a digest only when policy config says so (prod)", async () => {
    const resources = withFixture((fixture) => {
      app(fixture).image = "acrcontosoprod.azurecr.io/apps/items-api:dev";
    });
    expect(violationsOf(await analyze(resources), "k8s-05")).toEqual([]);
    const prod = await analyze(resources, {
      policyConfig: { "k8s-05": { enforcementLevel: "mandatory", requireDigest: true } },
    });
    expect(violationsOf(prod, "k8s-05")).toEqual([
      {
        policy: "k8s-05",
        enforcementLevel: "mandatory",
        urn: URNS.workload,
        message: expect.stringContaining(
          `uses image 'acrcontosoprod.azurecr.io/apps/items-api:dev' without a digest; pin it as <registry>/<repository>@sha256:<digest> in ${C0}.image`,
        ),
      },
    ]);
    const pinned = await analyze(resourcesOf(compliantFixture()), {
      policyConfig: { "k8s-05": { requireDigest: true } },
    });
    expect(violationsOf(pinned, "k8s-05")).toEqual([]);
  });

  it("an unknown securityContext gives an advisory 'can't run' diagnostic, not a pass", () =>
    expectCantRun(
      withFixture((fixture) => (app(fixture).securityContext = UNKNOWN as never)),
      "k8s-03",
      /can't run policy 'k8s-03'.*securityContext/,
    ));

  it("an unknown image stops K8S-05 (a stack policy) the same way", () =>
    expectCantRun(
      withFixture((fixture) => (app(fixture).image = UNKNOWN as string)),
      "k8s-05",
      /can't run policy 'k8s-05'.*image/,
    ));
});

// ---------------------------------------------------------------------------------------------
// K8S-08, K8S-09 (issue 14)

describe("K8S-08: no automounted Kubernetes API token", () => {
  it("passes the app's pod (automountServiceAccountToken: false; workload identity projects its own token)", () =>
    expectPasses(resourcesOf(compliantFixture()), ["k8s-08"]));

  it.each([
    ["unset", undefined, "unset (Kubernetes mounts the token)"],
    ["true", true, "true"],
  ])(
    "flags a pod with automountServiceAccountToken %s, mandatory",
    async (_, value, shownValue) => {
      const violations = violationsOf(
        await analyze(withFixture((fixture) => (fixture.pod.automountServiceAccountToken = value))),
        "k8s-08",
      );
      expect(violations).toEqual([
        {
          policy: "k8s-08",
          enforcementLevel: "mandatory",
          urn: URNS.workload,
          message: `deployment 'app-workload' has automountServiceAccountToken ${shownValue}; set spec.template.spec.automountServiceAccountToken: false (workload identity projects its own token), or, if the pod calls the Kubernetes API, say why in the pod annotation "platform/kubernetes-api-reason"`,
        },
      ]);
    },
  );

  it("accepts a pod that calls the Kubernetes API and says why", async () => {
    const pod = { ...compliantPod(), automountServiceAccountToken: undefined };
    const operator = testResource(DEPLOYMENT, "operator", {
      metadata: { name: "operator", namespace: "items" },
      spec: {
        template: {
          metadata: { annotations: { "platform/kubernetes-api-reason": "watches ConfigMaps" } },
          spec: pod,
        },
      },
    });
    expect(violationsOf(await analyze([operator]), "k8s-08")).toEqual([]);
  });
});

describe("K8S-09: UIDs of 10000 or more", () => {
  it("passes the pod-level runAsUser 10001 for every container", () =>
    expectPasses(resourcesOf(compliantFixture()), ["k8s-09"]));

  it("flags a container below 10000 and one with no runAsUser at all (advisory)", async () => {
    const violations = violationsOf(
      await analyze(
        withFixture((fixture) => {
          delete fixture.pod.securityContext!.runAsUser;
          app(fixture).securityContext!.runAsUser = 1000;
        }),
      ),
      "k8s-09",
    );
    expect(violations.map(({ enforcementLevel, message }) => [enforcementLevel, message])).toEqual([
      [
        "advisory",
        "deployment 'app-workload' container 'items-api' runs as UID 1000; set spec.template.spec.containers[0].securityContext.runAsUser (or spec.template.spec.securityContext.runAsUser) to 10000 or more, so it shares no UID with a host user",
      ],
      [
        "advisory",
        expect.stringContaining(
          "deployment 'app-workload' init container 'migrate' runs as UID unset (the image's user)",
        ),
      ],
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// K8S-10 (TLS on every Ingress host) and K8S-11 (internal load balancers only)

const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
const SERVICE = "kubernetes:core/v1:Service";
const HOST = "items.dev.items.contoso.example";

function ingress(spec: Record<string, unknown>): TestResource {
  return testResource(INGRESS, "app-ingress-ingress", {
    metadata: { name: "items-api", namespace: "items" },
    spec: { ingressClassName: "webapprouting.kubernetes.azure.com", ...spec },
  });
}
const rule = (host?: string) => ({
  ...(host ? { host } : {}),
  http: {
    paths: [{ path: "/api", pathType: "Prefix", backend: { service: { name: "items-api" } } }],
  },
});

function loadBalancer(annotations?: Record<string, string>, type = "LoadBalancer"): TestResource {
  return testResource(SERVICE, "edge", {
    metadata: { name: "edge", namespace: "items", ...(annotations ? { annotations } : {}) },
    spec: { type, ports: [{ port: 443 }] },
  });
}

describe("K8S-10 and K8S-11: exposure", () => {
  it("K8S-10 passes an Ingress whose every host has TLS", async () => {
    const violations = await analyze([
      ingress({ rules: [rule(HOST)], tls: [{ hosts: [HOST], secretName: "keyvault-items-api" }] }),
    ]);
    expect(violationsOf(violations, "k8s-10")).toEqual([]);
  });

  it("K8S-10 fails a host without TLS and a rule without a host, naming each", async () => {
    const other = "admin.dev.items.contoso.example";
    const violations = violationsOf(
      await analyze([
        ingress({
          rules: [rule(HOST), rule(other), rule()],
          tls: [{ hosts: [HOST], secretName: "keyvault-items-api" }],
        }),
      ]),
      "k8s-10",
    );
    expect(violations).toHaveLength(1);
    expect(violations[0].enforcementLevel).toBe("mandatory");
    expect(violations[0].message).toContain(`host '${other}' (spec.rules[1]) has no TLS`);
    expect(violations[0].message).toContain("spec.rules[2] has no host");
    expect(violations[0].message).not.toContain(`host '${HOST}'`);
    // TLS without a secret is no TLS either.
    const noSecret = await analyze([ingress({ rules: [rule(HOST)], tls: [{ hosts: [HOST] }] })]);
    expect(violationsOf(noSecret, "k8s-10")).toHaveLength(1);
  });

  it("K8S-11 passes ClusterIP Services and internal load balancers, fails a public one", async () => {
    const passing = await analyze([
      loadBalancer({ "service.beta.kubernetes.io/azure-load-balancer-internal": "true" }),
      testResource(SERVICE, "plain", { metadata: { name: "plain" }, spec: { type: "ClusterIP" } }),
    ]);
    expect(violationsOf(passing, "k8s-11")).toEqual([]);
    for (const annotations of [
      undefined,
      { "service.beta.kubernetes.io/azure-load-balancer-internal": "false" },
    ]) {
      const failing = violationsOf(await analyze([loadBalancer(annotations)]), "k8s-11");
      expect(failing).toHaveLength(1);
      expect(failing[0].message).toMatch(
        /Service 'edge' is a LoadBalancer with a public frontend .*set metadata\.annotations\["service\.beta\.kubernetes\.io\/azure-load-balancer-internal"\]: "true"/,
      );
    }
  });
});

import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { APP_ROUTING } from "./ingress";
import type { ServiceAccountRef } from "../azure/identity";
import type { AppConfig } from "../config";
import type { RedisEndpoint } from "../azure/redis";

export const APP_PORT = 8080;
/** Prometheus metrics: a port of its own, which the Ingress never routes. */
export const METRICS_PORT = 9090;
/**
 * Seconds the kubelet waits before SIGTERM (preStop sleep; the image has no shell): endpoints drop
 * the pod meanwhile. The app then drains behind readiness for SHUTDOWN_DRAIN_MS before it closes.
 * https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/#hook-handler-implementations
 */
const PRESTOP_SLEEP_SECONDS = 5;
const SHUTDOWN_DRAIN_MS = 5_000;
const SECRETS_MOUNT = "/mnt/secrets";
/** The Key Vault secret holding the Redis access key (access-key mode only). */
export const REDIS_KEY_SECRET_NAME = "redis-access-key";

/**
 * `replicas`: what the autoscaler keeps at least (and starts with), `maxReplicas` at most,
 * `targetCpuUtilization` its CPU target in %; `ingressNamespace`: the namespace of the ingress
 * controller whose pods may reach the app.
 */
export interface AppWorkloadArgs extends Pick<
  AppConfig,
  "replicas" | "maxReplicas" | "targetCpuUtilization" | "ingressNamespace"
> {
  namespace: pulumi.Input<string>;
  /** Full image reference: `<registry>/<repository>@sha256:...` (or `:tag` outside prod). */
  image: pulumi.Input<string>;
  identity: {
    clientId: pulumi.Input<string>;
    principalId: pulumi.Input<string>;
    tenantId: pulumi.Input<string>;
  };
  /** The stack's Redis: endpoint, cluster or standalone, ports and auth ("entra": token of the
   * workload identity; "access-key": key from Key Vault via the CSI driver). */
  redis: Pick<RedisEndpoint, "hostName" | "port" | "mode" | "ports" | "auth">;
  keyVaultName: pulumi.Input<string>;
  /** CIDR the Redis endpoint lives in (the private-endpoint subnet), or 0.0.0.0/0 for a public cache. */
  redisCidr: string;
  /** The Entra ID tenant and the API application's client id: who issues tokens, for whom. */
  auth: { tenantId: pulumi.Input<string>; audience: pulumi.Input<string> };
}

const SERVICE_ACCOUNT = "items-api";

/**
 * Spread replicas over zones and nodes. ScheduleAnyway: a single-zone dev pool still schedules
 * (https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/).
 */
const APP_TOPOLOGY_SPREAD_KEYS = ["topology.kubernetes.io/zone", "kubernetes.io/hostname"];
const APP_LABELS = {
  "app.kubernetes.io/name": "items-api",
  "app.kubernetes.io/part-of": "platform",
};
const APP_TOPOLOGY_SPREAD = APP_TOPOLOGY_SPREAD_KEYS.map((topologyKey) => ({
  maxSkew: 1,
  topologyKey,
  whenUnsatisfiable: "ScheduleAnyway",
  labelSelector: { matchLabels: APP_LABELS },
}));

/**
 * The items API on the cluster: workload identity, Key Vault CSI secrets, a hardened pod
 * (restricted pod security), network allows for exactly what it talks to, and a disruption budget.
 */
export class AppWorkload extends pulumi.ComponentResource {
  readonly serviceName: pulumi.Output<string>;
  /** The service account the pods run as: the subject the app identity must trust. */
  readonly serviceAccount: pulumi.Output<ServiceAccountRef>;

  constructor(name: string, args: AppWorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:kubernetes:AppWorkload", name, {}, opts);
    const child = { parent: this };
    const meta = (resourceName: string) => ({
      name: resourceName,
      namespace: args.namespace,
      labels: APP_LABELS,
    });

    const serviceAccount = new k8s.core.v1.ServiceAccount(
      `${name}-sa`,
      {
        metadata: {
          ...meta(SERVICE_ACCOUNT),
          annotations: { "azure.workload.identity/client-id": args.identity.clientId },
        },
        automountServiceAccountToken: false,
      },
      child,
    );
    const usesKeyVaultSecret = args.redis.auth === "access-key";
    const secretProvider = usesKeyVaultSecret
      ? new k8s.apiextensions.CustomResource(
          `${name}-secrets`,
          {
            apiVersion: "secrets-store.csi.x-k8s.io/v1",
            kind: "SecretProviderClass",
            metadata: meta("items-api-redis"),
            spec: {
              provider: "azure",
              parameters: {
                usePodIdentity: "false",
                clientID: args.identity.clientId,
                keyvaultName: args.keyVaultName,
                tenantId: args.identity.tenantId,
                objects: `array:\n  - |\n    objectName: ${REDIS_KEY_SECRET_NAME}\n    objectType: secret\n`,
              },
            },
          },
          child,
        )
      : undefined;

    new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      {
        metadata: meta("items-api"),
        spec: {
          // No `replicas`: the HorizontalPodAutoscaler owns the count (an `up` would reset it).
          selector: { matchLabels: APP_LABELS },
          strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
          template: {
            metadata: { labels: { ...APP_LABELS, "azure.workload.identity/use": "true" } },
            spec: {
              serviceAccountName: serviceAccount.metadata.name,
              automountServiceAccountToken: false,
              enableServiceLinks: false,
              terminationGracePeriodSeconds: 30,
              securityContext: {
                runAsNonRoot: true,
                runAsUser: 10001,
                runAsGroup: 10001,
                fsGroup: 10001,
                seccompProfile: { type: "RuntimeDefault" },
              },
              topologySpreadConstraints: APP_TOPOLOGY_SPREAD,
              containers: [
                {
                  name: "items-api",
                  image: args.image,
                  imagePullPolicy: "IfNotPresent",
                  ports: [
                    { name: "http", containerPort: APP_PORT },
                    { name: "metrics", containerPort: METRICS_PORT },
                  ],
                  lifecycle: { preStop: { sleep: { seconds: PRESTOP_SLEEP_SECONDS } } },
                  env: appEnvironment(args),
                  resources: {
                    requests: { cpu: "100m", memory: "128Mi" },
                    limits: { cpu: "500m", memory: "256Mi" },
                  },
                  securityContext: {
                    runAsNonRoot: true,
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    privileged: false,
                    capabilities: { drop: ["ALL"] },
                    seccompProfile: { type: "RuntimeDefault" },
                  },
                  livenessProbe: {
                    httpGet: { path: "/healthz", port: "http" },
                    periodSeconds: 10,
                    failureThreshold: 3,
                  },
                  readinessProbe: {
                    httpGet: { path: "/readyz", port: "http" },
                    periodSeconds: 2,
                    failureThreshold: 1,
                  },
                  volumeMounts: [
                    { name: "tmp", mountPath: "/tmp" },
                    ...(secretProvider
                      ? [{ name: "secrets", mountPath: SECRETS_MOUNT, readOnly: true }]
                      : []),
                  ],
                },
              ],
              volumes: [
                { name: "tmp", emptyDir: { sizeLimit: "16Mi" } },
                ...(secretProvider
                  ? [
                      {
                        name: "secrets",
                        csi: {
                          driver: "secrets-store.csi.k8s.io",
                          readOnly: true,
                          volumeAttributes: { secretProviderClass: "items-api-redis" },
                        },
                      },
                    ]
                  : []),
              ],
            },
          },
        },
      },
      { ...child, dependsOn: secretProvider ? [secretProvider] : [] },
    );

    const service = new k8s.core.v1.Service(
      `${name}-service`,
      {
        metadata: meta("items-api"),
        spec: {
          selector: APP_LABELS,
          ports: [
            { name: "http", port: 80, targetPort: "http" },
            { name: "metrics", port: METRICS_PORT, targetPort: "metrics" },
          ],
        },
      },
      child,
    );
    new k8s.policy.v1.PodDisruptionBudget(
      `${name}-pdb`,
      {
        metadata: meta("items-api"),
        spec: { maxUnavailable: 1, selector: { matchLabels: APP_LABELS } },
      },
      child,
    );
    new k8s.autoscaling.v2.HorizontalPodAutoscaler(
      `${name}-hpa`,
      {
        metadata: meta("items-api"),
        spec: {
          scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "items-api" },
          minReplicas: args.replicas,
          maxReplicas: args.maxReplicas,
          metrics: [
            {
              type: "Resource",
              resource: {
                name: "cpu",
                target: {
                  type: "Utilization",
                  averageUtilization: args.targetCpuUtilization,
                },
              },
            },
          ],
        },
      },
      child,
    );
    this.networkPolicies(name, args);
    this.serviceName = service.metadata.name;
    this.serviceAccount = pulumi
      .all([serviceAccount.metadata.namespace, serviceAccount.metadata.name])
      .apply(([namespace, name]) => ({ namespace, name }));
    this.registerOutputs({ serviceName: this.serviceName, serviceAccount: this.serviceAccount });
  }

  /** Exactly the traffic the app needs on top of the namespace's default deny. */
  private networkPolicies(name: string, args: AppWorkloadArgs): void {
    const policy = (key: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) =>
      new k8s.networking.v1.NetworkPolicy(
        `${name}-${key}`,
        {
          metadata: { name: `items-api-${key}`, namespace: args.namespace, labels: APP_LABELS },
          spec,
        },
        { parent: this },
      );
    policy("allow-ingress", {
      podSelector: { matchLabels: APP_LABELS },
      policyTypes: ["Ingress"],
      ingress: [
        {
          // Exactly the ingress controller's pods: both selectors in one peer mean "and".
          from: [
            {
              namespaceSelector: {
                matchLabels: { "kubernetes.io/metadata.name": args.ingressNamespace },
              },
              podSelector: { matchLabels: { ...APP_ROUTING.controllerPodLabels } },
            },
          ],
          ports: [{ protocol: "TCP", port: APP_PORT }],
        },
      ],
    });
    policy("allow-redis", {
      podSelector: { matchLabels: APP_LABELS },
      policyTypes: ["Egress"],
      egress: [
        {
          to: [{ ipBlock: { cidr: args.redisCidr } }],
          ports: args.redis.ports.map(({ port, endPort }) => ({
            protocol: "TCP",
            port,
            ...(endPort ? { endPort } : {}),
          })),
        },
      ],
    });
    // Microsoft Entra ID (login.microsoftonline.com): the tenant's token signing keys, and the
    // token exchange for Redis AUTH with Entra ID.
    policy("allow-entra-id", {
      podSelector: { matchLabels: APP_LABELS },
      policyTypes: ["Egress"],
      egress: [
        { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] },
      ],
    });
  }
}

function appEnvironment(args: AppWorkloadArgs): k8s.types.input.core.v1.EnvVar[] {
  const env: k8s.types.input.core.v1.EnvVar[] = [
    { name: "PORT", value: String(APP_PORT) },
    {
      name: "REDIS_URL",
      value: pulumi.interpolate`rediss://${args.redis.hostName}:${args.redis.port}`,
    },
    { name: "REDIS_MODE", value: args.redis.mode },
    { name: "LOG_LEVEL", value: "info" },
    { name: "METRICS_PORT", value: String(METRICS_PORT) },
    { name: "SHUTDOWN_DRAIN_MS", value: String(SHUTDOWN_DRAIN_MS) },
    { name: "AUTH_TENANT_ID", value: args.auth.tenantId },
    { name: "AUTH_AUDIENCE", value: args.auth.audience },
  ];
  if (args.redis.auth === "access-key") {
    env.push({ name: "REDIS_PASSWORD_FILE", value: `${SECRETS_MOUNT}/${REDIS_KEY_SECRET_NAME}` });
  } else {
    env.push(
      { name: "REDIS_AUTH", value: "entra" },
      { name: "REDIS_USERNAME", value: args.identity.principalId },
    );
  }
  return env;
}

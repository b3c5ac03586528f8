import { describe, expect, it } from "vitest";
import { byName, inputsOf, onlyInputs, resourcesOfType, STACKS } from "../support/stacks";

const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

describe.each(STACKS)("app workload (%s)", (stack) => {
  const deployment = () => onlyInputs(stack, "kubernetes:apps/v1:Deployment");
  const container = () => deployment().spec.template.spec.containers[0];

  it("runs in a namespace that enforces the restricted pod security standard", () => {
    const namespace = onlyInputs(stack, "kubernetes:core/v1:Namespace");
    expect(namespace.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });

  it("denies all traffic by default and allows only DNS, Redis's ports and the ingress controller", () => {
    const policies = resourcesOfType(stack, NETWORK_POLICY).map(inputsOf);
    const deny = policies.find((policy) => policy.metadata.name === "default-deny-all");
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    const dns = policies.find((policy) => policy.metadata.name === "allow-dns");
    expect(dns.spec.egress[0].ports).toEqual([
      { protocol: "UDP", port: 53 },
      { protocol: "TCP", port: 53 },
    ]);
    const redis = policies.find((policy) => policy.metadata.name === "items-api-allow-redis");
    // Azure Managed Redis with OSS clustering: port 10000 and each shard's 85xx port.
    expect(redis.spec.egress[0].ports).toEqual([
      { protocol: "TCP", port: 10000 },
      { protocol: "TCP", port: 8500, endPort: 8599 },
    ]);
    const ingress = policies.find((policy) => policy.metadata.name === "items-api-allow-ingress");
    expect(ingress.spec.ingress[0].from[0].namespaceSelector.matchLabels).toEqual({
      "kubernetes.io/metadata.name": "app-routing-system",
    });
  });

  it("runs a hardened container with requests, limits and probes", () => {
    const pod = deployment().spec.template.spec;
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(pod.hostNetwork ?? false).toBe(false);
    expect(container().securityContext).toEqual({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      privileged: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container().resources.requests).toEqual({ cpu: "100m", memory: "128Mi" });
    expect(container().resources.limits).toEqual({ cpu: "500m", memory: "256Mi" });
    expect(container().livenessProbe.httpGet.path).toBe("/healthz");
    expect(container().readinessProbe.httpGet.path).toBe("/readyz");
  });

  it("uses workload identity and passes no secret value in the environment", () => {
    const serviceAccount = onlyInputs(stack, "kubernetes:core/v1:ServiceAccount");
    expect(serviceAccount.metadata.annotations["azure.workload.identity/client-id"]).toMatch(
      /^[0-9a-f-]{36}$/,
    );
    expect(deployment().spec.template.metadata.labels["azure.workload.identity/use"]).toBe("true");
    for (const variable of container().env) {
      expect(variable.name).not.toMatch(/PASSWORD$|KEY$|SECRET$|TOKEN$/);
    }
    const redisUrl = container().env.find(
      (variable: { name: string }) => variable.name === "REDIS_URL",
    );
    expect(redisUrl.value).toMatch(/^rediss:\/\/.+:10000$/);
    expect(byName(stack, "app-deployment").propertyDependencies.spec).toContain(
      byName(stack, "redis-cluster").urn,
    );
  });

  it("scales on CPU between the configured replicas, spread over zones and nodes", () => {
    const hpa = onlyInputs(stack, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler");
    const expected = { dev: [1, 2], prod: [3, 9] }[stack];
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual(expected);
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: "items-api",
    });
    expect(hpa.spec.metrics[0].resource).toEqual({
      name: "cpu",
      target: { type: "Utilization", averageUtilization: 70 },
    });
    // The autoscaler owns the count: the Deployment does not set one an `up` would reset.
    expect(deployment().spec.replicas).toBeUndefined();
    const spread = deployment().spec.template.spec.topologySpreadConstraints;
    expect(spread.map((constraint: { topologyKey: string }) => constraint.topologyKey)).toEqual([
      "topology.kubernetes.io/zone",
      "kubernetes.io/hostname",
    ]);
  });

  it("keeps a replica during voluntary disruptions", () => {
    expect(onlyInputs(stack, "kubernetes:policy/v1:PodDisruptionBudget").spec.maxUnavailable).toBe(
      1,
    );
    expect(byName(stack, "app-service").type).toBe("kubernetes:core/v1:Service");
  });
});

describe("app workload differences", () => {
  it("prod: image from the stack's registry pinned by digest, Entra ID auth, no Key Vault secret", () => {
    const container = onlyInputs("prod", "kubernetes:apps/v1:Deployment").spec.template.spec
      .containers[0];
    expect(container.image).toMatch(
      /^acrcontosoprod\.azurecr\.io\/apps\/items-api@sha256:[0-9a-f]{64}$/,
    );
    expect(container.env).toContainEqual({ name: "REDIS_AUTH", value: "entra" });
    expect(
      resourcesOfType("prod", "kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass"),
    ).toHaveLength(0);
  });
  it("dev: Entra ID for Redis too, no Key Vault secret or CSI volume for it", () => {
    const deployment = onlyInputs("dev", "kubernetes:apps/v1:Deployment");
    const container = deployment.spec.template.spec.containers[0];
    expect(container.image).toBe("acrcontosodev.azurecr.io/apps/items-api:dev");
    expect(container.env).toContainEqual({ name: "REDIS_AUTH", value: "entra" });
    expect(
      resourcesOfType("dev", "kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass"),
    ).toHaveLength(0);
  });
});

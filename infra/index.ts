import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as resources from "@pulumi/azure-native/resources";
import * as k8s from "@pulumi/kubernetes";
import { ApiApplication } from "./azure/api-app";
import { AppExposure } from "./azure/app-exposure";
import { Cluster } from "./azure/cluster";
import { Defender } from "./azure/defender";
import { DevOpsConnector } from "./azure/devops";
import { Identity } from "./azure/identity";
import { ImageImport } from "./azure/image-import";
import { KeyVault } from "./azure/keyvault";
import { Monitoring } from "./azure/monitoring";
import { Network, PrivateLinkTarget } from "./azure/network";
import { createRedis, redisPrivateLinkTarget } from "./azure/redis";
import { Registry } from "./azure/registry";
import { knownAfter } from "./azure/shared";
import { loadPlatformConfig } from "./config";
import { GitHubPlatform } from "./github/platform";
import { AppWorkload, REDIS_KEY_SECRET_NAME } from "./kubernetes/app";
import { ImageIntegrity } from "./kubernetes/image-integrity";
import { AppIngress } from "./kubernetes/ingress";
import { SecureNamespace } from "./kubernetes/namespace";
import { resourceNames, standardTags } from "./naming";

const config = loadPlatformConfig();
const names = resourceNames(config.namePrefix, config.environment);
const tags = standardTags(config.environment, config.owner, config.tags);
const client = authorization.getClientConfigOutput();

const group = new resources.ResourceGroup("platform", {
  resourceGroupName: names.resourceGroup,
  location: config.location,
  tags,
});
// The group's name known at preview, as the ids and names built from it (infra/azure/shared.ts).
const placement = {
  resourceGroupName: knownAfter(group, names.resourceGroup),
  location: config.location,
  tags,
};

const network = new Network("network", {
  ...placement,
  subscriptionId: client.subscriptionId,
  virtualNetworkName: names.virtualNetwork,
  ...config.network,
  privateLinkTargets: ["registry", "vault", redisPrivateLinkTarget(config.redis.service)],
});
const privateEndpoint = (target: PrivateLinkTarget, enabled: boolean) =>
  enabled
    ? { subnetId: network.endpointSubnetId, privateDnsZoneId: network.privateDnsZoneIds[target] }
    : undefined;

const monitoring = new Monitoring("monitoring", {
  ...placement,
  subscriptionId: client.subscriptionId,
  workspaceName: names.workspace,
  ...config.monitoring,
});
new Defender("defender", { subscriptionId: client.subscriptionId, ...config.defender });

const registry = new Registry("registry", {
  ...placement,
  registryName: names.registry,
  ...config.registry,
  workspaceId: monitoring.workspaceId,
  privateEndpoint: privateEndpoint("registry", config.network.privateEndpoints),
});

// An empty registry (ephemeral stacks) gets the app image copied in before the app deploys.
const appImageImport = config.app.importFrom
  ? new ImageImport("app-image", {
      subscriptionId: client.subscriptionId,
      resourceGroupName: group.name,
      targetRegistryName: registry.registryName,
      targetLoginServer: registry.loginServer,
      sourceRegistryName: config.app.importFrom,
      image: config.app,
    })
  : undefined;

const vault = new KeyVault("keyvault", {
  ...placement,
  vaultName: names.keyVault,
  tenantId: client.tenantId,
  ...config.keyVault,
  allowedSubnetIds: [network.nodeSubnetId],
  workspaceId: monitoring.workspaceId,
  privateEndpoint: privateEndpoint("vault", config.network.privateEndpoints),
});

const exposureArgs = config.ingress && {
  ...placement,
  ...config.ingress,
  subscriptionId: client.subscriptionId,
  virtualNetworkId: network.virtualNetworkId,
  vaultId: vault.vaultId,
  vaultUri: vault.vaultUri,
};
const exposure = exposureArgs ? new AppExposure("exposure", exposureArgs) : undefined;
const apiApplication = new ApiApplication("api-application", {
  displayName: `items-api-${config.namePrefix}-${config.environment}`,
});

const cluster = new Cluster("cluster", {
  ...placement,
  ...config.cluster,
  clusterName: names.cluster,
  tenantId: client.tenantId,
  nodeSubnetId: network.nodeSubnetId,
  workspaceId: monitoring.workspaceId,
  defenderWorkspaceId: monitoring.defenderWorkspaceId,
  containerInsightsRuleId: monitoring.containerInsightsRuleId,
  appRouting:
    exposure && config.ingress
      ? { dnsZoneResourceIds: [exposure.zoneId], loadBalancer: config.ingress.loadBalancer }
      : undefined,
});
if (exposure && exposureArgs)
  exposure.grantAppRouting("exposure", exposureArgs, cluster.appRoutingObjectId);

const identity = new Identity("identity", {
  ...placement,
  subscriptionId: client.subscriptionId,
  appIdentityName: names.appIdentity,
  registryId: registry.registryId,
  vaultId: vault.vaultId,
  cluster: { oidcIssuerUrl: cluster.oidcIssuerUrl, kubeletObjectId: cluster.kubeletObjectId },
});

const redis = createRedis("redis", {
  ...placement,
  cacheName: names.redis,
  config: config.redis,
  workspaceId: monitoring.workspaceId,
  privateEndpoint: privateEndpoint(
    redisPrivateLinkTarget(config.redis.service),
    config.network.privateEndpoints,
  ),
  appIdentity: { principalId: identity.appPrincipalId, name: names.appIdentity },
  accessKeySecret: { vaultName: vault.vaultName, secretName: REDIS_KEY_SECRET_NAME },
});

const kubernetes = new k8s.Provider("aks", {
  kubeconfig: cluster.kubeconfig,
  enableServerSideApply: true,
});

const appNamespace = new SecureNamespace(
  "app-namespace",
  { namespace: config.app.namespace, podSecurity: "restricted" },
  { provider: kubernetes },
);
const imageReference = config.app.digest ? `@${config.app.digest}` : `:${config.app.tag}`;
const appImageReference = pulumi.interpolate`${registry.loginServer}/${config.app.repository}${imageReference}`;
const app = new AppWorkload(
  "app",
  {
    namespace: appNamespace.namespaceName,
    image: appImageImport?.imageReference ?? appImageReference,
    replicas: config.app.replicas,
    maxReplicas: config.app.maxReplicas,
    targetCpuUtilization: config.app.targetCpuUtilization,
    identity: {
      clientId: identity.appClientId,
      principalId: identity.appPrincipalId,
      tenantId: client.tenantId,
    },
    redis,
    keyVaultName: vault.vaultName,
    redisCidr: config.redis.publicNetworkAccess ? "0.0.0.0/0" : config.network.endpointSubnetPrefix,
    ingressNamespace: config.app.ingressNamespace,
    auth: { tenantId: client.tenantId, audience: apiApplication.clientId },
  },
  { provider: kubernetes, dependsOn: appImageImport ? [appImageImport] : [] },
);

identity.trustServiceAccount(app.serviceAccount);

const ingress = exposure
  ? new AppIngress(
      "app-ingress",
      {
        namespace: appNamespace.namespaceName,
        serviceName: app.serviceName,
        servicePort: "http",
        host: exposure.hostName,
        certificateUri: exposure.certificateUri,
      },
      { provider: kubernetes },
    )
  : undefined;

if (config.imageIntegrity) {
  new ImageIntegrity(
    "image-integrity",
    {
      ...placement,
      subscriptionId: client.subscriptionId,
      tenantId: client.tenantId,
      identityName: names.ratifyIdentity,
      cluster: { oidcIssuerUrl: cluster.oidcIssuerUrl },
      registry: { registryId: registry.registryId, loginServer: registry.loginServer },
      vault: { vaultId: vault.vaultId, vaultUri: vault.vaultUri },
      signingCertificate: config.imageIntegrity.signingCertificate,
      imageRepository: config.app.repository,
      namespace: appNamespace.namespaceName,
      enforcement: config.imageIntegrity.enforcement,
    },
    { providers: [kubernetes] },
  );
}

const githubPlatform = config.github
  ? new GitHubPlatform("github", {
      config: config.github,
      namePrefix: config.namePrefix,
      stackEnvironment: config.environment,
      placement,
      azure: {
        subscriptionId: client.subscriptionId,
        tenantId: client.tenantId,
        resourceGroupName: group.name,
        resourceGroupId: group.id,
        registryId: registry.registryId,
        registryName: registry.registryName,
        registryLoginServer: registry.loginServer,
        clusterId: cluster.clusterId,
        clusterName: cluster.clusterName,
        appNamespace: appNamespace.namespaceName,
        vaultId: vault.vaultId,
        vaultName: vault.vaultName,
        vaultUri: vault.vaultUri,
        signingCertificateName: config.imageIntegrity?.signingCertificate.name,
      },
    })
  : undefined;
if (config.github?.defenderForDevOps) {
  new DevOpsConnector("devops", { ...placement, organization: config.github.organization });
}

export const resourceGroupName = group.name;
export const clusterName = cluster.clusterName;
export const oidcIssuerUrl = cluster.oidcIssuerUrl;
export const registryLoginServer = registry.loginServer;
export const vaultUri = vault.vaultUri;
export const redisHostName = redis.hostName;
export const workspaceId = monitoring.workspaceCustomerId;
export const appIdentityClientId = identity.appClientId;
export const githubDeployClientIds = githubPlatform?.deployClientIds;
/** The image the app runs; CI carries the deployed digest over before it updates a stack. */
export const appImage = appImageReference;
/** Where the items API answers (HTTPS, the Ingress's host); unset when the stack exposes nothing. */
export const appUrl = ingress?.url;
/** The audience of the API's tokens (AUTH_AUDIENCE) and its identifier URI, for clients. */
export const apiClientId = apiApplication.clientId;
export const apiIdentifierUri = apiApplication.identifierUri;
export const kubeconfigForOperators = cluster.kubeconfig;

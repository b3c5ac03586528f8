import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ALLOWED_LOCATIONS_KEY, PROVIDER_LOCATION_KEY } from "../policy-pack/facts/config-keys";
import { PRODUCTION_ENVIRONMENT } from "../policy-pack/facts/github";
import { deployIdentityName, repositoryKey } from "./github/names";
import { nameProblems, namingProblems, resourceNames } from "./naming";
import { PROJECT } from "./project";

/**
 * The stack configuration: every key the program reads, validated in one place. Stack files
 * (`Pulumi.<stack>.yaml`) hold all differences between environments; nothing branches on the
 * stack name.
 */

export { PROJECT };

const cidr = z
  .string()
  .regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, "expected an IPv4 CIDR such as 10.20.0.0/16");
const guid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "expected a GUID");
const azureLocation = z
  .string()
  .regex(/^[a-z0-9]+$/, "expected an Azure region name such as westeurope");

const networkSchema = z
  .object({
    addressSpace: cidr.default("10.20.0.0/16"),
    nodeSubnetPrefix: cidr.default("10.20.0.0/22"),
    endpointSubnetPrefix: cidr.default("10.20.8.0/24"),
    /** Private endpoints and private DNS zones for registry, vault and Redis. */
    privateEndpoints: z.boolean().default(true),
  })
  .strict();

const monitoringSchema = z
  .object({
    retentionInDays: z.number().int().min(30).max(730).default(90),
    dailyQuotaGb: z.number().min(-1).default(-1),
  })
  .strict();

const defenderSchema = z
  .object({
    /** This stack writes the subscription's Defender plans (one stack per subscription: prod). */
    ownsSubscriptionPlans: z.boolean().default(false),
  })
  .strict();

const registrySchema = z
  .object({
    sku: z.enum(["Basic", "Standard", "Premium"]).default("Premium"),
    publicNetworkAccess: z.boolean().default(false),
    /**
     * Days ACR keeps untagged manifests (Premium). Unset: no retention, which a stack that verifies
     * signatures needs (Notation signatures are untagged referrers; registry.ts).
     */
    untaggedRetentionDays: z.number().int().min(0).max(365).optional(),
    /** Storage across availability zones (Premium, only at creation; ACR-06). Default: on for Premium. */
    zoneRedundancy: z.boolean().optional(),
  })
  .strict();

const keyVaultSchema = z
  .object({
    softDeleteRetentionInDays: z.number().int().min(7).max(90).default(90),
    publicNetworkAccess: z.boolean().default(false),
    allowedIpRanges: z.array(cidr).default([]),
  })
  .strict();

const nodePoolSchema = z
  .object({
    vmSize: z.string().min(1).default("Standard_D4ds_v5"),
    minCount: z.number().int().min(1).max(100).default(3),
    maxCount: z.number().int().min(1).max(100).default(5),
    availabilityZones: z.array(z.enum(["1", "2", "3"])).default([]),
  })
  .strict();
const systemPoolSchema = nodePoolSchema;
/** The pool workloads run on; the system pool is tainted CriticalAddonsOnly (AKS-16). */
const userPoolSchema = nodePoolSchema;

/** AKS accepts tcp_keepalive_time 30-432000, intvl 10-90, probes 1-15. */
const tcpKeepaliveSchema = z
  .object({
    timeSeconds: z.number().int().min(30).max(432000).default(120),
    intervalSeconds: z.number().int().min(10).max(90).default(15),
    probes: z.number().int().min(1).max(15).default(5),
  })
  .strict();

const clusterSchema = z
  .object({
    kubernetesVersion: z.string().regex(/^\d+\.\d+(\.\d+)?$/, "expected a version such as 1.36"),
    skuTier: z.enum(["Free", "Standard", "Premium"]).default("Standard"),
    /** AKSLongTermSupport: a year of support after end of life; needs the Premium tier. */
    supportPlan: z.enum(["KubernetesOfficial", "AKSLongTermSupport"]).default("KubernetesOfficial"),
    systemPool: systemPoolSchema.default(systemPoolSchema.parse({})),
    userPool: userPoolSchema.default(userPoolSchema.parse({})),
    networkPlugin: z.enum(["azure"]).default("azure"),
    networkPluginMode: z.enum(["overlay"]).default("overlay"),
    networkPolicy: z.enum(["azure", "calico", "cilium"]).default("cilium"),
    networkDataplane: z.enum(["azure", "cilium"]).default("cilium"),
    privateCluster: z.boolean().default(true),
    authorizedIpRanges: z.array(cidr).default([]),
    adminGroupObjectIds: z.array(guid).min(1, "name at least one Entra ID admin group"),
    upgradeChannel: z.enum(["patch", "stable", "rapid", "node-image"]).default("patch"),
    nodeOsUpgradeChannel: z.enum(["NodeImage", "SecurityPatch", "Unmanaged"]).default("NodeImage"),
    podSecurityStandard: z.enum(["baseline", "restricted"]).default("baseline"),
    podSecurityEffect: z.enum(["audit", "deny"]).default("deny"),
    tcpKeepalive: tcpKeepaliveSchema.default(tcpKeepaliveSchema.parse({})),
    /**
     * Sysctls that pods may set although Kubernetes calls them unsafe. The node pool allows
     * tcp_retries2, but the app's pod cannot set it: the restricted pod security standard refuses
     * any sysctl outside the safe set (README, "One deliberate deviation").
     */
    allowedUnsafeSysctls: z
      .array(z.string().regex(/^net\.[a-z0-9_.]+$/))
      .default(["net.ipv4.tcp_retries2"]),
  })
  .strict();

/**
 * Azure Managed Redis (`Microsoft.Cache/redisEnterprise`). SKU names as the 2025-07-01 API lists
 * them (azure-rest-api-specs specification/redisenterprise; @pulumi/azure-native
 * types/enums/redisenterprise SkuName); Balanced_B0 is the smallest.
 */
const managedRedisSchema = z
  .object({
    sku: z
      .string()
      .regex(
        /^(Balanced_B|MemoryOptimized_M|ComputeOptimized_X|FlashOptimized_A)\d+$/,
        "expected an Azure Managed Redis SKU such as Balanced_B0 or Balanced_B5",
      )
      .default("Balanced_B5"),
    /**
     * A replica of every shard on another node (and zone, where the region has zones). Azure can
     * turn it on later but never off again (https://learn.microsoft.com/azure/redis/plan-reliability-and-durability).
     */
    highAvailability: z.boolean().default(true),
    /**
     * OSSCluster: clients speak the Redis Cluster protocol to each shard (the app's cluster
     * mode); EnterpriseCluster: one proxy endpoint; NoCluster: one shard.
     */
    clusteringPolicy: z
      .enum(["OSSCluster", "EnterpriseCluster", "NoCluster"])
      .default("OSSCluster"),
    /**
     * Data persistence to a managed disk: append-only file (fsync every second) or snapshots
     * (hourly), or none. At most one of AOF and RDB (PersistenceArgs, API 2025-07-01).
     */
    persistence: z.enum(["aof", "rdb", "none"]).default("aof"),
    evictionPolicy: z
      .enum([
        "VolatileLRU",
        "VolatileLFU",
        "VolatileTTL",
        "VolatileRandom",
        "AllKeysLRU",
        "AllKeysLFU",
        "AllKeysRandom",
        "NoEviction",
      ])
      .default("VolatileLRU"),
  })
  .strict();

const redisSchema = z
  .object({
    /**
     * `managed`: Azure Managed Redis. `cache`: Azure Cache for Redis, which Microsoft retires
     * (Basic/Standard/Premium on 2028-09-30; tenants without a cache before 2026-04-01 cannot
     * create one), for tenants that still can.
     */
    service: z.enum(["managed", "cache"]).default("managed"),
    /** Azure Cache for Redis only (`service: cache`). */
    sku: z.enum(["Basic", "Standard", "Premium"]).default("Standard"),
    family: z.enum(["C", "P"]).default("C"),
    capacity: z.number().int().min(0).max(6).default(1),
    managed: managedRedisSchema.default(managedRedisSchema.parse({})),
    publicNetworkAccess: z.boolean().default(false),
    entraIdAuthentication: z.boolean().default(true),
  })
  .strict();

const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "expected a DNS label (lower case, digits, '-')");

/**
 * How the items API is reached from outside the cluster: AKS application routing (managed NGINX),
 * a DNS zone the stack creates and the add-on keeps records in, the TLS certificate from the
 * stack's Key Vault. Without it the app has no Ingress (ephemeral stacks).
 */
const ingressSchema = z
  .object({
    /** The DNS zone the stack creates, e.g. `dev.items.contoso.example`. */
    dnsZoneName: z
      .string()
      .regex(
        /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
        "expected a DNS zone name such as dev.items.contoso.example",
      ),
    /** `public`: an Azure DNS zone; `private`: a private DNS zone linked to the VNet. */
    zoneType: z.enum(["public", "private"]),
    /** The app's host in the zone: `<hostName>.<dnsZoneName>`. */
    hostName: dnsLabel.default("items"),
    /** `internal`: the controller's load balancer gets a private IP in the VNet only. */
    loadBalancer: z.enum(["external", "internal"]),
    /** The Key Vault certificate (in the stack's vault) served for the host. */
    certificateName: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,127}$/, "expected a Key Vault object name (letters, digits, '-')")
      .default("items-api-tls"),
  })
  .strict();

export type RedisConfig = z.output<typeof redisSchema>;
export type ManagedRedisConfig = z.output<typeof managedRedisSchema>;

const appSchema = z
  .object({
    namespace: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "expected a DNS-1123 label"),
    repository: z
      .string()
      .regex(/^[a-z0-9]+([._/-][a-z0-9]+)*$/, "expected a repository path such as apps/items"),
    tag: z
      .string()
      .regex(/^[\w][\w.-]{0,127}$/)
      .optional(),
    digest: z
      .string()
      .regex(/^sha256:[0-9a-f]{64}$/, "expected sha256:<64 hex digits>")
      .optional(),
    /** The fewest replicas (the autoscaler's minimum); it adds up to maxReplicas on CPU. */
    replicas: z.number().int().min(1).max(50).default(2),
    maxReplicas: z.number().int().min(1).max(50).default(6),
    targetCpuUtilization: z.number().int().min(10).max(100).default(70),
    /** Namespace of the ingress controller allowed to reach the app. */
    ingressNamespace: z.string().default("app-routing-system"),
    /**
     * An Azure Container Registry in the same subscription to copy the image from into the stack's
     * own with `az acr import` before the app deploys (ephemeral stacks). The regex also keeps
     * shell syntax out of the import command.
     */
    importFrom: z
      .string()
      .regex(
        /^[a-zA-Z0-9]{5,50}$/,
        "expected an Azure Container Registry name: 5-50 letters or digits",
      )
      .optional(),
  })
  .strict();

/** Owner names (organisations) and team keys as GitHub accepts them. */
const githubOrganization = z
  .string()
  .regex(
    /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/,
    "expected a GitHub organization name: letters, digits and single '-'",
  );
const teamKey = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,38}$/, "expected a team slug: lower-case letters, digits, '-'");

const teamSchema = z
  .object({
    description: z.string().default(""),
    /** The Entra ID group whose members GitHub team sync keeps in this team. */
    entraGroupId: guid,
    entraGroupName: z.string().min(1),
    /**
     * The Entra ID group's description exactly as Entra ID holds it: GitHub reads the mapping back
     * with the group's own name and description, so any other text replaces it on every update.
     */
    entraGroupDescription: z.string().default(""),
    /** The team's role on every managed repository. */
    repositoryPermission: z.enum(["pull", "triage", "push", "maintain", "admin"]).default("pull"),
  })
  .strict();

const dependabotEcosystem = z.enum([
  "npm",
  "github-actions",
  "docker",
  "pip",
  "gomod",
  "maven",
  "nuget",
  "terraform",
]);

const repositorySchema = z
  .object({
    name: z
      .string()
      .regex(
        /^[A-Za-z0-9._-]{1,100}$/,
        "expected a repository name: letters, digits, '.', '_', '-'",
      ),
    description: z.string().default(""),
    /** Public repositories are not managed here (control GH-04). */
    visibility: z.enum(["private", "internal"]).default("private"),
    requiredApprovals: z.number().int().min(1).max(10).default(1),
    /** Check names (job names of the CI workflow) a pull request must pass. */
    requiredStatusChecks: z.array(z.string().min(1)).default([]),
    /** CODEOWNERS: path pattern -> team slugs that own it. */
    codeOwners: z
      .record(
        z.string().regex(/^[^\s#]+$/, "expected a CODEOWNERS path pattern"),
        z.array(teamKey).min(1),
      )
      .default({}),
    dependabotEcosystems: z.array(dependabotEcosystem).min(1).default(["github-actions"]),
    /** Where an ecosystem's manifest lives, when not at `/` (docker: the Dockerfile's folder). */
    dependabotDirectories: z
      .partialRecord(
        dependabotEcosystem,
        z.string().regex(/^\/[\w./-]*$/, "expected a path starting with /"),
      )
      .default({}),
    /**
     * The repository exists already (the workflows run in it): the first `up` adopts it (Pulumi's
     * `import` option, by name) instead of failing to create it, and never deletes it.
     */
    adoptExisting: z.boolean().default(false),
    /** What the repository's workflows may do in this stack's Azure environment over OIDC. */
    deployRoles: z.array(z.enum(["push", "import", "sign", "deploy"])).default([]),
    /**
     * Resource id of the registry `import` promotes images from (the dev registry): the deploy
     * identity gets AcrPull there, since `az acr import` reads the source as the caller.
     */
    importSourceRegistryId: z
      .string()
      .regex(
        /^\/subscriptions\/[0-9a-fA-F-]{36}\/resourceGroups\/[^/]+\/providers\/Microsoft\.ContainerRegistry\/registries\/[A-Za-z0-9]+$/,
        "expected a registry resource id: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.ContainerRegistry/registries/<name>",
      )
      .optional(),
  })
  .strict();

const environmentName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,30}$/, "expected a lower-case environment name");

const githubEnvironmentSchema = z
  .object({
    /** The GitHub environment whose jobs deploy to this stack (`development`, `production`). */
    name: environmentName,
    /** Team whose members must approve deployments (one of `teams`). */
    reviewersTeam: teamKey.optional(),
    waitTimerMinutes: z.number().int().min(0).max(43200).default(0),
  })
  .strict();

/** What every stack says of the organisation and its repositories. */
const githubCommonFields = {
  organization: githubOrganization,
  /** Actions allowed besides GitHub-owned and verified creators' (`owner/repo@*`, `owner/*`). */
  allowedActions: z
    .array(
      z.string().regex(/^[\w.-]+\/[\w.*/-]+(@[\w.*-]+)?$/, "expected owner/repo@ref or owner/*"),
    )
    .default([]),
  requireShaPinnedActions: z.boolean().default(true),
  repositories: z.array(repositorySchema).min(1, "name at least one repository"),
  environment: githubEnvironmentSchema,
  /**
   * The environment of pull-request previews of this stack (`pulumi preview` on a PR). Any ref
   * may use it (a PR's ref is refs/pull/<n>/merge), so it holds only a read-only identity: Reader
   * on the stack's resource group, AKS cluster user and RBAC Reader. No GitHub App key.
   */
  previewEnvironment: z.object({ name: environmentName }).strict().optional(),
  /**
   * Ephemeral environments (ephemeral.yml) run a pull request's code with cloud rights: `name`
   * is the environment of the PR jobs (any ref, a maintainer of `reviewersTeam` approves each
   * run), `reaperName` the one of the scheduled reaper (protected branches, no reviewers). Their
   * Azure identity is made at bootstrap (README) with rights on the ephemeral subscription only.
   * Owner stack only: reviewers are teams it manages.
   */
  ephemeralEnvironments: z
    .object({ name: environmentName, reaperName: environmentName, reviewersTeam: teamKey })
    .strict()
    .optional(),
  /**
   * What the organisation is licensed for. On private and internal repositories, code scanning,
   * dependency review and required code-scanning results need GitHub Advanced Security (Code
   * Security); required reviewers and wait timers on environments need GitHub Enterprise.
   */
  licences: z
    .object({ advancedSecurity: z.boolean(), enterprise: z.boolean() })
    .strict()
    .default({ advancedSecurity: false, enterprise: false }),
};

const requiredWithOwnership =
  (why = "") =>
  (issue: { input?: unknown }) =>
    issue.input === undefined ? `is required with ownsOrganization${why}` : undefined;

/**
 * The stack that owns the organisation (exactly one may): it manages the organisation's settings,
 * teams, repositories and rulesets, so what they need is required here.
 */
const githubOwnerSchema = z
  .object({
    ...githubCommonFields,
    ownsOrganization: z.literal(true),
    billingEmail: z.email({ error: requiredWithOwnership() }),
    /**
     * The platform GitHub App's numeric App ID (not its client id): the default-branch ruleset
     * lets it bypass, so the stack's RepositoryFile commits (CODEOWNERS, dependabot.yml) land.
     */
    platformAppId: z
      .number({
        error: requiredWithOwnership(" (the App the ruleset lets commit managed files)"),
      })
      .int()
      .positive(),
    teams: z
      .record(teamKey, teamSchema)
      .default({})
      .refine(
        (teams) => Object.keys(teams).length > 0,
        "name at least one team (mapped to Entra ID)",
      ),
    /** Defender for DevOps: the GitHub connector in Defender for Cloud (control GH-10). */
    defenderForDevOps: z.boolean().default(false),
  })
  .strict();

/**
 * Every other stack: its own deployment environment in each repository and the identities its
 * jobs log in as. Organisation-wide keys are refused (githubRules), not silently ignored.
 */
const githubMemberSchema = z
  .object({
    ...githubCommonFields,
    ownsOrganization: z.literal(false).default(false),
    billingEmail: z.unknown().optional(),
    platformAppId: z.unknown().optional(),
    teams: z.record(z.string(), z.unknown()).default({}),
    defenderForDevOps: z.boolean().default(false),
  })
  .strict();

/**
 * `ownsOrganization`: whether this stack owns the organisation (its settings, teams, repositories
 * and rulesets). Exactly one stack may; every stack owns its own deployment environment in each
 * repository.
 */
const githubSchema = z.discriminatedUnion("ownsOrganization", [
  githubOwnerSchema,
  githubMemberSchema,
]);

export type GitHubConfig = z.output<typeof githubSchema>;
export type GitHubOwnerConfig = z.output<typeof githubOwnerSchema>;

/**
 * Why an X.509 subject cannot be a Notation signing identity: the trust policy's
 * `x509.subject` must hold country (C), state (ST) and organisation (O).
 */
export function notationSubjectProblems(subject: string): string[] {
  if (!/^\s*[A-Za-z]+=[^,=]+(,\s*[A-Za-z]+=[^,=]+)*\s*$/.test(subject)) {
    return ["expected a distinguished name such as CN=signer,O=Contoso,ST=WA,C=US"];
  }
  const attributes = subject.split(",").map((part) => part.split("=")[0].trim());
  return ["C", "ST", "O"]
    .filter((required) => !attributes.includes(required))
    .map((missing) => `needs ${missing}= (Notation trusts identities with C, ST and O)`);
}

const imageIntegritySchema = z
  .object({
    /** Gatekeeper's action on an unsigned image in the app namespace. */
    enforcement: z.enum(["deny", "dryrun", "warn"]),
    signingCertificate: z
      .object({
        /** The Key Vault certificate Notation signs with (scripts/signing-cert.ts creates it). */
        name: z
          .string()
          .regex(/^[0-9A-Za-z-]{1,127}$/, "expected a Key Vault object name: letters, digits, '-'"),
        subject: z.string().superRefine((subject, ctx) => {
          for (const message of notationSubjectProblems(subject)) {
            ctx.addIssue({ code: "custom", message, input: subject });
          }
        }),
        /** Versions still trusted after a rotation, until images signed with them are gone. */
        previousVersions: z
          .array(z.string().regex(/^[0-9a-f]{32}$/, "expected a Key Vault version (32 hex digits)"))
          .default([]),
      })
      .strict(),
  })
  .strict();

const tagValue = z.string().min(1).max(256);

const platformConfigObject = z
  .object({
    location: azureLocation,
    environment: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,11}$/, "expected 2-12 lower-case letters, digits or '-'"),
    owner: tagValue,
    namePrefix: z
      .string()
      .regex(
        /^[a-z][a-z0-9]{2,9}$/,
        "expected 3-10 lower-case letters or digits, starting with a letter",
      ),
    // GEN-02 reads this key of the stack config (policy-pack/facts/config-keys.ts).
    [ALLOWED_LOCATIONS_KEY]: z.array(azureLocation).min(1).default(["westeurope", "northeurope"]),
    tags: z.record(z.string(), tagValue).default({}),
    network: networkSchema.default(networkSchema.parse({})),
    monitoring: monitoringSchema.default(monitoringSchema.parse({})),
    defender: defenderSchema.default(defenderSchema.parse({})),
    registry: registrySchema.default(registrySchema.parse({})),
    keyVault: keyVaultSchema.default(keyVaultSchema.parse({})),
    cluster: clusterSchema,
    redis: redisSchema.default(redisSchema.parse({})),
    app: appSchema,
    ingress: ingressSchema.optional(),
    github: githubSchema.optional(),
    imageIntegrity: imageIntegritySchema.optional(),
  })
  .strict();

/** Cross-key rules run only on config whose keys are each valid, so they never add noise. */
export const platformConfigSchema = platformConfigObject.superRefine(crossFieldRules, {
  when: (payload) => payload.issues.length === 0,
});

export type PlatformConfig = z.output<typeof platformConfigObject>;
/** Each section of the stack config, as the component that reads it types its Args. */
export type NetworkConfig = PlatformConfig["network"];
export type MonitoringConfig = PlatformConfig["monitoring"];
export type DefenderConfig = PlatformConfig["defender"];
export type RegistryConfig = PlatformConfig["registry"];
export type KeyVaultConfig = PlatformConfig["keyVault"];
export type ClusterConfig = PlatformConfig["cluster"];
export type NodePoolConfig = ClusterConfig["systemPool"];
export type AppConfig = PlatformConfig["app"];
export type IngressConfig = NonNullable<PlatformConfig["ingress"]>;
export type ImageIntegrityConfig = NonNullable<PlatformConfig["imageIntegrity"]>;

/**
 * Whether the stack's registry lets images be copied out (`az acr import` from it). A Premium
 * registry without public access has its export policy disabled (infra/azure/registry.ts), which
 * blocks import out of it (https://learn.microsoft.com/azure/container-registry/data-loss-prevention).
 */
export function registryAllowsExport(registry: PlatformConfig["registry"]): boolean {
  return registry.sku !== "Premium" || registry.publicNetworkAccess;
}

type IssueReporter = (path: string[], input: unknown, message: string) => void;

/** Rules that span several keys: each names the key a user has to change. */
function crossFieldRules(config: PlatformConfig, ctx: z.RefinementCtx): void {
  const issue = (path: string[], input: unknown, message: string) =>
    ctx.addIssue({ code: "custom", path, input, message });
  const { network, registry, keyVault, redis, cluster } = config;
  if (!registry.publicNetworkAccess) {
    if (!network.privateEndpoints) {
      issue(
        ["registry", "publicNetworkAccess"],
        false,
        "needs network.privateEndpoints: true, or the registry is unreachable",
      );
    }
    if (registry.sku !== "Premium") {
      issue(
        ["registry", "sku"],
        registry.sku,
        "only Premium registries take private endpoints; use Premium or allow public access",
      );
    }
  }
  registryRules(config, issue);
  // (Without public access the rule below already asks for Premium.)
  if (network.privateEndpoints && registry.publicNetworkAccess && registry.sku !== "Premium") {
    // Private link is a Premium feature whatever publicNetworkAccess says:
    // https://learn.microsoft.com/azure/container-registry/container-registry-private-link
    issue(
      ["registry", "sku"],
      registry.sku,
      "network.privateEndpoints needs a Premium registry (only Premium takes private endpoints); use Premium or set network.privateEndpoints: false",
    );
  }
  if (!keyVault.publicNetworkAccess && keyVault.allowedIpRanges.length > 0) {
    issue(
      ["keyVault", "allowedIpRanges"],
      keyVault.allowedIpRanges,
      "has no effect with publicNetworkAccess: false (the firewall applies to the public endpoint only); remove it or allow public access",
    );
  }
  if (!keyVault.publicNetworkAccess && !network.privateEndpoints) {
    issue(
      ["keyVault", "publicNetworkAccess"],
      false,
      "needs network.privateEndpoints: true, or the vault is unreachable",
    );
  }
  if (!redis.publicNetworkAccess && !network.privateEndpoints) {
    issue(
      ["redis", "publicNetworkAccess"],
      false,
      "needs network.privateEndpoints: true, or the cache is unreachable",
    );
  }
  redisRules(redis, issue);
  clusterRules(cluster, issue);
  if (cluster.authorizedIpRanges.some((range) => range.endsWith("/0"))) {
    issue(
      ["cluster", "authorizedIpRanges"],
      cluster.authorizedIpRanges,
      "must not contain a /0 range: it opens the API server to the internet",
    );
  }
  if (!config.allowedLocations.includes(config.location)) {
    issue(
      ["location"],
      config.location,
      `is not in allowedLocations (${config.allowedLocations.join(", ")})`,
    );
  }
  for (const problem of namingProblems(config.namePrefix, config.environment)) {
    issue(
      ["namePrefix"],
      config.namePrefix,
      `with environment '${config.environment}': ${problem}`,
    );
  }
  if (config.app.maxReplicas < config.app.replicas) {
    issue(
      ["app", "maxReplicas"],
      config.app.maxReplicas,
      `is smaller than replicas (${config.app.replicas}); allowed: ${config.app.replicas} or more`,
    );
  }
  if (config.app.tag === undefined && config.app.digest === undefined) {
    issue(["app"], config.app, "name the image with tag or digest");
  }
  if (config.app.importFrom && importsFromItself(config, config.app.importFrom)) {
    issue(
      ["app", "importFrom"],
      config.app.importFrom,
      "is this stack's own registry; name another registry to copy the image from",
    );
  }
  if (config.github) githubRules(config, config.github, issue);
}

/**
 * Registry features that are Premium only (https://learn.microsoft.com/azure/container-registry/container-registry-skus:
 * retention policy, zone redundancy), and retention that would delete what the stack verifies.
 */
function registryRules(config: PlatformConfig, issue: IssueReporter): void {
  const { registry } = config;
  const premium = registry.sku === "Premium";
  if (registry.untaggedRetentionDays !== undefined && !premium) {
    issue(
      ["registry", "untaggedRetentionDays"],
      registry.untaggedRetentionDays,
      `needs sku Premium (got ${registry.sku}): only Premium registries have a retention policy; remove it`,
    );
  }
  if (registry.untaggedRetentionDays !== undefined && config.imageIntegrity) {
    issue(
      ["registry", "untaggedRetentionDays"],
      registry.untaggedRetentionDays,
      "deletes untagged manifests, and the Notation signatures imageIntegrity verifies are untagged referrers; remove it while imageIntegrity is set",
    );
  }
  if (registry.zoneRedundancy === true && !premium) {
    issue(
      ["registry", "zoneRedundancy"],
      true,
      `needs sku Premium (got ${registry.sku}); set zoneRedundancy: false or use Premium`,
    );
  }
}

/**
 * Rules the AKS API enforces across the cluster keys. Sources: the ManagedCluster REST spec
 * (Azure/azure-rest-api-specs, specification/containerservice/.../managedClusters.json, as
 * @pulumi/azure-native's enums quote it): networkPolicy "cilium" - "This requires
 * networkDataplane to be 'cilium'"; Azure CNI Powered by Cilium is created with
 * --network-policy cilium (https://learn.microsoft.com/azure/aks/azure-cni-powered-by-cilium);
 * long-term support needs the Premium tier (https://learn.microsoft.com/azure/aks/long-term-support);
 * a private cluster has no public API server for authorized ranges to limit (the program drops
 * them, so they would be silently ignored).
 */
function clusterRules(cluster: PlatformConfig["cluster"], issue: IssueReporter): void {
  for (const poolKey of ["systemPool", "userPool"] as const) {
    const pool = cluster[poolKey];
    if (pool.minCount > pool.maxCount) {
      issue(
        ["cluster", poolKey, "minCount"],
        pool.minCount,
        `is larger than maxCount (${pool.maxCount})`,
      );
    }
  }
  const ciliumPolicy = cluster.networkPolicy === "cilium";
  const ciliumDataplane = cluster.networkDataplane === "cilium";
  if (ciliumPolicy && !ciliumDataplane) {
    issue(
      ["cluster", "networkPolicy"],
      cluster.networkPolicy,
      `cilium needs networkDataplane: cilium (got ${cluster.networkDataplane}); allowed with the azure dataplane: azure, calico`,
    );
  }
  if (ciliumDataplane && !ciliumPolicy) {
    issue(
      ["cluster", "networkDataplane"],
      cluster.networkDataplane,
      `cilium enforces network policy itself; it needs networkPolicy: cilium (got ${cluster.networkPolicy})`,
    );
  }
  if (cluster.supportPlan === "AKSLongTermSupport" && cluster.skuTier !== "Premium") {
    issue(
      ["cluster", "supportPlan"],
      cluster.supportPlan,
      `needs skuTier: Premium (got ${cluster.skuTier}); use KubernetesOfficial on Free and Standard`,
    );
  }
  if (cluster.privateCluster && cluster.authorizedIpRanges.length > 0) {
    issue(
      ["cluster", "authorizedIpRanges"],
      cluster.authorizedIpRanges,
      "has no effect on a private cluster (privateCluster: true); remove it or set privateCluster: false",
    );
  }
}

/** Rules between Redis keys that Azure enforces at deploy time. */
function redisRules(redis: RedisConfig, issue: IssueReporter): void {
  const redisFamily = redis.sku === "Premium" ? "P" : "C";
  if (redis.family !== redisFamily) {
    issue(
      ["redis", "family"],
      redis.family,
      `does not match sku ${redis.sku}; allowed: ${redisFamily}`,
    );
  }
  if (redis.service === "managed" && !redis.entraIdAuthentication) {
    issue(
      ["redis", "entraIdAuthentication"],
      false,
      "Azure Managed Redis is set up with Microsoft Entra ID only (access keys off); allowed: true, or service: cache",
    );
  }
}

/** Registry names are case-insensitive; a prefix that names nothing is reported on its own. */
function importsFromItself(config: PlatformConfig, importFrom: string): boolean {
  if (namingProblems(config.namePrefix, config.environment).length > 0) return false;
  const ownRegistry = resourceNames(config.namePrefix, config.environment).registry;
  return importFrom.toLowerCase() === ownRegistry.toLowerCase();
}

/** GitHub rules: what only the owning stack can manage, and references between keys. */
function githubRules(config: PlatformConfig, github: GitHubConfig, issue: IssueReporter): void {
  if (github.ownsOrganization) ownerRules(github, issue);
  else nonOwnerRules(github, issue);
  environmentRules(github, issue);
  const seen = new Map<string, string>();
  github.repositories.forEach((repository, index) => {
    const at = (key: string) => ["github", "repositories", String(index), key];
    const key = repositoryKey(repository.name);
    const twin = seen.get(key);
    if (twin !== undefined) {
      issue(
        at("name"),
        repository.name,
        twin.toLowerCase() === repository.name.toLowerCase()
          ? "is listed twice"
          : `has the same key as ${twin} (${key}: URNs and Azure identity names); rename one`,
      );
    }
    seen.set(key, repository.name);
    const identity = deployIdentityName(config.namePrefix, config.environment, repository.name);
    for (const problem of nameProblems("appIdentity", identity)) {
      issue(at("name"), repository.name, problem);
    }
    if (repository.importSourceRegistryId && !repository.deployRoles.includes("import")) {
      issue(
        at("importSourceRegistryId"),
        repository.importSourceRegistryId,
        "is only read with the deploy role import; add import to deployRoles or remove it",
      );
    }
    if (repository.deployRoles.includes("sign") && !config.imageIntegrity) {
      issue(
        at("deployRoles"),
        repository.deployRoles,
        "sign needs imageIntegrity.signingCertificate",
      );
    }
  });
}

/** Organisation-wide keys would be silently ignored in a stack that does not own it. */
function nonOwnerRules(github: GitHubConfig, issue: IssueReporter): void {
  const ownerOnly = {
    billingEmail: github.billingEmail !== undefined,
    platformAppId: github.platformAppId !== undefined,
    teams: Object.keys(github.teams).length > 0,
    defenderForDevOps: github.defenderForDevOps,
  };
  for (const [key, isSet] of Object.entries(ownerOnly)) {
    if (isSet) {
      issue(
        ["github", key],
        github[key as keyof GitHubConfig],
        "only the stack that owns the organization sets this",
      );
    }
  }
}

/** Reviewers are teams the stack manages; production is never deployed without them. */
function environmentRules(github: GitHubConfig, issue: IssueReporter): void {
  const teams = Object.keys(github.teams);
  const { reviewersTeam, name, waitTimerMinutes } = github.environment;
  // https://docs.github.com/en/actions/reference/workflows-and-actions/deployments-and-environments
  // ("required reviewers or wait timers ... in private or internal repositories ... GitHub Enterprise").
  const enterprise = "needs licences.enterprise: GitHub Enterprise (private repositories)";
  if (!github.licences.enterprise) {
    if (reviewersTeam !== undefined) {
      issue(["github", "environment", "reviewersTeam"], reviewersTeam, `reviewers ${enterprise}`);
    }
    if (waitTimerMinutes > 0) {
      issue(
        ["github", "environment", "waitTimerMinutes"],
        waitTimerMinutes,
        `a wait timer ${enterprise}`,
      );
    }
  }
  const names = [
    name,
    github.previewEnvironment?.name,
    github.ephemeralEnvironments?.name,
    github.ephemeralEnvironments?.reaperName,
  ].filter((value): value is string => value !== undefined);
  if (new Set(names).size !== names.length) {
    issue(
      ["github"],
      names,
      "environment, previewEnvironment and ephemeralEnvironments need distinct names",
    );
  }
  const ephemeral = github.ephemeralEnvironments;
  if (ephemeral) {
    const at = ["github", "ephemeralEnvironments", "reviewersTeam"];
    if (!github.ownsOrganization) {
      issue(
        at,
        ephemeral.reviewersTeam,
        "needs ownsOrganization: reviewers are teams this stack manages",
      );
    } else if (!teams.includes(ephemeral.reviewersTeam)) {
      issue(at, ephemeral.reviewersTeam, `is not one of teams (${teams.join(", ") || "none"})`);
    }
    if (!github.licences.enterprise) issue(at, ephemeral.reviewersTeam, `reviewers ${enterprise}`);
  }
  const at = ["github", "environment", "reviewersTeam"];
  if (reviewersTeam !== undefined && !github.ownsOrganization) {
    issue(at, reviewersTeam, "needs ownsOrganization: reviewers are teams this stack manages");
  } else if (reviewersTeam !== undefined && !teams.includes(reviewersTeam)) {
    issue(at, reviewersTeam, `is not one of teams (${teams.join(", ") || "none"})`);
  }
  if (name === PRODUCTION_ENVIRONMENT && reviewersTeam === undefined) {
    issue(
      ["github", "environment"],
      github.environment,
      "production needs a reviewersTeam (GH-06)",
    );
  }
}

/** The owning stack manages settings, teams and rulesets, so they must be complete. */
function ownerRules(github: GitHubOwnerConfig, issue: IssueReporter): void {
  const teams = Object.keys(github.teams);
  github.repositories.forEach((repository, index) => {
    const at = (key: string) => ["github", "repositories", String(index), key];
    if (repository.requiredStatusChecks.length === 0) {
      issue(at("requiredStatusChecks"), [], "name at least one check a pull request must pass");
    }
    if (Object.keys(repository.codeOwners).length === 0) {
      issue(at("codeOwners"), {}, "name the teams that own the code (review by code owners)");
    }
    for (const [path, owners] of Object.entries(repository.codeOwners)) {
      const unknown = owners.filter((team) => !teams.includes(team));
      if (unknown.length > 0) {
        issue(
          [...at("codeOwners"), path],
          owners,
          `names teams not in teams: ${unknown.join(", ")}`,
        );
      }
    }
  });
}

/** Thrown before any resource is declared; lists every bad key at once. */
export class ConfigError extends pulumi.RunError {
  constructor(readonly problems: string[]) {
    super(
      `invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

/** Stack config keys outside the project namespace that the program reads. */
const FOREIGN_KEYS: Record<string, keyof PlatformConfig> = { [PROVIDER_LOCATION_KEY]: "location" };

function configKeyFor(field: string): string {
  const foreign = Object.entries(FOREIGN_KEYS).find(([, name]) => name === field);
  return foreign ? foreign[0] : `${PROJECT}:${field}`;
}

function describeValue(value: unknown): string {
  if (value === undefined) return "missing";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  if (issue.code === "unrecognized_keys") {
    const parent = issue.path.map(String);
    return issue.keys.map((key) => {
      const where = parent.length
        ? `${configKeyFor(parent[0])}${[...parent.slice(1), key].map((p) => "." + p).join("")}`
        : configKeyFor(key);
      return `${where}: unknown key (check the spelling; see README for the keys this stack reads)`;
    });
  }
  const [field, ...rest] = issue.path.map(String);
  const key =
    field === undefined
      ? "(stack config)"
      : configKeyFor(field) + rest.map((p) => "." + p).join("");
  return [`${key}: ${issue.message} (got ${describeValue(issue.input)})`];
}

/** Pulumi passes structured config as JSON text and scalars as plain text. */
function parseConfigText(text: string): unknown {
  const trimmed = text.trim();
  if (/^[[{]/.test(trimmed) || /^(true|false|-?\d+(\.\d+)?)$/.test(trimmed)) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return text;
    }
  }
  return text;
}

/** Turns raw config (`namespace:key` -> text) into the validated platform config. */
export function parsePlatformConfig(raw: Record<string, string>): PlatformConfig {
  const input: Record<string, unknown> = {};
  const prefix = `${PROJECT}:`;
  for (const [key, text] of Object.entries(raw)) {
    if (key in FOREIGN_KEYS) input[FOREIGN_KEYS[key]] = parseConfigText(text);
    else if (key.startsWith(prefix)) input[key.slice(prefix.length)] = parseConfigText(text);
  }
  const result = platformConfigSchema.safeParse(input, { reportInput: true });
  if (!result.success) throw new ConfigError(result.error.issues.flatMap(describeIssue));
  return result.data;
}

/** The stack's validated config, read from the Pulumi runtime. */
export function loadPlatformConfig(): PlatformConfig {
  return parsePlatformConfig(pulumi.runtime.allConfig());
}

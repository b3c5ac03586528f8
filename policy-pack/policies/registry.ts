import type { PolicyResource } from "@pulumi/policy";
import {
  DEFENDER_PRICING,
  equalsIgnoringCase,
  PRIVATE_ENDPOINT,
  reportNotPrivate,
  requireDefenderPlan,
  resourcePolicy,
  shown,
  stackPolicy,
  type ControlPolicy,
} from "./control";

const REGISTRY = "azure-native:containerregistry:Registry";
const MANAGED_CLUSTER = "azure-native:containerservice:ManagedCluster";

interface RegistryProps {
  adminUserEnabled?: boolean;
  anonymousPullEnabled?: boolean;
  publicNetworkAccess?: string;
  sku?: { name?: string };
  policies?: { retentionPolicy?: { status?: string; days?: number } };
}

const acr01 = resourcePolicy(
  { id: "ACR-01", seed: "6,15", level: "M", rule: "Registry adminUserEnabled is false" },
  {
    resourceType: REGISTRY,
    validateResource: (args, reportViolation) => {
      const { adminUserEnabled } = args.props as RegistryProps;
      if (adminUserEnabled === false) return;
      reportViolation(
        `registry '${args.name}' has adminUserEnabled=${shown(adminUserEnabled)}; set adminUserEnabled: false (use Entra ID and AcrPull/AcrPush role assignments instead of the shared admin account)`,
      );
    },
  },
);

const acr02 = resourcePolicy(
  { id: "ACR-02", seed: "15", level: "M", rule: "Registry anonymousPullEnabled is not true" },
  {
    resourceType: REGISTRY,
    validateResource: (args, reportViolation) => {
      if ((args.props as RegistryProps).anonymousPullEnabled !== true) return;
      reportViolation(
        `registry '${args.name}' has anonymousPullEnabled=true, so anyone can pull its images; set anonymousPullEnabled: false (pull with AcrPull role assignments)`,
      );
    },
  },
);

/** What keeps a registry reachable from outside its network: a SKU or public network access. */
function registryAccessProblems(registry: PolicyResource): string[] {
  const props = registry.props as RegistryProps;
  const problems: string[] = [];
  const sku = props.sku?.name;
  if (!equalsIgnoringCase(sku, "Premium")) {
    problems.push(
      `sku.name is ${shown(sku)}, set sku: { name: "Premium" } (private endpoints need Premium)`,
    );
  }
  if (!equalsIgnoringCase(props.publicNetworkAccess, "Disabled")) {
    problems.push(
      `publicNetworkAccess is ${shown(props.publicNetworkAccess)}, set publicNetworkAccess: "Disabled"`,
    );
  }
  return problems;
}

const acr03 = stackPolicy(
  {
    id: "ACR-03",
    seed: "6,15",
    level: "P",
    rule: "Stack: registry sku.name is Premium, publicNetworkAccess is Disabled, and a private endpoint targets it",
  },
  {
    resourceTypes: [REGISTRY, PRIVATE_ENDPOINT],
    validateStack: (args, reportViolation) =>
      reportNotPrivate(
        args.resources,
        { type: REGISTRY, kind: "registry", groupId: "registry" },
        registryAccessProblems,
        reportViolation,
      ),
  },
);

const acr04 = stackPolicy(
  {
    id: "ACR-04",
    seed: "13",
    level: "M",
    rule: "Stack: a registry or cluster requires security:Pricing Containers at tier Standard",
  },
  {
    resourceTypes: [REGISTRY, MANAGED_CLUSTER, DEFENDER_PRICING],
    validateStack: (args, reportViolation) =>
      requireDefenderPlan(
        args.resources,
        {
          planName: "Containers",
          product: "Microsoft Defender for Containers",
          protectedTypes: { [REGISTRY]: "registry", [MANAGED_CLUSTER]: "cluster" },
        },
        reportViolation,
      ),
  },
);

const acr05 = resourcePolicy(
  {
    id: "ACR-05",
    seed: "7",
    level: "A",
    rule: "Premium registries have a retention policy for untagged manifests",
  },
  {
    resourceType: REGISTRY,
    validateResource: (args, reportViolation) => {
      const props = args.props as RegistryProps;
      // Retention policies exist only on Premium; other SKUs cannot have one.
      if (!equalsIgnoringCase(props.sku?.name, "Premium")) return;
      const status = props.policies?.retentionPolicy?.status;
      if (equalsIgnoringCase(status, "enabled")) return;
      reportViolation(
        `Premium registry '${args.name}' has policies.retentionPolicy.status=${shown(status)}, so untagged manifests pile up; set policies: { retentionPolicy: { status: "enabled", days: 7 } } (days to keep untagged manifests)`,
      );
    },
  },
);

export const registryPolicies: ControlPolicy[] = [acr01, acr02, acr03, acr04, acr05];

import type { PolicyResource } from "@pulumi/policy";
import { requiresSignatures } from "./cluster";
import {
  equalsIgnoringCase,
  ofType,
  reportNotPrivate,
  requireDefenderPlan,
  resourcePolicy,
  shown,
  stackPolicy,
  type ControlPolicy,
} from "./control";
import {
  DEFENDER_PRICING,
  HELM_RELEASE,
  MANAGED_CLUSTER,
  PRIVATE_ENDPOINT,
  REGISTRY,
} from "../facts/tokens";

interface RegistryProps {
  adminUserEnabled?: boolean;
  anonymousPullEnabled?: boolean;
  publicNetworkAccess?: string;
  sku?: { name?: string };
  zoneRedundancy?: string;
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

/**
 * ACR's retention policy deletes untagged manifests after `days`
 * (https://learn.microsoft.com/azure/container-registry/container-registry-retention-policy),
 * and Notation signatures are untagged manifests: OCI referrers of the image, found through the
 * referrers API, never through a tag (notaryproject/specifications, specs/signature-specification.md,
 * "OCI Image Manifest"; https://learn.microsoft.com/azure/container-registry/container-registry-oci-artifacts).
 * The same page warns not to set a retention policy for systems that pull by manifest digest. A
 * stack that verifies signatures (Ratify) would lose them, and its pods with them, so there the
 * policy must be off; elsewhere it keeps untagged manifests from piling up.
 */
function retentionProblem(
  registry: PolicyResource,
  signaturesRequired: boolean,
): string | undefined {
  const props = registry.props as RegistryProps;
  // Retention policies exist only on Premium; other SKUs cannot have one.
  if (!equalsIgnoringCase(props.sku?.name, "Premium")) return undefined;
  const status = props.policies?.retentionPolicy?.status;
  const enabled = equalsIgnoringCase(status, "enabled");
  const subject = `Premium registry '${registry.name}' has policies.retentionPolicy.status=${shown(status)}`;
  if (signaturesRequired && enabled) {
    return `${subject} while the stack verifies image signatures (Ratify): retention deletes untagged manifests, and Notation signatures are untagged referrers, so signed images would stop being admitted (and images pulled by digest would go); set policies: { retentionPolicy: { status: "disabled" } }`;
  }
  if (!signaturesRequired && !enabled) {
    return `${subject}, so untagged manifests pile up; set policies: { retentionPolicy: { status: "enabled", days: 7 } } (days to keep untagged manifests)`;
  }
  return undefined;
}

const acr05 = stackPolicy(
  {
    id: "ACR-05",
    seed: "7",
    level: "A",
    rule: "Premium registries have a retention policy for untagged manifests, unless the stack requires signatures (untagged referrers such as Notation signatures must not be purged)",
  },
  {
    resourceTypes: [REGISTRY, HELM_RELEASE],
    validateStack: (args, reportViolation) => {
      const signaturesRequired = requiresSignatures(args.resources);
      for (const registry of ofType(args.resources, REGISTRY)) {
        const problem = retentionProblem(registry, signaturesRequired);
        if (problem) reportViolation(problem, registry.urn);
      }
    },
  },
);

/** Zone redundancy can only be chosen when the registry is created
 * (https://learn.microsoft.com/azure/container-registry/zone-redundancy). */
const acr06 = resourcePolicy(
  {
    id: "ACR-06",
    seed: "13",
    level: "P",
    rule: "Premium registries are zone redundant (zoneRedundancy: Enabled)",
  },
  {
    resourceType: REGISTRY,
    validateResource: (args, reportViolation) => {
      const props = args.props as RegistryProps;
      if (!equalsIgnoringCase(props.sku?.name, "Premium")) return;
      if (equalsIgnoringCase(props.zoneRedundancy, "Enabled")) return;
      reportViolation(
        `Premium registry '${args.name}' has zoneRedundancy=${shown(props.zoneRedundancy)}; set zoneRedundancy: "Enabled" (only possible when the registry is created, so a zone outage does not stop image pulls)`,
      );
    },
  },
);

export const registryPolicies: ControlPolicy[] = [acr01, acr02, acr03, acr04, acr05, acr06];

import type { PolicyResource } from "@pulumi/policy";
import { HELM_RELEASE, REGISTRY } from "../../facts/tokens";
import { requiresSignatures } from "../aks/image-integrity";
import { stackPolicy } from "../shared/control";
import { equalsIgnoringCase, ofType, shown } from "../shared/readers";
import type { RegistryProps } from "./registry";

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

export const acr05 = stackPolicy(
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

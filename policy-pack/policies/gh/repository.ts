import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import { GITHUB_TYPES } from "../../facts/tokens";
import { stackPolicy } from "../shared/control";
import { ofType } from "../shared/readers";
import { current, linkedTo, objectAt } from "./readers";

// ---------------------------------------------------------------------------------------------
// GH-04: repository security settings

const PRIVATE_VISIBILITIES = ["private", "internal"];

/** securityAndAnalysis features a repository must enable, with their input paths. */
const REPOSITORY_SECURITY: ReadonlyArray<[key: string, feature: string]> = [
  ["advancedSecurity", "GitHub Advanced Security"],
  ["secretScanning", "secret scanning"],
  ["secretScanningPushProtection", "secret scanning push protection"],
];

function hasVulnerabilityAlerts(repository: PolicyResource, resources: PolicyResource[]): boolean {
  if (repository.props.vulnerabilityAlerts === true) return true;
  return linkedTo(
    resources,
    GITHUB_TYPES.repositoryVulnerabilityAlerts,
    "repository",
    repository,
  ).some((alerts) => alerts.props.enabled === true);
}

function checkRepositorySecurity(
  repository: PolicyResource,
  resources: PolicyResource[],
  reportViolation: ReportViolation,
): void {
  const report = (message: string) =>
    reportViolation(`repository '${repository.name}': ${message}`, repository.urn);
  const visibility = repository.props.visibility;
  if (typeof visibility !== "string" || !PRIVATE_VISIBILITIES.includes(visibility)) {
    report(
      `${current("visibility", visibility)} (new repositories are public unless it says otherwise); ` +
        `set visibility: "private" (or "internal")`,
    );
  }
  const securityAndAnalysis = objectAt(repository.props.securityAndAnalysis);
  for (const [key, feature] of REPOSITORY_SECURITY) {
    const status = objectAt(securityAndAnalysis?.[key])?.status;
    if (status === "enabled") continue;
    report(
      `${current(`securityAndAnalysis.${key}.status`, status)}; ` +
        `set securityAndAnalysis.${key}: { status: "enabled" } to turn on ${feature}`,
    );
  }
  if (!hasVulnerabilityAlerts(repository, resources)) {
    report(
      `${current("vulnerabilityAlerts", repository.props.vulnerabilityAlerts)} and no ` +
        `RepositoryVulnerabilityAlerts with enabled: true targets it; add a ` +
        `github.RepositoryVulnerabilityAlerts with enabled: true for Dependabot alerts ` +
        `(Repository.vulnerabilityAlerts is deprecated in @pulumi/github 6.15)`,
    );
  }
}

export const gh04 = stackPolicy(
  {
    id: "GH-04",
    seed: "4,11",
    level: "M",
    rule:
      "Repository: securityAndAnalysis has advanced security, secret scanning and push protection " +
      "enabled; vulnerabilityAlerts true (or a RepositoryVulnerabilityAlerts, hence a stack " +
      "policy); visibility not public",
  },
  {
    resourceTypes: [GITHUB_TYPES.repository, GITHUB_TYPES.repositoryVulnerabilityAlerts],
    validateStack: (args, reportViolation) => {
      for (const repository of ofType(args.resources, GITHUB_TYPES.repository)) {
        checkRepositorySecurity(repository, args.resources, reportViolation);
      }
    },
  },
);

import { DYNAMIC_RESOURCE, GITHUB_TYPES } from "../../facts/tokens";
import { resourcePolicy, stackPolicy } from "../shared/control";
import { ofType } from "../shared/readers";
import { current, objectAt } from "./readers";
import { CODE_SECURITY_CONFIGURATION_KIND } from "../../facts/github";

// ---------------------------------------------------------------------------------------------
// GH-01, GH-02: organization settings

interface OrganizationSettingsProps {
  defaultRepositoryPermission?: string;
  membersCanCreatePublicRepositories?: boolean;
}

const ALLOWED_BASE_PERMISSIONS = ["none", "read"];

export const gh01 = resourcePolicy(
  {
    id: "GH-01",
    seed: "1,3",
    level: "M",
    rule: "OrganizationSettings: defaultRepositoryPermission is none or read; membersCanCreatePublicRepositories is false",
  },
  {
    resourceType: GITHUB_TYPES.organizationSettings,
    validateResource: (args, reportViolation) => {
      const props = args.props as OrganizationSettingsProps;
      const permission = props.defaultRepositoryPermission;
      if (permission === undefined || !ALLOWED_BASE_PERMISSIONS.includes(permission)) {
        reportViolation(
          `organization settings '${args.name}': ${current("defaultRepositoryPermission", permission)}; ` +
            `set defaultRepositoryPermission: "read" (or "none") and grant more through teams`,
        );
      }
      if (props.membersCanCreatePublicRepositories !== false) {
        reportViolation(
          `organization settings '${args.name}': ` +
            `${current("membersCanCreatePublicRepositories", props.membersCanCreatePublicRepositories)}; ` +
            `set membersCanCreatePublicRepositories: false (GitHub's default lets members publish repositories)`,
        );
      }
    },
  },
);

/**
 * GitHub removed the organisation API's `*_for_new_repositories` security fields on 2026-04-21
 * (github.blog changelog, 2026-03-24 and 2026-04-21): set on OrganizationSettings they are no
 * evidence. Their replacement is a code security configuration that is the organisation's default
 * for new repositories (https://docs.github.com/en/rest/code-security/configurations). The stack
 * manages it as a dynamic resource (infra/github/code-security.ts) whose `kind` input names it.
 */
export { CODE_SECURITY_CONFIGURATION_KIND };

/** `default_for_new_repos` values that cover the platform's (private and internal) repositories. */
const COVERS_NEW_PRIVATE_REPOSITORIES = ["all", "private_and_internal"];

/** Features the default configuration must enable, as the REST API names them (for messages). */
const NEW_REPOSITORY_SECURITY: ReadonlyArray<[feature: string, description: string]> = [
  ["advanced_security", "GitHub Advanced Security"],
  ["secret_scanning", "secret scanning"],
  ["secret_scanning_push_protection", "secret scanning push protection"],
  ["dependency_graph", "the dependency graph"],
  ["dependabot_alerts", "Dependabot alerts"],
  ["dependabot_security_updates", "Dependabot security updates"],
];

export const gh02 = stackPolicy(
  {
    id: "GH-02",
    seed: "4,11",
    level: "M",
    rule:
      "The organisation's default code security configuration for new repositories enables " +
      "advanced security, secret scanning, push protection, dependency graph, Dependabot alerts " +
      "and security updates (the removed OrganizationSettings *_for_new_repositories fields are " +
      "no evidence)",
  },
  {
    resourceTypes: [DYNAMIC_RESOURCE, GITHUB_TYPES.organizationSettings],
    validateStack: (args, reportViolation) => {
      const configurations = args.resources.filter(
        (resource) =>
          resource.type === DYNAMIC_RESOURCE &&
          resource.props.kind === CODE_SECURITY_CONFIGURATION_KIND,
      );
      const defaults = configurations.filter((configuration) =>
        COVERS_NEW_PRIVATE_REPOSITORIES.includes(String(configuration.props.defaultForNewRepos)),
      );
      if (defaults.length === 0) {
        for (const settings of ofType(args.resources, GITHUB_TYPES.organizationSettings)) {
          reportViolation(
            `organization settings '${settings.name}': no code security configuration is the ` +
              `default for new repositories (defaultForNewRepos "all" or "private_and_internal"); ` +
              `the *_for_new_repositories fields were removed from GitHub's API on 2026-04-21, ` +
              `so add one (infra/github/code-security.ts)`,
            settings.urn,
          );
        }
      }
      for (const configuration of defaults) {
        const features = objectAt(configuration.props.features);
        for (const [feature, description] of NEW_REPOSITORY_SECURITY) {
          const value = features?.[feature];
          if (value === "enabled") continue;
          reportViolation(
            `code security configuration '${configuration.name}': ` +
              `${current(`features.${feature}`, value)}; set it to "enabled" so every new ` +
              `repository gets ${description}`,
            configuration.urn,
          );
        }
      }
    },
  },
);

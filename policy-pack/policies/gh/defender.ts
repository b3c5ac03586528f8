import type { PolicyResource } from "@pulumi/policy";
import { GITHUB_TYPES } from "../../facts/tokens";
import { stackPolicy } from "../shared/control";
import { equalsIgnoringCase, ofType } from "../shared/readers";
import { current, objectAt } from "./readers";
import { GITHUB_CONNECTOR_ENVIRONMENT } from "../../facts/azure";

// ---------------------------------------------------------------------------------------------
// GH-10: Defender for DevOps watches the GitHub organization

/** CloudName "Github" in azure-native v3; Azure enums compare without case. */
const GITHUB_CLOUD_NAME = "Github";

const GITHUB_ENVIRONMENT_TYPE = GITHUB_CONNECTOR_ENVIRONMENT;

/** Resources of the GitHub provider (`github:index/...`). */
function isGithubType(type: string): boolean {
  return type.startsWith("github:");
}

function isGithubConnector(connector: PolicyResource): boolean {
  return equalsIgnoringCase(connector.props.environmentName, GITHUB_CLOUD_NAME);
}

export const gh10 = stackPolicy(
  {
    id: "GH-10",
    seed: "12",
    level: "P",
    rule: "Stack: a Defender for DevOps GitHub connector (security:SecurityConnector, environment GitHub) exists",
  },
  {
    resourceTypes: [GITHUB_TYPES.securityConnector],
    // The connector watches the GitHub organization the stack manages: a stack without GitHub
    // resources has nothing for it to watch (an Azure-only program named prod must not fail).
    appliesToStacksWith: isGithubType,
    validateStack: (args, reportViolation) => {
      const connectors = ofType(args.resources, GITHUB_TYPES.securityConnector).filter(
        isGithubConnector,
      );
      if (connectors.length === 0) {
        reportViolation(
          `the stack has no Defender for DevOps GitHub connector; add an azure-native ` +
            `security.SecurityConnector with environmentName: "${GITHUB_CLOUD_NAME}" and environmentData: ` +
            `{ environmentType: "${GITHUB_ENVIRONMENT_TYPE}" }`,
        );
      }
      for (const connector of connectors) {
        const environmentType = objectAt(connector.props.environmentData)?.environmentType;
        if (environmentType === GITHUB_ENVIRONMENT_TYPE) continue;
        reportViolation(
          `security connector '${connector.name}': ` +
            `${current("environmentData.environmentType", environmentType)}; set environmentData: ` +
            `{ environmentType: "${GITHUB_ENVIRONMENT_TYPE}" } for a GitHub connector`,
          connector.urn,
        );
      }
    },
  },
);

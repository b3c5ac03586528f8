import type { ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import { GITHUB_TYPES } from "../../facts/tokens";
import { resourcePolicy } from "../shared/control";
import { current } from "./readers";

// ---------------------------------------------------------------------------------------------
// GH-07: the GITHUB_TOKEN of workflows

interface WorkflowPermissionsProps {
  defaultWorkflowPermissions?: string;
  canApprovePullRequestReviews?: boolean;
}

export const gh07 = resourcePolicy(
  {
    id: "GH-07",
    seed: "5",
    level: "A",
    rule: "ActionsOrganizationWorkflowPermissions: default workflow token permission read, workflows cannot approve pull requests",
  },
  {
    resourceType: GITHUB_TYPES.workflowPermissions,
    validateResource: (args, reportViolation) => {
      const props = args.props as WorkflowPermissionsProps;
      if (props.defaultWorkflowPermissions !== "read") {
        reportViolation(
          `workflow permissions '${args.name}': ` +
            `${current("defaultWorkflowPermissions", props.defaultWorkflowPermissions)}; set ` +
            `defaultWorkflowPermissions: "read" and grant more per workflow with 'permissions:'`,
        );
      }
      if (props.canApprovePullRequestReviews !== false) {
        reportViolation(
          `workflow permissions '${args.name}': ` +
            `${current("canApprovePullRequestReviews", props.canApprovePullRequestReviews)}; set ` +
            `canApprovePullRequestReviews: false so a workflow cannot approve its own pull request`,
        );
      }
    },
  },
);

// ---------------------------------------------------------------------------------------------
// GH-08: no long-lived Azure credential in GitHub

const SECRET_TYPES: readonly string[] = [
  GITHUB_TYPES.actionsSecret,
  GITHUB_TYPES.actionsEnvironmentSecret,
  GITHUB_TYPES.actionsOrganizationSecret,
];

/** Names of secrets that hold a client secret, certificate or password (upper-cased). */
const LONG_LIVED_CREDENTIAL_NAMES: readonly RegExp[] = [
  /^(AZURE|ARM)_CREDENTIALS$/,
  /(^|_)CLIENT_SECRET$/,
  /^(AZURE|ARM)_CLIENT_CERTIFICATE/,
  /(^|_)PASSWORD$/,
];

function isLongLivedCredentialName(name: string): boolean {
  const upper = name.toUpperCase();
  return LONG_LIVED_CREDENTIAL_NAMES.some((pattern) => pattern.test(upper));
}

function validateSecretName(args: ResourceValidationArgs, reportViolation: ReportViolation): void {
  if (!SECRET_TYPES.includes(args.type)) return;
  const secretName = args.props.secretName as unknown;
  if (typeof secretName !== "string" || !isLongLivedCredentialName(secretName)) return;
  reportViolation(
    `Actions secret '${args.name}' (secretName ${secretName}) holds a long-lived Azure credential; ` +
      `delete it and sign in with OIDC: azure/login with client-id, tenant-id and subscription-id ` +
      `(Actions variables) and a federated identity credential for the workflow`,
  );
}

export const gh08 = resourcePolicy(
  {
    id: "GH-08",
    seed: "6,12",
    level: "M",
    rule:
      "ActionsSecret / ActionsEnvironmentSecret / ActionsOrganizationSecret: no long-lived Azure " +
      "credential (AZURE_CLIENT_SECRET, AZURE_CREDENTIALS, *_PASSWORD, ...); GitHub reaches Azure through OIDC",
  },
  { resourceTypes: SECRET_TYPES, validateResource: validateSecretName },
);

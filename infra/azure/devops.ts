import * as pulumi from "@pulumi/pulumi";
import * as security from "@pulumi/azure-native/security";
import { stableGuid } from "../naming";
import { Placement, placementOf } from "./shared";
import { GITHUB_CONNECTOR_ENVIRONMENT } from "../../policy-pack/facts/azure";

export interface DevOpsConnectorArgs extends Placement {
  /** The GitHub organisation Defender for DevOps scans (repositories, workflows, secrets). */
  organization: string;
}

/**
 * The connector's hierarchy identifier: Azure only needs a GUID unique to the connector, so it
 * is derived from the organisation (stable across runs; a random one would replace it).
 */
export function connectorHierarchyId(organization: string): string {
  return stableGuid(`github-connector/${organization.toLowerCase()}`);
}

/**
 * Defender for DevOps: a Defender for Cloud security connector for a GitHub organisation, so that
 * code, secret and IaC findings and the repositories' posture show up next to the cloud's.
 * Authorising the Microsoft Security DevOps GitHub app on the organisation is a one-time step in
 * the portal (see README).
 */
export class DevOpsConnector extends pulumi.ComponentResource {
  readonly connectorId: pulumi.Output<string>;

  constructor(name: string, args: DevOpsConnectorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:azure:DevOpsConnector", name, {}, opts);
    const connector = new security.SecurityConnector(
      `${name}-github`,
      {
        ...placementOf(args),
        securityConnectorName: `github-${args.organization.toLowerCase()}`,
        environmentName: security.CloudName.Github,
        hierarchyIdentifier: connectorHierarchyId(args.organization),
        environmentData: { environmentType: GITHUB_CONNECTOR_ENVIRONMENT },
        offerings: [{ offeringType: "CspmMonitorGithub" }],
      },
      { parent: this },
    );
    this.connectorId = connector.id;
    this.registerOutputs({ connectorId: this.connectorId });
  }
}

import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import { BUILT_IN_ROLES, type BuiltInRole } from "../../policy-pack/facts/azure";

export { BUILT_IN_ROLES, type BuiltInRole };

/** A built-in role's definition id in the subscription, as a role assignment names it. */
export function roleDefinitionId(subscriptionId: pulumi.Input<string>, role: BuiltInRole) {
  return pulumi.interpolate`/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES[role]}`;
}

export interface RoleGrant {
  subscriptionId: pulumi.Input<string>;
  /** A service principal: managed identities and the add-ons' identities. */
  principalId: pulumi.Input<string>;
  role: BuiltInRole;
  scope: pulumi.Input<string>;
  /** Who gets the role and why, shown in the Azure portal (`platform: <role> for <who>`). */
  grantee: string;
}

/** One built-in role for one service principal at one scope. */
export function assignRole(
  name: string,
  grant: RoleGrant,
  opts: pulumi.CustomResourceOptions,
): authorization.RoleAssignment {
  return new authorization.RoleAssignment(
    name,
    {
      principalId: grant.principalId,
      principalType: authorization.PrincipalType.ServicePrincipal,
      roleDefinitionId: roleDefinitionId(grant.subscriptionId, grant.role),
      scope: grant.scope,
      description: `platform: ${grant.role} for ${grant.grantee}`,
    },
    opts,
  );
}

import * as pulumi from "@pulumi/pulumi";
import * as azuread from "@pulumi/azuread";
import { ITEMS_SCOPES } from "../../app/src/auth/scopes";
import { stableGuid } from "../naming";

export interface ApiApplicationArgs {
  /** Display name of the application registration, e.g. `items-api-dev`. */
  displayName: string;
  /** Entra ID object ids of the application's owners (the cluster admin groups cannot own apps). */
  owners?: pulumi.Input<string>[];
}

/**
 * The items API's Entra ID application: the audience of the access tokens the app accepts.
 * Delegated scopes (`scp`) for users, app roles (`roles`) for daemons, both named as the app checks
 * them (app/src/auth/scopes.ts). v2.0 tokens (`requestedAccessTokenVersion: 2`), whose `aud` is the
 * application's client id and whose `iss` is `https://login.microsoftonline.com/{tenant}/v2.0`
 * (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference).
 * Input names as in @pulumi/azuread 6.9.1 (application.d.ts, applicationIdentifierUri.d.ts,
 * servicePrincipal.d.ts, generated from the provider's schema).
 */
export class ApiApplication extends pulumi.ComponentResource {
  /** The application (client) id: AUTH_AUDIENCE of the app. */
  readonly clientId: pulumi.Output<string>;
  readonly identifierUri: pulumi.Output<string>;

  constructor(name: string, args: ApiApplicationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:azure:ApiApplication", name, {}, opts);
    const scope = (value: string, what: string) => ({
      id: stableGuid(`${args.displayName}/scope/${value}`),
      value,
      type: "User",
      enabled: true,
      adminConsentDisplayName: `${what} items`,
      adminConsentDescription: `Allows the application to ${what.toLowerCase()} items on behalf of the signed-in user.`,
      userConsentDisplayName: `${what} your items`,
      userConsentDescription: `Allows the application to ${what.toLowerCase()} items on your behalf.`,
    });
    const role = (value: string, what: string) => ({
      id: stableGuid(`${args.displayName}/role/${value}`),
      value,
      allowedMemberTypes: ["Application"],
      displayName: `${what} items`,
      description: `Applications with this role can ${what.toLowerCase()} items.`,
      enabled: true,
    });
    const application = new azuread.Application(
      `${name}-application`,
      {
        displayName: args.displayName,
        signInAudience: "AzureADMyOrg",
        owners: args.owners,
        api: {
          requestedAccessTokenVersion: 2,
          oauth2PermissionScopes: [
            scope(ITEMS_SCOPES.read, "Read"),
            scope(ITEMS_SCOPES.write, "Write"),
          ],
        },
        appRoles: [role(ITEMS_SCOPES.read, "Read"), role(ITEMS_SCOPES.write, "Write")],
      },
      // The identifier URI is its own resource (it needs the client id).
      { parent: this, ignoreChanges: ["identifierUris"] },
    );
    const identifierUri = new azuread.ApplicationIdentifierUri(
      `${name}-identifier-uri`,
      {
        applicationId: application.id,
        identifierUri: pulumi.interpolate`api://${application.clientId}`,
      },
      { parent: this },
    );
    // Only callers assigned a role (or granted a scope) get tokens for the API.
    new azuread.ServicePrincipal(
      `${name}-service-principal`,
      {
        clientId: application.clientId,
        appRoleAssignmentRequired: true,
        owners: args.owners,
      },
      { parent: this },
    );
    this.clientId = application.clientId;
    this.identifierUri = identifierUri.identifierUri;
    this.registerOutputs({ clientId: this.clientId, identifierUri: this.identifierUri });
  }
}

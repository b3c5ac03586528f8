import * as pulumi from "@pulumi/pulumi";
import { CODE_SECURITY_CONFIGURATION_KIND } from "../../policy-pack/facts/github";

/**
 * GitHub removed the organisation API's `*_for_new_repositories` security fields on 2026-04-21
 * (github.blog changelog, 2026-03-24 and 2026-04-21): `OrganizationSettings` in @pulumi/github
 * 6.15 still sends them, reads them back false and enables nothing. Their replacement is a code
 * security configuration set as the organisation's default for new repositories, which the
 * provider has no resource for. This module manages one over the REST API:
 * https://docs.github.com/en/rest/code-security/configurations
 *   POST   /orgs/{org}/code-security/configurations                  create
 *   PATCH  /orgs/{org}/code-security/configurations/{id}             update
 *   PUT    /orgs/{org}/code-security/configurations/{id}/defaults    default for new repositories
 *   DELETE /orgs/{org}/code-security/configurations/{id}             delete
 * The token needs the organisation's "Administration" permission (write), as the App has.
 */

export { CODE_SECURITY_CONFIGURATION_KIND };

/** The features of a configuration, as the REST API names them. */
export interface CodeSecurityFeatures {
  advanced_security: "enabled" | "disabled";
  dependency_graph: "enabled" | "disabled";
  dependabot_alerts: "enabled" | "disabled";
  dependabot_security_updates: "enabled" | "disabled";
  code_scanning_default_setup: "enabled" | "disabled";
  secret_scanning: "enabled" | "disabled";
  secret_scanning_push_protection: "enabled" | "disabled";
  enforcement: "enforced" | "unenforced";
}

/** Everything on, enforced (repository admins cannot turn it off). */
export const SECURE_FEATURES: CodeSecurityFeatures = {
  advanced_security: "enabled",
  dependency_graph: "enabled",
  dependabot_alerts: "enabled",
  dependabot_security_updates: "enabled",
  code_scanning_default_setup: "enabled",
  secret_scanning: "enabled",
  secret_scanning_push_protection: "enabled",
  enforcement: "enforced",
};

/** Which new repositories get the configuration by default. */
export type DefaultForNewRepos = "all" | "none" | "private_and_internal" | "public";

/** The resource's inputs, as the provider receives them (plain values). */
export interface CodeSecurityConfigurationInputs {
  kind: typeof CODE_SECURITY_CONFIGURATION_KIND;
  organization: string;
  name: string;
  description: string;
  features: CodeSecurityFeatures;
  defaultForNewRepos: DefaultForNewRepos;
  /** GitHub token (secret); not compared, so a fresh App token is no change. */
  token: string;
  apiUrl: string;
}

/** One call to the REST API; a status outside 2xx is an error naming the call. */
export async function githubRequest(
  inputs: Pick<CodeSecurityConfigurationInputs, "token" | "apiUrl">,
  method: "POST" | "PATCH" | "PUT" | "DELETE",
  path: string,
  body?: unknown,
): Promise<unknown> {
  const response = await fetch(`${inputs.apiUrl}${path}`, {
    method,
    headers: {
      Accept: "application/vnd.github+json",
      Authorization: `Bearer ${inputs.token}`,
      "X-GitHub-Api-Version": "2022-11-28",
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`GitHub ${method} ${path}: HTTP ${response.status} ${text.slice(0, 300)}`);
  }
  return text === "" ? undefined : JSON.parse(text);
}

const configurationsPath = (organization: string) =>
  `/orgs/${encodeURIComponent(organization)}/code-security/configurations`;

/** The body of a create or update: name, description and every feature. */
export function configurationBody(inputs: CodeSecurityConfigurationInputs) {
  return { name: inputs.name, description: inputs.description, ...inputs.features };
}

/** Inputs whose change the provider applies, and those that need a new configuration. */
export function changedKeys(
  olds: CodeSecurityConfigurationInputs,
  news: CodeSecurityConfigurationInputs,
): { changes: string[]; replaces: string[] } {
  const compared = ["name", "description", "features", "defaultForNewRepos", "apiUrl"] as const;
  const changes = compared.filter(
    (key) => JSON.stringify(olds[key]) !== JSON.stringify(news[key]),
  ) as string[];
  const replaces = olds.organization !== news.organization ? ["organization"] : [];
  return { changes: [...changes, ...replaces], replaces };
}

export const codeSecurityConfigurationProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: CodeSecurityConfigurationInputs) {
    const path = configurationsPath(inputs.organization);
    const created = (await githubRequest(inputs, "POST", path, configurationBody(inputs))) as {
      id: number;
    };
    await githubRequest(inputs, "PUT", `${path}/${created.id}/defaults`, {
      default_for_new_repos: inputs.defaultForNewRepos,
    });
    return { id: String(created.id), outs: inputs };
  },
  async diff(_id: string, olds: CodeSecurityConfigurationInputs, news) {
    const { changes, replaces } = changedKeys(olds, news);
    return {
      changes: changes.length > 0,
      replaces,
      deleteBeforeReplace: replaces.length > 0,
    };
  },
  async update(id: string, _olds: CodeSecurityConfigurationInputs, news) {
    const path = configurationsPath(news.organization);
    await githubRequest(news, "PATCH", `${path}/${id}`, configurationBody(news));
    await githubRequest(news, "PUT", `${path}/${id}/defaults`, {
      default_for_new_repos: news.defaultForNewRepos,
    });
    return { outs: news };
  },
  async delete(id: string, props: CodeSecurityConfigurationInputs) {
    const path = configurationsPath(props.organization);
    // No longer the default first: new repositories fall back to GitHub's own defaults.
    await githubRequest(props, "PUT", `${path}/${id}/defaults`, { default_for_new_repos: "none" });
    await githubRequest(props, "DELETE", `${path}/${id}`);
  },
};

export interface CodeSecurityConfigurationArgs {
  organization: string;
  name: string;
  description: string;
  features: CodeSecurityFeatures;
  defaultForNewRepos: DefaultForNewRepos;
  /** The GitHub provider's token; undefined in an anonymous preview (nothing is called then). */
  token: pulumi.Input<string> | undefined;
  apiUrl?: string;
}

/** A code security configuration of the organisation, the default for its new repositories. */
export class CodeSecurityConfiguration extends pulumi.dynamic.Resource {
  constructor(
    name: string,
    args: CodeSecurityConfigurationArgs,
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(
      codeSecurityConfigurationProvider,
      name,
      {
        kind: CODE_SECURITY_CONFIGURATION_KIND,
        organization: args.organization,
        name: args.name,
        description: args.description,
        features: args.features,
        defaultForNewRepos: args.defaultForNewRepos,
        token: pulumi.secret(args.token ?? ""),
        apiUrl: args.apiUrl ?? "https://api.github.com",
      },
      { ...opts, additionalSecretOutputs: ["token"] },
    );
  }
}

/** The discriminator of the organisation restrictions resource (GH-01 reads it too). */
export const ORGANIZATION_RESTRICTIONS_KIND = "github:organization-restrictions";

/**
 * Organisation settings whose secure value is `false`. The upstream provider's create skips
 * false values (`d.GetOk`, integrations/terraform-provider-github
 * github/resource_github_organization_settings.go), so `OrganizationSettings` leaves GitHub's
 * defaults (members may create public repositories and pages) until a second `up`. This resource
 * sends them on create and on every change: PATCH /orgs/{org}
 * (https://docs.github.com/en/rest/orgs/orgs#update-an-organization).
 */
export interface OrganizationRestrictions {
  members_can_create_public_repositories: false;
  members_can_create_public_pages: false;
  members_can_fork_private_repositories: false;
}

export const ORGANIZATION_RESTRICTIONS: OrganizationRestrictions = {
  members_can_create_public_repositories: false,
  members_can_create_public_pages: false,
  members_can_fork_private_repositories: false,
};

export interface OrganizationRestrictionsInputs {
  kind: typeof ORGANIZATION_RESTRICTIONS_KIND;
  organization: string;
  settings: OrganizationRestrictions;
  token: string;
  apiUrl: string;
}

const organizationPath = (organization: string) => `/orgs/${encodeURIComponent(organization)}`;

export const organizationRestrictionsProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: OrganizationRestrictionsInputs) {
    await githubRequest(inputs, "PATCH", organizationPath(inputs.organization), inputs.settings);
    return { id: inputs.organization, outs: inputs };
  },
  async diff(_id: string, olds: OrganizationRestrictionsInputs, news) {
    const changed = JSON.stringify(olds.settings) !== JSON.stringify(news.settings);
    const replaces = olds.organization !== news.organization ? ["organization"] : [];
    return { changes: changed || replaces.length > 0, replaces };
  },
  async update(_id: string, _olds: OrganizationRestrictionsInputs, news) {
    await githubRequest(news, "PATCH", organizationPath(news.organization), news.settings);
    return { outs: news };
  },
  // Deleting the stack leaves the organisation as restricted as it is (nothing to undo safely).
  async delete() {},
};

/** Sends the organisation's `false` restrictions explicitly, from the first `up`. */
export class OrganizationRestrictionsResource extends pulumi.dynamic.Resource {
  constructor(
    name: string,
    args: { organization: string; token: pulumi.Input<string> | undefined; apiUrl?: string },
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(
      organizationRestrictionsProvider,
      name,
      {
        kind: ORGANIZATION_RESTRICTIONS_KIND,
        organization: args.organization,
        settings: ORGANIZATION_RESTRICTIONS,
        token: pulumi.secret(args.token ?? ""),
        apiUrl: args.apiUrl ?? "https://api.github.com",
      },
      { ...opts, additionalSecretOutputs: ["token"] },
    );
  }
}

import { afterEach, describe, expect, it, vi } from "vitest";
import {
  CODE_SECURITY_CONFIGURATION_KIND,
  codeSecurityConfigurationProvider,
  type CodeSecurityConfigurationInputs,
  ORGANIZATION_RESTRICTIONS,
  ORGANIZATION_RESTRICTIONS_KIND,
  organizationRestrictionsProvider,
  SECURE_FEATURES,
} from "../../infra/github/code-security";
import { isWireSecret } from "../../tools/secrets";
import { resourcesOfType } from "../support/stacks";

interface Call {
  method: string;
  url: string;
  body: unknown;
  authorization: string | undefined;
}

/** Stubs fetch: records each call and answers with the given statuses and bodies in turn. */
function stubGitHub(...answers: { status: number; body?: unknown }[]): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
    const headers = init.headers as Record<string, string>;
    calls.push({
      method: String(init.method),
      url,
      body: init.body === undefined ? undefined : JSON.parse(String(init.body)),
      authorization: headers.Authorization,
    });
    const answer = answers.shift() ?? { status: 204 };
    const text = answer.body === undefined ? "" : JSON.stringify(answer.body);
    return new Response(answer.status === 204 ? null : text, { status: answer.status });
  });
  return calls;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

const inputs: CodeSecurityConfigurationInputs = {
  kind: CODE_SECURITY_CONFIGURATION_KIND,
  organization: "contoso-platform",
  name: "platform-default",
  description: "all on",
  features: SECURE_FEATURES,
  defaultForNewRepos: "all",
  token: "test-token",
  apiUrl: "https://api.example.test",
};
const base = "https://api.example.test/orgs/contoso-platform/code-security/configurations";

describe("code security configuration provider (REST API)", () => {
  it("creates the configuration, then makes it the default for new repositories", async () => {
    const calls = stubGitHub({ status: 201, body: { id: 17 } }, { status: 200, body: {} });
    const created = await codeSecurityConfigurationProvider.create(inputs);
    expect(created.id).toBe("17");
    expect(calls).toEqual([
      {
        method: "POST",
        url: base,
        body: { name: "platform-default", description: "all on", ...SECURE_FEATURES },
        authorization: "Bearer test-token",
      },
      {
        method: "PUT",
        url: `${base}/17/defaults`,
        body: { default_for_new_repos: "all" },
        authorization: "Bearer test-token",
      },
    ]);
  });

  it("fails the update with the call and status when GitHub refuses", async () => {
    stubGitHub({ status: 422, body: { message: "Validation Failed" } });
    await expect(codeSecurityConfigurationProvider.create(inputs)).rejects.toThrow(
      `GitHub POST /orgs/contoso-platform/code-security/configurations: HTTP 422`,
    );
  });

  it("sees no change in a fresh token, a change in a feature, a replacement in the org", async () => {
    const diff = codeSecurityConfigurationProvider.diff!;
    expect(await diff("17", inputs, { ...inputs, token: "another" })).toMatchObject({
      changes: false,
    });
    const weaker = { ...inputs, features: { ...SECURE_FEATURES, secret_scanning: "disabled" } };
    expect(await diff("17", inputs, weaker)).toMatchObject({ changes: true, replaces: [] });
    expect(await diff("17", inputs, { ...inputs, organization: "other" })).toMatchObject({
      changes: true,
      replaces: ["organization"],
    });
  });

  it("updates in place and re-asserts the default", async () => {
    const calls = stubGitHub({ status: 200, body: {} }, { status: 200, body: {} });
    await codeSecurityConfigurationProvider.update!("17", inputs, inputs);
    expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual([
      `PATCH ${base}/17`,
      `PUT ${base}/17/defaults`,
    ]);
  });

  it("stops being the default before it is deleted", async () => {
    const calls = stubGitHub({ status: 200, body: {} }, { status: 204 });
    await codeSecurityConfigurationProvider.delete!("17", inputs);
    expect(calls.map((call) => [call.method, call.url, call.body])).toEqual([
      ["PUT", `${base}/17/defaults`, { default_for_new_repos: "none" }],
      ["DELETE", `${base}/17`, undefined],
    ]);
  });
});

describe("organisation restrictions provider (REST API)", () => {
  it("sends every false restriction on create, which OrganizationSettings skips", async () => {
    const calls = stubGitHub({ status: 200, body: {} });
    await organizationRestrictionsProvider.create({
      kind: ORGANIZATION_RESTRICTIONS_KIND,
      organization: "contoso-platform",
      settings: ORGANIZATION_RESTRICTIONS,
      token: "test-token",
      apiUrl: "https://api.example.test",
    });
    expect(calls).toEqual([
      {
        method: "PATCH",
        url: "https://api.example.test/orgs/contoso-platform",
        body: {
          members_can_create_public_repositories: false,
          members_can_create_public_pages: false,
          members_can_fork_private_repositories: false,
        },
        authorization: "Bearer test-token",
      },
    ]);
  });
});

describe("the prod stack's REST API resources", () => {
  it("keep the GitHub token secret in their inputs", () => {
    const dynamic = resourcesOfType("prod", "pulumi-nodejs:dynamic:Resource");
    expect(dynamic.length).toBe(2);
    for (const resource of dynamic) expect(isWireSecret(resource.inputs.token)).toBe(true);
  });
});

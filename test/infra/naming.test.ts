import { describe, expect, it } from "vitest";
import { deployIdentityName, repositoryKey } from "../../infra/github/names";
import { nameProblems, resourceNames, standardTags } from "../../infra/naming";

describe("resource names", () => {
  it("derives valid names per kind", () => {
    const names = resourceNames("contoso", "prod");
    expect(names.registry).toBe("acrcontosoprod");
    expect(names.keyVault).toBe("kv-contoso-prod");
    expect(names.resourceGroup).toBe("rg-contoso-prod");
  });

  it("drops hyphens only where a kind forbids them", () => {
    expect(resourceNames("contoso", "pr-42").registry).toBe("acrcontosopr42");
    expect(resourceNames("contoso", "pr-42").keyVault).toBe("kv-contoso-pr-42");
  });

  it("explains length and character violations", () => {
    expect(nameProblems("keyVault", "kv-" + "a".repeat(22))).toEqual([
      `keyVault name 'kv-${"a".repeat(22)}' has 25 characters; allowed 3-24`,
    ]);
    expect(nameProblems("registry", "acr-x")).toEqual([
      "registry name 'acr-x' may contain letters and digits only",
    ]);
    expect(() => resourceNames("averylongprefix", "production")).toThrow(/keyVault name/);
  });

  it("validates Ratify's identity like the app's (a user-assigned identity's rules)", () => {
    expect(resourceNames("contoso", "prod").ratifyIdentity).toBe("id-contoso-prod-ratify");
    expect(nameProblems("ratifyIdentity", "id-contoso-prod-ratify")).toEqual([]);
    expect(nameProblems("ratifyIdentity", "id.contoso")).toEqual([
      "ratifyIdentity name 'id.contoso' may contain letters, digits, '-', '_'",
    ]);
  });

  it("tags with environment, owner and managed-by, which extra tags cannot override", () => {
    expect(standardTags("dev", "alice", { owner: "mallory", team: "x" })).toEqual({
      team: "x",
      environment: "dev",
      owner: "alice",
      "managed-by": "pulumi",
    });
  });
});

describe("repository keys", () => {
  it("are one key for URNs and the deploy identity's name", () => {
    expect(repositoryKey("My.Repo_x")).toBe("my-repo-x");
    expect(deployIdentityName("contoso", "prod", "My.Repo_x")).toBe("id-contoso-prod-gh-my-repo-x");
  });
});

import { describe, expect, it } from "vitest";
import { namingProblems, resourceNames } from "../../../infra/naming";
import { ephemeralStackName, maxEnvironmentLength } from "../../../tools/env/names";

const RESERVED = ["dev", "ephemeral", "prod"];
const name = (requested: string, prefix = "contoso") =>
  ephemeralStackName(requested, prefix, RESERVED);

describe("ephemeral stack names", () => {
  it("keeps a name that already fits", () => {
    expect(name("pr-42")).toBe("pr-42");
  });

  it("lower-cases and turns other characters into single dashes", () => {
    expect(name("Fix/Login")).toBe("fix-login");
    expect(name("Feature/Login_Page")).toMatch(/^feature-[0-9a-f]{4}$/);
    expect(name("PR_7")).toBe("pr-7");
    expect(name("--a..b--")).toBe("a-b");
  });

  it("puts e- in front of a name that starts with a digit (environments start with a letter)", () => {
    expect(name("42")).toBe("e-42");
  });

  it("shortens a long name to the Key Vault budget with a hash that keeps names apart", () => {
    const budget = maxEnvironmentLength("contoso");
    const first = name("feature-very-long-branch-name-one");
    const second = name("feature-very-long-branch-name-two");
    expect(first.length).toBeLessThanOrEqual(budget);
    expect(first).toMatch(/^feature-[0-9a-f]{4}$/);
    expect(first).not.toBe(second);
    expect(name("feature-very-long-branch-name-one")).toBe(first);
  });

  it("gives names with which every Azure resource name is valid", () => {
    for (const requested of [
      "pr-42",
      "Feature/Login_Page",
      "42",
      "x".repeat(100),
      "a-b-c-d-e-f-g",
    ]) {
      const environment = name(requested);
      expect(namingProblems("contoso", environment)).toEqual([]);
      expect(environment).toMatch(/^[a-z][a-z0-9-]{1,11}$/);
      expect(environment).not.toMatch(/-$/);
    }
  });

  it("budgets by the Key Vault limit of 24 characters for the base's prefix", () => {
    // kv-<prefix>-<environment>: 24 - 3 - 1 - prefix length, at most 12 (the config schema).
    expect(maxEnvironmentLength("contoso")).toBe(12);
    expect(maxEnvironmentLength("contosoabc")).toBe(10);
    const environment = name("feature-login", "contosoabc");
    expect(environment.length).toBeLessThanOrEqual(10);
    expect(resourceNames("contosoabc", environment).keyVault.length).toBeLessThanOrEqual(24);
  });

  it("refuses a name with no letters or digits", () => {
    expect(() => name("---")).toThrow(/has no letters or digits/);
    expect(() => name("ü")).toThrow(/has no letters or digits/);
  });

  it("refuses the names of long-lived stacks and policy configs", () => {
    expect(() => name("dev")).toThrow(/'dev'.*long-lived.*reserved: dev, ephemeral, prod/);
    expect(() => name("PROD")).toThrow(/'prod'/);
  });

  it("fails clearly when the prefix leaves too little room", () => {
    expect(() => ephemeralStackName("pr-1", "a".repeat(20), RESERVED)).toThrow(
      /leaves 0 characters for an environment name/,
    );
  });

  it("fails as usage errors (exit code 2)", () => {
    expect(() => name("")).toThrow(expect.objectContaining({ exitCode: 2 }));
  });
});

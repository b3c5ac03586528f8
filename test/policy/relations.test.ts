import type { PolicyResource } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import {
  referencedThrough,
  referencesResource,
  referencesThrough,
  referrers,
} from "../../policy-pack/policies/shared/relations";

/** A random stack: resources of 3 types, some with per-property dependencies, some without. */
function randomStack(seed: number, size: number): PolicyResource[] {
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const types = ["t:a", "t:b", "t:c"];
  const resources = Array.from(
    { length: size },
    (_, index) =>
      ({
        type: types[index % types.length],
        urn: `urn:${index}`,
        name: `r${index}`,
        props: {},
        dependencies: [],
        propertyDependencies: {},
      }) as unknown as PolicyResource,
  );
  for (const from of resources) {
    const pick = () => resources[Math.floor(random() * size)];
    const dependencies = Array.from({ length: Math.floor(random() * 4) }, pick);
    (from as { dependencies: PolicyResource[] }).dependencies = dependencies;
    if (random() < 0.7) {
      for (const key of ["resourceUri", "scope", "workspaceId"]) {
        if (random() < 0.5)
          from.propertyDependencies[key] = dependencies.filter(() => random() < 0.6);
      }
    }
  }
  return resources;
}

describe("referrers: the indexed lookup of who references a resource", () => {
  it("finds exactly what filtering with referencesThrough and referencesResource finds, in list order", () => {
    for (const seed of [1, 2, 3]) {
      const resources = randomStack(seed, 150);
      for (const target of resources) {
        for (const type of ["t:a", "t:b"]) {
          const ofType = resources.filter((resource) => resource.type === type);
          expect(referrers(resources, target, type, ["resourceUri", "scope"])).toEqual(
            ofType.filter((from) => referencesThrough(from, target, ["resourceUri", "scope"])),
          );
          expect(referrers(resources, target, type)).toEqual(
            ofType.filter((from) => referencesResource(from, target)),
          );
        }
      }
      for (const from of resources) {
        const keyed = Object.keys(from.propertyDependencies).length > 0;
        const expected = keyed
          ? (from.propertyDependencies.workspaceId ?? []).map((dependency) => dependency.urn)
          : from.dependencies.map((dependency) => dependency.urn);
        expect(referencedThrough(from, ["workspaceId"]), from.urn).toEqual(expected);
      }
    }
  });
});

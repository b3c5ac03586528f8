import { describe, expect, it } from "vitest";
import { parsePlatformConfig } from "../../../infra/config";
import { resourceNames } from "../../../infra/naming";
import { loadProjectStack, PROJECT_ROOT } from "../../../tools/engine";
import {
  asConfigText,
  CHEAP,
  deriveEphemeralStack,
  type EphemeralRequest,
} from "../../../tools/env/stack";
import { EPHEMERAL_TAGS, ephemeralTagsOf } from "../../../tools/env/tags";

const NOW = new Date("2026-11-24T10:00:00.000Z");
const EIGHT_HOURS = 8 * 3_600_000;

function request(baseStack: "dev" | "prod", overrides: Partial<EphemeralRequest> = {}) {
  const base = loadProjectStack(PROJECT_ROOT, baseStack);
  return {
    stack: "pr-42",
    baseStack,
    baseConfig: base.config,
    baseSecretKeys: base.secretKeys,
    owner: "alice",
    ttlMs: EIGHT_HOURS,
    now: NOW,
    ...overrides,
  };
}

describe("the config of an ephemeral stack derived from dev", () => {
  const derived = deriveEphemeralStack(request("dev"));
  const dev = parsePlatformConfig(loadProjectStack(PROJECT_ROOT, "dev").config);

  it("is valid config for the program", () => {
    expect(() => parsePlatformConfig(asConfigText(derived.document.config ?? {}))).not.toThrow();
  });

  it("has its own environment, so its own resource group and resource names", () => {
    expect(derived.config.environment).toBe("pr-42");
    const own = resourceNames(derived.config.namePrefix, "pr-42");
    for (const longLived of ["dev", "prod"]) {
      const theirs = resourceNames("contoso", longLived);
      for (const kind of Object.keys(own) as (keyof typeof own)[]) {
        expect(own[kind], kind).not.toBe(theirs[kind]);
      }
    }
  });

  it("tags every resource with the owner and an ISO 8601 expiry from the TTL", () => {
    expect(derived.config.owner).toBe("alice");
    expect(derived.config.tags["expires-at"]).toBe("2026-11-24T18:00:00.000Z");
    expect(derived.expiresAt.toISOString()).toBe("2026-11-24T18:00:00.000Z");
    expect(derived.config.tags["cost-center"]).toBe(dev.tags["cost-center"]);
  });

  it("marks the stack as ephemeral in stack tags, in the file as pulumi:tags too", () => {
    expect(derived.tags).toEqual({
      [EPHEMERAL_TAGS.base]: "dev",
      [EPHEMERAL_TAGS.owner]: "alice",
      [EPHEMERAL_TAGS.createdAt]: NOW.toISOString(),
      [EPHEMERAL_TAGS.expiresAt]: "2026-11-24T18:00:00.000Z",
    });
    expect(derived.document.config?.["pulumi:tags"]).toEqual(derived.tags);
    expect(ephemeralTagsOf(asConfigText(derived.document.config ?? {}))).toEqual(derived.tags);
    expect(ephemeralTagsOf(loadProjectStack(PROJECT_ROOT, "dev").config)).toBeUndefined();
  });

  it("takes the cheapest SKUs and sizes", () => {
    expect(derived.config.registry.sku).toBe("Basic");
    expect(derived.config.redis).toMatchObject({ sku: "Basic", family: "C", capacity: 0 });
    expect(derived.config.cluster.skuTier).toBe("Free");
    expect(derived.config.cluster.systemPool).toEqual({
      vmSize: CHEAP.vmSize,
      minCount: 1,
      maxCount: 2,
      availabilityZones: [],
    });
    expect(derived.config.monitoring).toEqual({ retentionInDays: 30, dailyQuotaGb: 1 });
    expect(derived.config.keyVault.softDeleteRetentionInDays).toBe(7);
    expect(derived.config.app.replicas).toBe(1);
  });

  it("keeps the base's security settings", () => {
    expect(derived.config.cluster.authorizedIpRanges).toEqual(dev.cluster.authorizedIpRanges);
    expect(derived.config.cluster.adminGroupObjectIds).toEqual(dev.cluster.adminGroupObjectIds);
    expect(derived.config.cluster.networkPolicy).toBe(dev.cluster.networkPolicy);
    expect(derived.config.keyVault.allowedIpRanges).toEqual(dev.keyVault.allowedIpRanges);
    expect(derived.config.allowedLocations).toEqual(dev.allowedLocations);
  });

  it("manages no GitHub resources and copies the app image from dev's registry", () => {
    expect(derived.config.github).toBeUndefined();
    expect(derived.config.imageIntegrity).toBeUndefined();
    expect(derived.config.app.importFrom).toBe(resourceNames("contoso", "dev").registry);
    expect(derived.config.app.tag).toBe(dev.app.tag);
  });
});

describe("refusals", () => {
  it("does not copy secret config (it is encrypted per stack)", () => {
    expect(() =>
      deriveEphemeralStack(request("dev", { baseSecretKeys: ["aks-devsecops:apiKey"] })),
    ).toThrow(/secret config \(aks-devsecops:apiKey\).*cannot be copied/);
  });

  it("does not derive from prod: its private Premium registry disables export, so az acr import out of it fails", () => {
    expect(() => deriveEphemeralStack(request("prod"))).toThrow(
      /stack 'prod' cannot be a base: its registry \(Premium, public access off\) disables export.*az acr import.*such as dev/,
    );
  });
});

import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { allPolicies, enforcementFor } from "../../policy-pack/policies";
import { readPolicyConfigFile } from "../../tools/analyzer";
import { catalogRows, CONTROLS_DOC, renderMarkdown } from "../../tools/controls";
import { PROJECT_ROOT } from "../../tools/engine";

/** The shared control catalog sits beside the repository (in CI too); it is the source of truth. */
const CATALOG = path.resolve(PROJECT_ROOT, "../shared/controls.md");

interface CatalogRow {
  id: string;
  seed: string;
  level: string;
  /** Marked "(new)": an open issue asks for it; the pack may or may not have it yet. */
  isNew: boolean;
}

function catalogRowsOf(): CatalogRow[] {
  const rows = fs
    .readFileSync(CATALOG, "utf8")
    .matchAll(/^\| ([A-Z0-9]+-\d+)( \(new\))? \| ([^|]+) \| ([MAP]) \|/gm);
  return [...rows].map(([, id, marker, seed, level]) => ({
    id,
    seed: seed.trim(),
    level,
    isNew: marker !== undefined,
  }));
}

/** Every unmarked row, and each "(new)" row whose policy exists, in catalog order. */
function catalogControls(): { id: string; seed: string; level: string }[] {
  const inPack = new Set(allPolicies.map(({ control }) => control.id));
  return catalogRowsOf()
    .filter((row) => !row.isNew || inPack.has(row.id))
    .map(({ id, seed, level }) => ({ id, seed, level }));
}

describe("the pack covers the control catalog", () => {
  it("one policy per control, named by its ID in lower case, in catalog order", () => {
    const names = allPolicies.map((policy) => policy.name);
    expect(new Set(names).size).toBe(names.length);
    // Every unmarked catalog row, and each "(new)" row the pack implements already.
    if (fs.existsSync(CATALOG)) expect(names).toHaveLength(catalogControls().length);
    for (const policy of allPolicies) expect(policy.name).toBe(policy.control.id.toLowerCase());
  });

  it.skipIf(!fs.existsSync(CATALOG))(
    "IDs, seed steps and levels match ../shared/controls.md",
    () => {
      const fromPack = allPolicies.map(({ control }) => ({
        id: control.id,
        seed: control.seed,
        level: control.level,
      }));
      expect(fromPack).toEqual(catalogControls());
    },
  );

  it("every description names the control and its seed step", () => {
    for (const policy of allPolicies) {
      expect(policy.description).toMatch(
        new RegExp(`^${policy.control.id} \\((seed step [0-9,]+|no seed step)\\): .+`),
      );
    }
  });
});

describe("policy config per stack (policy-pack/config/<stack>.json)", () => {
  const levels = (stack: string) => {
    const config = readPolicyConfigFile(
      path.join(PROJECT_ROOT, "policy-pack/config", `${stack}.json`),
    );
    return Object.fromEntries(
      Object.entries(config).map(([name, value]) => [
        name,
        typeof value === "string"
          ? value
          : (value as { enforcementLevel: string }).enforcementLevel,
      ]),
    );
  };

  it.each([
    ["dev", false],
    ["prod", true],
  ])("%s: M mandatory, A advisory, P %s", (stack, prodLike) => {
    const configured = levels(stack);
    for (const policy of allPolicies) {
      expect([policy.name, configured[policy.name]]).toEqual([
        policy.name,
        enforcementFor(policy.control.level, prodLike as boolean),
      ]);
    }
  });

  it("prod's thresholds are the stricter ones", () => {
    const { rows } = catalogRows();
    const prod = (id: string) => rows.find((row) => row.id === id)?.levels.prod;
    expect(prod("GH-05")).toMatch(/minApprovals=2/);
    expect(prod("KV-02")).toMatch(/minSoftDeleteRetentionDays=90/);
    expect(prod("MON-01")).toMatch(/minRetentionDays=90/);
    expect(prod("K8S-05")).toMatch(/requireDigest=true/);
  });
});

describe("docs/controls.md", () => {
  it("is what `npm run controls -- --format markdown` prints (regenerate it when this fails)", () => {
    expect(fs.readFileSync(CONTROLS_DOC, "utf8")).toBe(renderMarkdown(catalogRows()));
  });
});

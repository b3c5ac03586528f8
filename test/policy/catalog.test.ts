import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { allPolicies, enforcementFor } from "../../policy-pack/policies";
import { readPolicyConfigFile } from "../../tools/analyzer";
import { catalogRows, CONTROLS_DOC, renderMarkdown } from "../../tools/report/controls";
import { PROJECT_ROOT } from "../../tools/engine";

/**
 * The shared control catalog sits beside the repository where it is the source of truth (this
 * environment); where it is absent (the project's GitHub CI) the catalog is the project's own
 * docs/controls.md, generated from the pack and checked fresh below.
 */
const SHARED_CATALOG = path.resolve(PROJECT_ROOT, "../shared/controls.md");
const CATALOG = fs.existsSync(SHARED_CATALOG) ? SHARED_CATALOG : CONTROLS_DOC;
const CATALOG_NAME = path.relative(PROJECT_ROOT, CATALOG);

interface CatalogRow {
  id: string;
  seed: string;
  level: string;
  /** Marked "(new)": an open issue asks for it; the pack may or may not have it yet. */
  isNew: boolean;
}

/** ../shared/controls.md: `| ID [(new)] | seed | M, A or P | rule |`. */
function sharedCatalogRows(text: string): CatalogRow[] {
  const rows = text.matchAll(/^\| ([A-Z0-9]+-\d+)( \(new\))? \| ([^|]+) \| ([MAP]) \|/gm);
  return [...rows].map(([, id, marker, seed, level]) => ({
    id,
    seed: seed.trim(),
    level,
    isNew: marker !== undefined,
  }));
}

/**
 * docs/controls.md: `| ID | Seed step | Scope | <level per stack> ... | Rule |`; the level is M when
 * dev and prod are mandatory, A when both are advisory, P when only prod is mandatory.
 */
function docsCatalogRows(text: string): CatalogRow[] {
  const cells = (line: string) =>
    line
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((cell) => cell.trim());
  const lines = text.split("\n");
  const header = cells(lines.find((line) => line.startsWith("| ID | Seed step |")) ?? "");
  const [dev, prod] = ["dev", "prod"].map((stack) => header.indexOf(stack));
  if (dev < 1 || prod < 1) {
    throw new Error(`${CATALOG_NAME} has no dev and prod columns: ${header.join(", ")}`);
  }
  const word = (cell: string) => cell.split(" ")[0];
  return lines
    .filter((line) => /^\| [A-Z0-9]+-\d+ \|/.test(line))
    .map(cells)
    .map((row) => {
      const levels = `${word(row[dev])}/${word(row[prod])}`;
      const level = {
        "mandatory/mandatory": "M",
        "advisory/advisory": "A",
        "advisory/mandatory": "P",
      }[levels];
      expect(level, `${row[0]}: dev/prod levels ${levels}`).toBeDefined();
      return { id: row[0], seed: row[1], level: level ?? levels, isNew: false };
    });
}

function catalogRowsOf(): CatalogRow[] {
  const text = fs.readFileSync(CATALOG, "utf8");
  return CATALOG === SHARED_CATALOG ? sharedCatalogRows(text) : docsCatalogRows(text);
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
    expect(names).toHaveLength(catalogControls().length);
    for (const policy of allPolicies) expect(policy.name).toBe(policy.control.id.toLowerCase());
  });

  it(`IDs, seed steps and levels match ${CATALOG_NAME}`, () => {
    const fromPack = allPolicies.map(({ control }) => ({
      id: control.id,
      seed: control.seed,
      level: control.level,
    }));
    expect(fromPack).toEqual(catalogControls());
  });

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

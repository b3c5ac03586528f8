import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../../tools/engine";
import {
  entriesFromTags,
  localEntries,
  reservedNames,
  selectExpired,
} from "../../../tools/env/inventory";
import { EPHEMERAL_TAGS } from "../../../tools/env/tags";

const tagsFor = (owner: string, expiresAt: string | undefined, base = "dev") => ({
  [EPHEMERAL_TAGS.base]: base,
  [EPHEMERAL_TAGS.owner]: owner,
  [EPHEMERAL_TAGS.createdAt]: "2026-11-24T08:00:00.000Z",
  ...(expiresAt === undefined ? {} : { [EPHEMERAL_TAGS.expiresAt]: expiresAt }),
});

const backendTags = new Map<string, Record<string, string>>([
  ["dev", { "pulumi:project": "aks-devsecops" }],
  ["prod", { "pulumi:project": "aks-devsecops" }],
  ["pr-1", tagsFor("alice", "2026-11-24T09:59:59.000Z")],
  ["pr-2", tagsFor("bob", "2026-11-24T10:00:00.000Z")],
  ["pr-3", tagsFor("carol", "2026-11-24T10:00:01.000Z")],
  ["pr-4", tagsFor("dave", "next tuesday")],
  ["pr-5", tagsFor("erin", undefined)],
  ["pr-6", tagsFor("frank", "2026-12-01T00:00:00.000Z")],
]);

describe("reap's choice, with an injected clock", () => {
  const now = new Date("2026-11-24T10:00:00.000Z");
  const entries = entriesFromTags(backendTags);

  it("sees only ephemeral stacks", () => {
    expect(entries.map((entry) => entry.stack).sort()).toEqual([
      "pr-1",
      "pr-2",
      "pr-3",
      "pr-4",
      "pr-5",
      "pr-6",
    ]);
  });

  it("chooses exactly the stacks past expires-at, and those with no readable expiry", () => {
    expect(
      selectExpired(entries, now)
        .map((entry) => entry.stack)
        .sort(),
    ).toEqual(["pr-1", "pr-2", "pr-4", "pr-5"]);
  });

  it("chooses more as the clock moves on, and none before", () => {
    const later = new Date("2026-12-01T00:00:00.000Z");
    expect(selectExpired(entries, later)).toHaveLength(6);
    const earlier = new Date("2026-11-24T09:00:00.000Z");
    expect(
      selectExpired(entries, earlier)
        .map((entry) => entry.stack)
        .sort(),
    ).toEqual(["pr-4", "pr-5"]);
  });
});

describe("the project's own stack files", () => {
  it("reserve the long-lived stacks, their environments and the policy config names", () => {
    expect(reservedNames(PROJECT_ROOT)).toEqual(["dev", "ephemeral", "prod"]);
  });

  it("are read for ephemeral markers when there is no backend", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "env-local-"));
    fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
    fs.writeFileSync(
      path.join(root, "Pulumi.dev.yaml"),
      "config:\n  aks-devsecops:environment: dev\n",
    );
    fs.writeFileSync(
      path.join(root, "Pulumi.pr-9.yaml"),
      `config:\n  pulumi:tags:\n${Object.entries(tagsFor("zoe", "2026-11-24T12:00:00.000Z"))
        .map(([key, value]) => `    ${key}: "${value}"`)
        .join("\n")}\n`,
    );
    expect(localEntries(root)).toEqual([
      {
        stack: "pr-9",
        base: "dev",
        owner: "zoe",
        createdAt: new Date("2026-11-24T08:00:00.000Z"),
        expiresAt: new Date("2026-11-24T12:00:00.000Z"),
      },
    ]);
  });
});

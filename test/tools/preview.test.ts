import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../tools/engine";

function preview(...args: string[]) {
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", "tools/commands/preview.ts", ...args],
    {
      cwd: PROJECT_ROOT,
      encoding: "utf8",
      timeout: 60_000,
    },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("npm run preview", () => {
  it("--format json prints only the document on stdout, progress on stderr", () => {
    const { code, stdout, stderr } = preview("--stack", "prod", "--format", "json");
    expect(code).toBe(0);
    const document = JSON.parse(stdout);
    expect(document.stack).toBe("prod");
    expect(Object.keys(document.resources[0]).sort()).toEqual([
      "dependencies",
      "inputs",
      "name",
      "parent",
      "type",
      "urn",
    ]);
    const types = new Set(document.resources.map((resource: { type: string }) => resource.type));
    expect(types).toContain("azure-native:containerservice:ManagedCluster");
    expect(stderr).toMatch(/recorded \d+ resources/);
    expect(document.outputs.kubeconfigForOperators).toBe("[secret]");
  });

  it("--format table prints a tree, counts per type and a summary", () => {
    const { code, stdout } = preview("--stack", "dev");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Stack aks-devsecops\/dev$/m);
    expect(stdout).toMatch(
      /└─ pulumi:pulumi:Stack {2}aks-devsecops-dev\n(.*\n)*? {3}├─ platform:azure:Cluster {2}cluster\n {3}│ {2}├─ azure-native:containerservice:ManagedCluster {2}cluster-aks/,
    );
    expect(stdout).toMatch(/^ {2}azure-native:securityinsights:ScheduledAlertRule +3$/m);
    expect(stdout).toMatch(/^\d+ resources \(\d+ cloud resources, \d+ components\) in \d+ types$/m);
  });

  it("runs any other Pulumi program with --program", () => {
    const { code, stdout } = preview(
      "--stack",
      "test",
      "--program",
      "test/fixtures/minimal-program",
      "--format",
      "json",
    );
    expect(code).toBe(0);
    const document = JSON.parse(stdout);
    // The program's four resources and the root stack, as the real engine registers it.
    expect(document.resources).toHaveLength(5);
    expect(document.mode).toBe("preview");
    expect(JSON.stringify(document)).not.toContain("offline-secret-placeholder");
  });

  it("exits 2 with the stacks it knows on an unknown stack", () => {
    const { code, stdout, stderr } = preview("--stack", "qa");
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/preview: error: unknown stack 'qa'.*\(stacks here: dev, prod\)/);
  });

  it("exits 2 naming every bad config key", () => {
    const program = path.join("test", "fixtures", "bad-config");
    const { code, stderr } = preview("--stack", "broken", "--program", program);
    expect(code).toBe(2);
    expect(stderr).toMatch(/invalid stack configuration \(2 problems\)/);
    expect(stderr).toMatch(/aks-devsecops:monitoring\.retentionInDays: .*\(got 7\)/);
    expect(stderr).toMatch(/aks-devsecops:cluster\.networkPolicy: .*\(got "weave"\)/);
  });

  it("exits 2 on a bad flag or format", () => {
    expect(preview("--stack", "dev", "--format", "xml")).toMatchObject({ code: 2 });
    expect(preview("--stack", "dev", "--format", "xml").stderr).toMatch(
      /--format 'xml' is not supported; allowed: table, json/,
    );
    expect(preview("--stak", "dev").stderr).toMatch(
      /Unknown option '--stak'[\s\S]*usage: npm run preview/,
    );
    expect(preview().stderr).toMatch(/--stack is required/);
  });
});

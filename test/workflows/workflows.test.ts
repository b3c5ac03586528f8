import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  REPOSITORY_ROOT,
  environmentOf,
  grantsIdToken,
  isLeastTopLevelPermissions,
  isPinnedToCommit,
  loadWorkflows,
  parseWorkflow,
  remoteUses,
  stepsOf,
  usesAction,
  versionComments,
  type Job,
  type Workflow,
} from "./workflows";

const workflows = loadWorkflows();
const byFile = (file: string): Workflow => {
  const workflow = workflows.find((candidate) => candidate.file === file);
  if (!workflow) throw new Error(`no workflow ${file}`);
  return workflow;
};
const jobsOf = (workflow: Workflow): [string, Job][] => Object.entries(workflow.jobs);
const allJobs = workflows.flatMap((workflow) =>
  jobsOf(workflow).map(([id, job]) => ({ where: `${workflow.file}#${id}`, job })),
);

/**
 * References pinned to a real commit that is not a release tag; each reason is written next to the
 * `uses:` line too. Everything else carries a `# vX.Y.Z` comment.
 */
const PINNED_WITHOUT_RELEASE_TAG = new Set([
  "project-copacetic/copa-action@941743581b0da5e581ca5a575f9316228c2f6c00",
]);

describe("the rule helpers", () => {
  it("tell a commit pin from a tag or branch", () => {
    expect(isPinnedToCommit("actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd")).toBe(
      true,
    );
    expect(
      isPinnedToCommit("github/codeql-action/init@45cbd0c69e560cd9e7cd7f8c32362050c9b7ded2"),
    ).toBe(true);
    expect(isPinnedToCommit("actions/checkout@v6")).toBe(false);
    expect(isPinnedToCommit("actions/checkout@main")).toBe(false);
    expect(isPinnedToCommit("actions/checkout@de0fac2e")).toBe(false);
  });

  it("read the version comment of a uses: line", () => {
    const comments = versionComments(
      "steps:\n  - uses: a/b@1111111111111111111111111111111111111111 # v1.2.3\n  - uses: c/d@v2\n",
    );
    expect(comments.get("a/b@1111111111111111111111111111111111111111")).toBe("v1.2.3");
    expect(comments.get("c/d@v2")).toBeUndefined();
  });

  it("accept only read-only top-level permissions", () => {
    expect(isLeastTopLevelPermissions({})).toBe(true);
    expect(isLeastTopLevelPermissions({ contents: "read" })).toBe(true);
    expect(isLeastTopLevelPermissions({ contents: "write" })).toBe(false);
    expect(isLeastTopLevelPermissions({ "id-token": "write" })).toBe(false);
    expect(isLeastTopLevelPermissions("read-all")).toBe(false);
    expect(isLeastTopLevelPermissions(undefined)).toBe(false);
  });

  it("find remote actions in jobs and steps, not local ones", () => {
    const workflow = parseWorkflow(
      "x.yml",
      [
        "jobs:",
        "  a:",
        "    uses: org/repo/.github/workflows/w.yml@main",
        "  b:",
        "    steps:",
        "      - uses: ./.github/actions/local",
        "      - uses: docker://alpine:3",
        "      - uses: owner/action@v1",
      ].join("\n"),
    );
    expect(remoteUses(workflow)).toEqual([
      "org/repo/.github/workflows/w.yml@main",
      "owner/action@v1",
    ]);
  });
});

describe.each(workflows.map((workflow) => [workflow.file, workflow] as const))(
  "%s",
  (_file, workflow) => {
    it("pins every remote action to a full commit SHA", () => {
      const unpinned = remoteUses(workflow).filter((uses) => !isPinnedToCommit(uses));
      expect(unpinned).toEqual([]);
    });

    it("names the release of every pin in a # vX.Y.Z comment", () => {
      const comments = versionComments(workflow.text);
      const withoutVersion = remoteUses(workflow).filter(
        (uses) => comments.get(uses) === undefined && !PINNED_WITHOUT_RELEASE_TAG.has(uses),
      );
      expect(withoutVersion).toEqual([]);
    });

    it("grants nothing at the top level and declares permissions on every job", () => {
      expect(isLeastTopLevelPermissions(workflow.permissions)).toBe(true);
      const withoutPermissions = jobsOf(workflow)
        .filter(([, job]) => typeof job.permissions !== "object")
        .map(([id]) => id);
      expect(withoutPermissions).toEqual([]);
    });

    it("has a concurrency group", () => {
      const group =
        typeof workflow.concurrency === "string"
          ? workflow.concurrency
          : workflow.concurrency?.group;
      expect(group).toMatch(/\S/);
    });

    it("holds no long-lived Azure credential", () => {
      expect(workflow.text).not.toMatch(/AZURE_CLIENT_SECRET|AZURE_CREDENTIALS/);
      const azureLogins = jobsOf(workflow).flatMap(([, job]) =>
        stepsOf(job).filter((step) => step.uses?.startsWith("azure/login@")),
      );
      for (const login of azureLogins) {
        expect(Object.keys(login.with ?? {}).sort()).toEqual([
          "client-id",
          "subscription-id",
          "tenant-id",
        ]);
        for (const value of Object.values(login.with ?? {})) {
          expect(value).toMatch(/^\$\{\{ vars\.[A-Z_]+ \}\}$/);
        }
      }
    });

    it("never leaves the checkout token behind", () => {
      const checkouts = jobsOf(workflow).flatMap(([, job]) =>
        stepsOf(job).filter((step) => step.uses?.startsWith("actions/checkout@")),
      );
      for (const checkout of checkouts) {
        expect(checkout.with?.["persist-credentials"]).toBe(false);
      }
    });
  },
);

describe("OIDC", () => {
  it("id-token: write exactly where azure/login runs", () => {
    const mismatched = allJobs
      .filter(({ job }) => grantsIdToken(job) !== usesAction(job, "azure/login"))
      .map(({ where }) => where);
    expect(mismatched).toEqual([]);
  });

  it("every Azure login happens in a deployment environment (federated subject per environment)", () => {
    const azureJobs = allJobs.filter(({ job }) => usesAction(job, "azure/login"));
    expect(azureJobs.length).toBeGreaterThan(0);
    for (const { where, job } of azureJobs) {
      expect([where, environmentOf(job)]).toEqual([
        where,
        expect.stringMatching(/^(development|production)$/),
      ]);
    }
  });
});

describe("ci.yml", () => {
  const ci = byFile("ci.yml");
  const runs = (jobId: string) =>
    stepsOf(ci.jobs[jobId])
      .map((step) => step.run ?? "")
      .join("\n");

  it("installs, type checks, lints and runs the test suite as root", () => {
    expect(runs("test")).toMatch(/npm ci/);
    expect(runs("test")).toMatch(/npm run typecheck/);
    expect(runs("test")).toMatch(/npm run lint/);
    expect(runs("test")).toMatch(/sudo -E .*npm test/);
  });

  it("checks dev and prod offline and uploads the SARIF with a category per stack", () => {
    const job = ci.jobs["policy-check"] as Job & { strategy: { matrix: { stack: string[] } } };
    expect(job.strategy.matrix.stack).toEqual(["dev", "prod"]);
    expect(runs("policy-check")).toMatch(
      /npm run check -- --stack "\$STACK" --format sarif --out "policy-\$STACK\.sarif"/,
    );
    const upload = stepsOf(job).find((step) =>
      step.uses?.startsWith("github/codeql-action/upload-sarif@"),
    );
    expect(upload?.with?.category).toBe("pulumi-policy-${{ matrix.stack }}");
    expect(upload?.if).toMatch(/always\(\)/);
  });

  it("runs the pre-commit secret check over the tree and reviews dependencies on PRs", () => {
    expect(runs("secret-scan")).toMatch(/scripts\/pre-commit\.sh --all/);
    expect(ci.jobs["dependency-review"].if).toMatch(/pull_request/);
    expect(usesAction(ci.jobs["dependency-review"], "actions/dependency-review-action")).toBe(true);
  });
});

describe("infra.yml", () => {
  const infra = byFile("infra.yml");
  const pulumiSteps = (jobId: string) =>
    stepsOf(infra.jobs[jobId]).filter(
      (step) => step.uses?.startsWith("pulumi/actions@") && step.with?.command,
    );

  it("previews dev on pull requests with the policy pack and its dev config", () => {
    const [preview] = pulumiSteps("preview");
    expect(infra.jobs.preview.if).toMatch(/pull_request/);
    expect(preview.with).toMatchObject({
      command: "preview",
      policyPacks: "policy-pack",
      policyPackConfigs: "policy-pack/config/dev.json",
    });
  });

  it("updates dev on main, then prod in the production environment", () => {
    expect(pulumiSteps("up-dev")[0].with).toMatchObject({
      command: "up",
      policyPackConfigs: "policy-pack/config/dev.json",
    });
    expect(infra.jobs["up-prod"].needs).toBe("up-dev");
    expect(environmentOf(infra.jobs["up-prod"])).toBe("production");
    expect(pulumiSteps("up-prod")[0].with).toMatchObject({
      command: "up",
      policyPackConfigs: "policy-pack/config/prod.json",
    });
  });
});

describe("app.yml", () => {
  const app = byFile("app.yml");
  const step = (jobId: string, name: RegExp) => {
    const found = stepsOf(app.jobs[jobId]).find((candidate) => name.test(candidate.name ?? ""));
    if (!found) throw new Error(`no step ${name} in ${jobId}`);
    return found;
  };

  it("builds app/Dockerfile from the repository root (the Dockerfile copies the lock file)", () => {
    expect(step("image", /^Build$/).with).toMatchObject({ context: ".", file: "app/Dockerfile" });
  });

  it("fails on fixable CRITICAL and HIGH vulnerabilities, after Copacetic patched", () => {
    const names = stepsOf(app.jobs.image).map((candidate) => candidate.name ?? "");
    const gate = step("image", /^Gate/);
    expect(gate.with).toMatchObject({
      severity: "CRITICAL,HIGH",
      "ignore-unfixed": true,
      "exit-code": "1",
      "image-ref": "${{ steps.final.outputs.image }}",
    });
    expect(names.indexOf(gate.name ?? "")).toBeGreaterThan(
      names.indexOf("Patch OS packages with Copacetic"),
    );
    expect(step("image", /^Upload SARIF/).with?.category).toBe("trivy-image");
  });

  it("signs by digest with the Key Vault plugin", () => {
    const sign = step("publish", /^Sign/);
    expect(sign.env?.IMAGE).toBe("${{ steps.push.outputs.image }}");
    expect(sign.run).toMatch(
      /notation sign "\$IMAGE" .*--plugin azure-kv --id "\$SIGNING_KEY_ID"/s,
    );
    expect(step("publish", /^Push to ACR$/).run).toMatch(
      /image=\$login_server\/\$IMAGE_REPOSITORY@\$digest/,
    );
  });

  it("promotes the published digest to prod only after the ZAP baseline, in production", () => {
    const promote = app.jobs["promote-prod"];
    expect(promote.needs).toEqual(["publish", "zap-baseline"]);
    expect(environmentOf(promote)).toBe("production");
    expect(app.jobs["zap-baseline"].needs).toBe("deploy-dev");
    expect(step("zap-baseline", /ZAP baseline/).run).toMatch(/zap-baseline\.py -t "\$TARGET"/);
  });
});

/** The check names a job reports: its name (or id), once per matrix value it names. */
function checkNames(id: string, job: Job & { strategy?: { matrix?: Record<string, unknown> } }) {
  const name = job.name ?? id;
  const reference = name.match(/\$\{\{\s*matrix\.([\w-]+)\s*\}\}/);
  const values = reference ? job.strategy?.matrix?.[reference[1]] : undefined;
  if (!reference || !Array.isArray(values)) return [name];
  return values.map((value) => name.replace(reference[0], String(value)));
}

describe("required status checks of the repository ruleset (Pulumi.prod.yaml)", () => {
  const stack = parse(readFileSync(path.join(REPOSITORY_ROOT, "Pulumi.prod.yaml"), "utf8")) as {
    config: Record<string, { repositories?: { requiredStatusChecks?: string[] }[] } | undefined>;
  };
  const required = (stack.config["aks-devsecops:github"]?.repositories ?? []).flatMap(
    (repository) => repository.requiredStatusChecks ?? [],
  );
  const reported = workflows.flatMap((workflow) =>
    jobsOf(workflow).flatMap(([id, job]) => checkNames(id, job)),
  );

  it("are all reported by a workflow job (a missing one would block every merge)", () => {
    expect(required.length).toBeGreaterThan(0);
    expect(required.filter((check) => !reported.includes(check))).toEqual([]);
  });

  it("expands matrix job names like GitHub does", () => {
    expect(
      checkNames("x", {
        name: "check (${{ matrix.stack }})",
        strategy: { matrix: { stack: ["a", "b"] } },
      }),
    ).toEqual(["check (a)", "check (b)"]);
    expect(checkNames("plain", {})).toEqual(["plain"]);
  });
});

describe("allowed actions of the organisation (Pulumi.prod.yaml)", () => {
  const stack = parse(readFileSync(path.join(REPOSITORY_ROOT, "Pulumi.prod.yaml"), "utf8")) as {
    config: Record<string, { allowedActions?: string[] } | undefined>;
  };
  const allowed = stack.config["aks-devsecops:github"]?.allowedActions ?? [];
  const isAllowed = (action: string) =>
    /^(actions|github)\//.test(action) ||
    allowed.some((pattern) => {
      const [name] = pattern.split("@");
      return name.endsWith("/*") ? action.startsWith(name.slice(0, -1)) : action === name;
    });

  it("cover every action the workflows use (GitHub-owned ones are allowed anyway)", () => {
    const used = [
      ...new Set(
        workflows.flatMap((workflow) => remoteUses(workflow).map((uses) => uses.split("@")[0])),
      ),
    ];
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((action) => !isAllowed(action))).toEqual([]);
  });

  it("list nothing the workflows no longer use", () => {
    const used = new Set(
      workflows.flatMap((workflow) => remoteUses(workflow).map((uses) => uses.split("@")[0])),
    );
    const internal = new Set(["aquasecurity/setup-trivy"]); // called by trivy-action itself
    const stale = allowed
      .map((pattern) => pattern.split("@")[0])
      .filter((name) => !name.endsWith("/*") && !used.has(name) && !internal.has(name));
    expect(stale).toEqual([]);
  });
});

describe(".vscode/extensions.json", () => {
  const { recommendations } = JSON.parse(
    readFileSync(path.join(REPOSITORY_ROOT, ".vscode/extensions.json"), "utf8"),
  ) as { recommendations: string[] };

  it("recommends the scanners and linters CI enforces", () => {
    expect(recommendations).toEqual(
      expect.arrayContaining([
        "aquasecurityofficial.trivy-vulnerability-scanner",
        "github.vscode-github-actions",
        "github.vscode-codeql",
        "dbaeumer.vscode-eslint",
        "esbenp.prettier-vscode",
      ]),
    );
    expect(new Set(recommendations).size).toBe(recommendations.length);
  });
});

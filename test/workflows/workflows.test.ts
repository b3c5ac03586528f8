import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
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
  type Step,
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
 * `uses:` line too. Everything else carries a `# vX.Y.Z` comment. (None left: issue 15, item 13.)
 */
const PINNED_WITHOUT_RELEASE_TAG = new Set<string>([]);

/**
 * Every action pin, verified against the action's own repository: `git rev-parse <tag>^{commit}`
 * in a fetch of github.com/<owner>/<repo> gave this SHA for this release tag (issue 15, item 13:
 * dependency-review-action v5.0.0, azure/login v3.0.2, create-github-app-token v3.2.0 and
 * upload-artifact v7.0.1 were not tags there; the newest releases are below). A new pin goes here
 * with the tag it was verified against, and its `uses:` comment must name the same tag.
 */
const VERIFIED_PINS: Record<string, string> = {
  "actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd": "v6.0.2",
  "actions/setup-node@2028fbc5c25fe9cf00d9f06a71cc4710d4507903": "v6.0.0",
  "actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f": "v7.0.0",
  "actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c": "v8.0.1",
  "actions/dependency-review-action@2031cfc080254a8a887f58cffee85186f0e49e48": "v4.9.0",
  "actions/create-github-app-token@1b10c78c7865c340bc4f6099eb2f838309f1e8c3": "v3.1.1",
  "actions/github-script@ed597411d8f924073f98dfc5c65a23a2325f34cd": "v8.0.0",
  "azure/login@f5d393ae46f8fde4be8b75f32e3fc50e654ad0ca": "v3.0.1",
  "github/codeql-action/init@45cbd0c69e560cd9e7cd7f8c32362050c9b7ded2": "v4.32.2",
  "github/codeql-action/analyze@45cbd0c69e560cd9e7cd7f8c32362050c9b7ded2": "v4.32.2",
  "github/codeql-action/upload-sarif@45cbd0c69e560cd9e7cd7f8c32362050c9b7ded2": "v4.32.2",
  "pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d": "v7.0.0",
  "docker/setup-buildx-action@4d04d5d9486b7bd6fa91e7baf45bbb4f8b9deedd": "v4.0.0",
  "docker/build-push-action@bcafcacb16a39f128d818304e6c9c0c18556b85f": "v7.1.0",
  "aquasecurity/trivy-action@57a97c7e7821a5776cebc9bb87c984fa69cba8f1": "v0.35.0",
  "project-copacetic/copa-action@3843e22efdca421adb37aa8dec103a0f1db68544": "v1.2.1",
};

/**
 * Inputs of actions/create-github-app-token at the v3.1.1 pin above (action.yml at
 * 1b10c78c7865c340bc4f6099eb2f838309f1e8c3): `app-id` is deprecated for `client-id`, and there is no
 * `permission-variables` (GitHub's permission is actions_variables, which v3.1.1 does not offer).
 */
const APP_TOKEN_INPUTS = new Set([
  "client-id",
  "private-key",
  "owner",
  "repositories",
  "skip-token-revoke",
  "github-api-url",
  "permission-actions",
  "permission-administration",
  "permission-contents",
  "permission-environments",
  "permission-members",
  "permission-organization-administration",
  "permission-pull-requests",
  "permission-secrets",
  "permission-workflows",
]);

/** The GitHub environments that hold identities answering only to main. */
const MAIN_ONLY_ENVIRONMENTS = ["development", "production"];

const onPullRequest = (workflow: Workflow): boolean => {
  const on = workflow.on;
  if (typeof on === "string") return on === "pull_request" || on === "pull_request_target";
  if (Array.isArray(on)) return on.includes("pull_request") || on.includes("pull_request_target");
  return (
    typeof on === "object" && on !== null && ("pull_request" in on || "pull_request_target" in on)
  );
};

/** A job condition that rules out pull_request events. */
const EXCLUDES_PULL_REQUESTS =
  /github\.event_name\s*!=\s*'pull_request'|github\.event_name\s*==\s*'(push|schedule|workflow_dispatch)'(?![\s\S]*pull_request)|github\.ref\s*==\s*'refs\/heads\//;

/** Whether a job can run for a pull_request event (its own `if` or a job it needs rules it out). */
function runsOnPullRequest(workflow: Workflow, jobId: string, seen = new Set<string>()): boolean {
  if (!onPullRequest(workflow) || seen.has(jobId)) return false;
  seen.add(jobId);
  const job = workflow.jobs[jobId];
  if (EXCLUDES_PULL_REQUESTS.test(job.if ?? "")) return false;
  const needs = typeof job.needs === "string" ? [job.needs] : (job.needs ?? []);
  return needs.every((need) => runsOnPullRequest(workflow, need, seen));
}

const pullRequestJobs = workflows.flatMap((workflow) =>
  jobsOf(workflow)
    .filter(([id]) => runsOnPullRequest(workflow, id))
    .map(([id, job]) => ({ where: `${workflow.file}#${id}`, job })),
);

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

describe("pinned actions (issue 15, item 13)", () => {
  it("are all release commits verified against the action's repository, comment = tag", () => {
    for (const workflow of workflows) {
      const comments = versionComments(workflow.text);
      for (const uses of remoteUses(workflow)) {
        expect([workflow.file, uses, VERIFIED_PINS[uses]]).toEqual([
          workflow.file,
          uses,
          comments.get(uses),
        ]);
      }
    }
  });

  it("list no pin the workflows no longer use", () => {
    const used = new Set(workflows.flatMap(remoteUses));
    expect(Object.keys(VERIFIED_PINS).filter((pin) => !used.has(pin))).toEqual([]);
  });

  it("give create-github-app-token only inputs its pinned action.yml declares", () => {
    const tokenSteps = allJobs.flatMap(({ where, job }) =>
      stepsOf(job)
        .filter((step) => step.uses?.startsWith("actions/create-github-app-token@"))
        .map((step) => ({ where, step })),
    );
    expect(tokenSteps.length).toBeGreaterThan(0);
    for (const { where, step } of tokenSteps) {
      const unknown = Object.keys(step.with ?? {}).filter((input) => !APP_TOKEN_INPUTS.has(input));
      expect([where, unknown]).toEqual([where, []]);
      expect([where, step.with?.["client-id"]]).toEqual([
        where,
        "${{ vars.PLATFORM_APP_CLIENT_ID }}",
      ]);
    }
  });

  it("set up Node.js 22 wherever a job installs it", () => {
    const versions = allJobs.flatMap(({ where, job }) =>
      stepsOf(job)
        .filter((step) => step.uses?.startsWith("actions/setup-node@"))
        .map((step) => [where, String(step.with?.["node-version"])]),
    );
    expect(versions.length).toBeGreaterThan(0);
    expect(versions.filter(([, version]) => version !== "22")).toEqual([]);
  });
});

// Issue 15, item 7: a pull request controls its own workflow file, so whatever a pull_request job
// can reach, any writer's branch can reach.
describe("pull requests never hold a privileged identity", () => {
  it("finds the pull-request jobs (so the rules below can fail)", () => {
    expect(pullRequestJobs.map(({ where }) => where)).toEqual(
      expect.arrayContaining([
        "infra.yml#preview",
        "ephemeral.yml#create",
        "ephemeral.yml#destroy",
      ]),
    );
    const infra = byFile("infra.yml");
    expect(runsOnPullRequest(infra, "up-dev")).toBe(false);
    expect(runsOnPullRequest(infra, "up-prod")).toBe(false);
    expect(runsOnPullRequest(byFile("app.yml"), "promote-prod")).toBe(false);
  });

  it("no job that runs on pull_request uses development or production", () => {
    const privileged = pullRequestJobs
      .filter(({ job }) => MAIN_ONLY_ENVIRONMENTS.includes(environmentOf(job) ?? ""))
      .map(({ where }) => where);
    expect(privileged).toEqual([]);
  });

  it("no pull_request job reads the App key or the infrastructure identity", () => {
    const reaching = pullRequestJobs
      .filter(({ job }) =>
        /PLATFORM_APP_PRIVATE_KEY|AZURE_INFRA_CLIENT_ID|create-github-app-token/.test(
          JSON.stringify(job),
        ),
      )
      .map(({ where }) => where);
    expect(reaching).toEqual([]);
  });

  it("no workflow runs on pull_request_target", () => {
    for (const workflow of workflows) {
      expect([workflow.file, /pull_request_target/.test(JSON.stringify(workflow.on))]).toEqual([
        workflow.file,
        false,
      ]);
    }
  });

  it("pull-request jobs with cloud rights use the stacks' pull-request environments", () => {
    const dev = parse(readFileSync(path.join(REPOSITORY_ROOT, "Pulumi.dev.yaml"), "utf8")).config[
      "aks-devsecops:github"
    ];
    const prod = parse(readFileSync(path.join(REPOSITORY_ROOT, "Pulumi.prod.yaml"), "utf8")).config[
      "aks-devsecops:github"
    ];
    const allowed = [dev.previewEnvironment.name, prod.ephemeralEnvironments.name];
    for (const { where, job } of pullRequestJobs.filter(({ job }) => grantsIdToken(job))) {
      expect([where, allowed.includes(environmentOf(job))]).toEqual([where, true]);
    }
    expect(environmentOf(byFile("infra.yml").jobs.preview)).toBe(dev.previewEnvironment.name);
    expect(environmentOf(byFile("ephemeral.yml").jobs.reap)).toBe(
      prod.ephemeralEnvironments.reaperName,
    );
  });
});

// Issue 15, item 4: dev's API server and Key Vault admit only their configured address ranges,
// prod's are private: hosted runners' addresses change, so those jobs run inside the VNets.
describe("runners", () => {
  const groupOf = (job: Job) =>
    typeof job["runs-on"] === "object" && job["runs-on"] !== null && !Array.isArray(job["runs-on"])
      ? (job["runs-on"] as { group?: string }).group
      : undefined;

  it("run every job with an Azure identity in its environment's VNet runner group", () => {
    for (const { where, job } of allJobs.filter(({ job }) => usesAction(job, "azure/login"))) {
      const expected = environmentOf(job) === "production" ? "vnet-prod" : "vnet-dev";
      expect([where, groupOf(job)]).toEqual([where, expected]);
    }
  });

  it("install nothing with sudo on a self-hosted runner (its tools are prerequisites)", () => {
    for (const { where, job } of allJobs.filter(({ job }) => groupOf(job) !== undefined)) {
      const sudo = stepsOf(job).filter((step) => /\bsudo\b/.test(step.run ?? ""));
      expect([where, sudo]).toEqual([where, []]);
    }
  });
});

describe("Advanced Security features (issue 15, item 6)", () => {
  it("upload code scanning results and review dependencies only where licensed", () => {
    const gated = /vars\.ADVANCED_SECURITY == 'true'/;
    for (const { where, job } of allJobs) {
      for (const step of stepsOf(job).filter((s) =>
        s.uses?.startsWith("github/codeql-action/upload-sarif@"),
      )) {
        expect([where, gated.test(step.if ?? "")]).toEqual([where, true]);
      }
      if (usesAction(job, "actions/dependency-review-action")) {
        expect([where, gated.test(job.if ?? "")]).toEqual([where, true]);
      }
    }
  });
});

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
        expect.stringMatching(/^(development|production|pr-preview|ephemeral|ephemeral-reaper)$/),
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

  // Issue 15, item 8: a secret added and removed again inside a PR is in the history it publishes.
  it("scans every commit of a pull request, with the full history checked out", () => {
    const job = ci.jobs["secret-scan"];
    const checkout = stepsOf(job).find((s) => s.uses?.startsWith("actions/checkout@"));
    expect(checkout?.with?.["fetch-depth"]).toBe(0);
    const commits = stepsOf(job).find(
      (s) => /--commits/.test(s.run ?? "") && /pull_request/.test(s.if ?? ""),
    );
    expect(commits?.run).toBe('bash scripts/pre-commit.sh --commits "$BASE_SHA..$HEAD_SHA"');
    expect(commits?.env).toEqual({
      BASE_SHA: "${{ github.event.pull_request.base.sha }}",
      HEAD_SHA: "${{ github.event.pull_request.head.sha }}",
    });
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

  // Issue 15, item 1: copa-action's patched-image output cuts the reference at the first ':'.
  it("names the patched image itself, keeping the registry's port", () => {
    const select = step("image", /^Select the image to ship$/);
    expect(JSON.stringify(select)).not.toMatch(/patched-image/);
    const bin = mkdtempSync(path.join(tmpdir(), "select-image-"));
    try {
      writeFileSync(path.join(bin, "docker"), '#!/bin/sh\necho "$*" >> "$CALLS"\necho sha256:1\n', {
        mode: 0o755,
      });
      const run = (patched: string) => {
        const output = path.join(bin, `output-${patched}`);
        writeFileSync(output, "");
        const result = spawnSync("bash", ["-e", "-c", select.run ?? ""], {
          env: {
            PATH: `${bin}:${process.env.PATH}`,
            CALLS: path.join(bin, "calls"),
            GITHUB_OUTPUT: output,
            GITHUB_SHA: "0123abc",
            LOCAL_IMAGE: "localhost:5000/items-api:0123abc",
            PATCHED: patched,
          },
          encoding: "utf8",
        });
        expect(result.status).toBe(0);
        return readFileSync(output, "utf8").match(/^image=(.*)$/m)?.[1];
      };
      expect(run("true")).toBe("localhost:5000/items-api:0123abc-patched");
      expect(run("false")).toBe("localhost:5000/items-api:0123abc");
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
    expect(select.env?.PATCHED).toBe("${{ steps.copa.outcome == 'success' }}");
  });

  // CVE-2024-23651/23652/23653 (container escapes) are fixed in BuildKit v0.12.5.
  it("runs Copacetic with a BuildKit that has the January 2024 fixes", () => {
    const version = String(step("image", /^Patch OS packages/).with?.["buildkit-version"]);
    const [major, minor, patch] = version.replace(/^v/, "").split(".").map(Number);
    expect(major * 1e6 + minor * 1e3 + patch).toBeGreaterThanOrEqual(12 * 1e3 + 5);
  });

  // Issue 15, item 9: without -c every rule is WARN, and -I keeps WARN from failing.
  it("fails the ZAP baseline on the alerts the rules file marks FAIL, against the stack's appUrl", () => {
    const zap = step("zap-baseline", /ZAP baseline/);
    expect(zap.run).toMatch(/zap-baseline\.py -t "\$TARGET" -c rules\.tsv /);
    expect(zap.run).toMatch(/cp \.zap\/rules\.tsv "\$RUNNER_TEMP\/zap\/rules\.tsv"/);
    const rules = readFileSync(path.join(REPOSITORY_ROOT, ".zap/rules.tsv"), "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "" && !line.startsWith("#"));
    for (const line of rules) expect(line).toMatch(/^\d+\t(FAIL|WARN|INFO|IGNORE)\t\(.+\)$/);
    const failing = rules
      .filter((line) => line.split("\t")[1] === "FAIL")
      .map((l) => l.split("\t")[0]);
    // X-Content-Type-Options, HSTS, cookie flags, CORS, version and error leaks.
    expect(failing).toEqual(
      expect.arrayContaining(["10021", "10035", "10010", "10011", "10098", "10036", "90022"]),
    );
    expect((app.jobs["zap-baseline"] as Job & { env: Record<string, string> }).env.TARGET).toBe(
      "${{ needs.deploy-dev.outputs.app-url }}",
    );
    const deployDev = app.jobs["deploy-dev"] as Job & { outputs: Record<string, string> };
    expect(deployDev.outputs["app-url"]).toBe("${{ steps.deployed.outputs.app-url }}");
    expect(step("deploy-dev", /^Check the deployed image$/).run).toMatch(
      /pulumi stack output appUrl --stack "\$STACK"/,
    );
  });

  // Issue 15, item 2: import is importImage/action on the target, which AcrPush lacks.
  it("imports into prod as the prod deploy identity, from the registry the stack names", () => {
    const promote = step("promote-prod", /^Import the same digest/);
    expect(promote.run).toMatch(
      /az acr import --name "\$ACR_NAME" --registry "\$SOURCE_REGISTRY_ID"/,
    );
    expect(promote.env?.SOURCE_REGISTRY_ID).toBe("${{ vars.IMPORT_SOURCE_REGISTRY_ID }}");
    const steps = stepsOf(app.jobs["promote-prod"]);
    const firstLogin = steps.find((s) => s.uses?.startsWith("azure/login@"));
    expect(firstLogin?.with?.["client-id"]).toBe("${{ vars.AZURE_CLIENT_ID }}");
    expect(steps.indexOf(firstLogin as Step)).toBeLessThan(steps.indexOf(promote));
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

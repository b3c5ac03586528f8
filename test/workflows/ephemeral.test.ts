import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  loadWorkflows,
  stepsOf,
  usesAction,
  type Job,
  type Step,
  type Workflow,
} from "./workflows";

const LABEL = "preview-env";
const REPOSITORY = "contoso-platform/aks-devsecops";
const PR_NUMBER = 42;
const RUN_ID = 987654321;

// ---------------------------------------------------------------------------------------------
// A GitHub Actions expression evaluator for the subset the workflow uses: literals, property
// paths (with `.*` projections), !, ==, !=, &&, || (returning operands, like GitHub), parentheses
// and contains/startsWith/format. Strings compare case-insensitively, as on GitHub.
// ---------------------------------------------------------------------------------------------

type Context = Record<string, unknown>;

const TOKEN = /\s*('(?:[^']|'')*'|\d+(?:\.\d+)?|[A-Za-z_][\w-]*|==|!=|&&|\|\||[!().,*])/y;

function tokenize(expression: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.length) {
    if (/^\s*$/.test(expression.slice(TOKEN.lastIndex))) break;
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(expression);
    if (!match) throw new Error(`cannot read '${expression.slice(start)}'`);
    tokens.push(match[1]);
  }
  return tokens;
}

const isTruthy = (value: unknown): boolean => Boolean(value);

function looseEquals(left: unknown, right: unknown): boolean {
  if (typeof left === "string" && typeof right === "string") {
    return left.toLowerCase() === right.toLowerCase();
  }
  return (left ?? null) === (right ?? null);
}

function asText(value: unknown): string {
  return value === null || value === undefined ? "" : String(value);
}

const FUNCTIONS: Record<string, (...args: unknown[]) => unknown> = {
  contains: (search, item) =>
    Array.isArray(search)
      ? search.some((element) => looseEquals(element, item))
      : asText(search).toLowerCase().includes(asText(item).toLowerCase()),
  startswith: (text, prefix) => asText(text).toLowerCase().startsWith(asText(prefix).toLowerCase()),
  format: (template, ...args) =>
    asText(template).replace(/\{(\d+)\}/g, (_, index: string) => asText(args[Number(index)])),
};

function property(value: unknown, name: string): unknown {
  return typeof value === "object" && value !== null
    ? ((value as Record<string, unknown>)[name] ?? null)
    : null;
}

class Evaluation {
  private position = 0;

  constructor(
    private readonly tokens: string[],
    private readonly context: Context,
  ) {}

  run(): unknown {
    const value = this.or();
    if (this.position !== this.tokens.length) {
      throw new Error(`unexpected '${this.tokens[this.position]}'`);
    }
    return value;
  }

  private take(token: string): boolean {
    if (this.tokens[this.position] !== token) return false;
    this.position++;
    return true;
  }

  private next(): string {
    const token = this.tokens[this.position++];
    if (token === undefined) throw new Error("expression ends too early");
    return token;
  }

  private or(): unknown {
    let left = this.and();
    while (this.take("||")) {
      const right = this.and();
      left = isTruthy(left) ? left : right;
    }
    return left;
  }

  private and(): unknown {
    let left = this.equality();
    while (this.take("&&")) {
      const right = this.equality();
      left = isTruthy(left) ? right : left;
    }
    return left;
  }

  private equality(): unknown {
    let left = this.unary();
    for (;;) {
      if (this.take("==")) left = looseEquals(left, this.unary());
      else if (this.take("!=")) left = !looseEquals(left, this.unary());
      else return left;
    }
  }

  private unary(): unknown {
    return this.take("!") ? !isTruthy(this.unary()) : this.primary();
  }

  private primary(): unknown {
    const token = this.next();
    if (token === "(") {
      const value = this.or();
      if (!this.take(")")) throw new Error("missing ')'");
      return value;
    }
    if (token.startsWith("'")) return token.slice(1, -1).replace(/''/g, "'");
    if (/^\d/.test(token)) return Number(token);
    const literals: Record<string, unknown> = { true: true, false: false, null: null };
    if (token in literals) return literals[token];
    if (this.take("(")) return this.call(token);
    return this.path(this.context[token] ?? null);
  }

  private path(root: unknown): unknown {
    let value = root;
    let projected = false;
    while (this.take(".")) {
      const segment = this.next();
      if (segment === "*") {
        value = Array.isArray(value) ? value : Object.values(value ?? {});
        projected = true;
      } else {
        value = projected
          ? (value as unknown[]).map((item) => property(item, segment))
          : property(value, segment);
      }
    }
    return value;
  }

  private call(name: string): unknown {
    const implementation = FUNCTIONS[name.toLowerCase()];
    if (!implementation) throw new Error(`unknown function ${name}`);
    const args: unknown[] = [];
    if (!this.take(")")) {
      do args.push(this.or());
      while (this.take(","));
      if (!this.take(")")) throw new Error(`missing ')' after ${name}(...`);
    }
    return implementation(...args);
  }
}

function evaluate(expression: string, context: Context): unknown {
  const bare = expression.trim().match(/^\$\{\{([\s\S]*)\}\}$/)?.[1] ?? expression;
  return new Evaluation(tokenize(bare), context).run();
}

/** A string with `${{ }}` parts, as GitHub renders it. */
function interpolate(text: string, context: Context): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expression: string) =>
    asText(evaluate(expression, context)),
  );
}

// ---------------------------------------------------------------------------------------------
// Events and the workflow
// ---------------------------------------------------------------------------------------------

interface PullRequestEvent {
  action: "labeled" | "unlabeled" | "synchronize" | "reopened" | "closed";
  /** The label added or removed (labeled/unlabeled only). */
  label?: string;
  /** The PR's labels after the event. */
  labels: string[];
  state: "open" | "closed";
  fromFork?: boolean;
}

const SECRETS = { PULUMI_ACCESS_TOKEN: "pul-test-token" };
const VARS = { PULUMI_ORG: "contoso", AZURE_CLIENT_ID: "client" };

function pullRequestContext(event: PullRequestEvent): Context {
  return {
    github: {
      event_name: "pull_request",
      repository: REPOSITORY,
      run_id: RUN_ID,
      event: {
        action: event.action,
        number: PR_NUMBER,
        ...(event.label ? { label: { name: event.label } } : {}),
        pull_request: {
          number: PR_NUMBER,
          state: event.state,
          labels: event.labels.map((name) => ({ name })),
          user: { login: "octo-dev" },
          head: {
            sha: "0123456789abcdef0123456789abcdef01234567",
            repo: { full_name: event.fromFork ? "someone/aks-devsecops" : REPOSITORY },
          },
        },
      },
    },
    inputs: {},
    secrets: SECRETS,
    vars: VARS,
    runner: { temp: "/home/runner/work/_temp" },
  };
}

function scheduledContext(eventName: "schedule" | "workflow_dispatch", dryRun?: boolean): Context {
  return {
    github: { event_name: eventName, repository: REPOSITORY, run_id: RUN_ID, event: {} },
    inputs: dryRun === undefined ? {} : { "dry-run": dryRun },
    secrets: SECRETS,
    vars: VARS,
    runner: { temp: "/home/runner/work/_temp" },
  };
}

const workflow: Workflow = (() => {
  const found = loadWorkflows().find((candidate) => candidate.file === "ephemeral.yml");
  if (!found) throw new Error("no .github/workflows/ephemeral.yml");
  return found;
})();

function jobsThatRun(context: Context): string[] {
  return Object.entries(workflow.jobs)
    .filter(([, job]) => job.if === undefined || isTruthy(evaluate(job.if, context)))
    .map(([id]) => id)
    .sort();
}

function concurrencyGroup(context: Context): string {
  const concurrency = workflow.concurrency;
  const group = typeof concurrency === "string" ? concurrency : concurrency?.group;
  if (!group) throw new Error("no workflow concurrency group");
  return interpolate(group, context);
}

function stepNamed(jobId: string, name: RegExp): Step {
  const step = stepsOf(workflow.jobs[jobId]).find((candidate) => name.test(candidate.name ?? ""));
  if (!step) throw new Error(`no step ${name} in ${jobId}`);
  return step;
}

function stepRunning(jobId: string, command: RegExp): Step {
  const step = stepsOf(workflow.jobs[jobId]).find((candidate) => command.test(candidate.run ?? ""));
  if (!step) throw new Error(`no step running ${command} in ${jobId}`);
  return step;
}

/** The environment a step sees: workflow, then job, then step `env:`, rendered for an event. */
function environmentOfStep(jobId: string, step: Step, context: Context): Record<string, string> {
  const layers = [
    (workflow as Workflow & { env?: Record<string, unknown> }).env,
    (workflow.jobs[jobId] as Job & { env?: Record<string, unknown> }).env,
    step.env,
  ];
  const environment: Record<string, string> = {};
  for (const layer of layers) {
    for (const [name, value] of Object.entries(layer ?? {})) {
      environment[name] = interpolate(String(value), context);
    }
  }
  return environment;
}

/** Runs a `run:` script like the runner (bash -e -o pipefail) with `pulumi` and `npm` stubbed. */
function runWithStubs(script: string, environment: Record<string, string>): string[][] {
  const directory = fs.mkdtempSync(path.join(tmpdir(), "ephemeral-run-"));
  const calls = path.join(directory, "calls");
  const stubs = [
    `record() { local IFS=$'\\x1f'; printf '%s\\x1e' "$*" >> "$CALLS"; }`,
    'pulumi() { record pulumi "$@"; }',
    'npm() { record npm "$@"; }',
  ].join("\n");
  try {
    const result = spawnSync(
      "bash",
      ["--noprofile", "--norc", "-eo", "pipefail", "-c", `${stubs}\n${script}`],
      {
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", CALLS: calls, ...environment },
        encoding: "utf8",
      },
    );
    if (result.status !== 0) throw new Error(`script failed: ${result.stderr}`);
    const recorded = fs.existsSync(calls) ? fs.readFileSync(calls, "utf8") : "";
    return recorded
      .split("\x1e")
      .filter((call) => call !== "")
      .map((call) => call.split("\x1f"));
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

/** The arguments after `npm run env --` in the recorded calls. */
function envCommands(calls: string[][]): string[][] {
  return calls
    .filter((call) => call.slice(0, 4).join(" ") === "npm run env --")
    .map((call) => call.slice(4));
}

function flagsOf(args: string[]): Record<string, string | true> {
  const flags: Record<string, string | true> = {};
  for (let index = 0; index < args.length; index++) {
    const name = args[index].replace(/^--/, "");
    const value = args[index + 1];
    if (value === undefined || value.startsWith("--")) flags[name] = true;
    else flags[name] = args[++index];
  }
  return flags;
}

const openPr = (action: PullRequestEvent["action"], extra: Partial<PullRequestEvent> = {}) =>
  pullRequestContext({ action, labels: [LABEL], state: "open", ...extra });

// ---------------------------------------------------------------------------------------------

describe("the expression evaluator the tests below rely on", () => {
  const context = pullRequestContext({
    action: "labeled",
    label: "Bug",
    labels: ["bug", LABEL],
    state: "open",
  });

  it("reads paths, projections and functions", () => {
    expect(evaluate("github.event.pull_request.number", context)).toBe(PR_NUMBER);
    expect(evaluate("github.event.pull_request.labels.*.name", context)).toEqual(["bug", LABEL]);
    expect(evaluate(`contains(github.event.pull_request.labels.*.name, '${LABEL}')`, context)).toBe(
      true,
    );
    expect(evaluate("contains(github.event.pull_request.labels.*.name, 'docs')", context)).toBe(
      false,
    );
    expect(evaluate("format('pr-{0}-{1}', github.event.number, 'x')", context)).toBe("pr-42-x");
    expect(evaluate("github.event.no.such.thing", context)).toBeNull();
  });

  it("compares strings case-insensitively and short-circuits like GitHub", () => {
    expect(evaluate("github.event.label.name == 'bug'", context)).toBe(true);
    expect(evaluate("github.event.label.name != 'bug'", context)).toBe(false);
    expect(evaluate("false && 'a' || 'b'", context)).toBe("b");
    expect(evaluate("true || false && false", context)).toBe(true);
    expect(evaluate("!(true && false)", context)).toBe(true);
    expect(interpolate("x-${{ 'it''s' }}-${{ github.run_id }}", context)).toBe(`x-it's-${RUN_ID}`);
  });

  it("rejects what it cannot read", () => {
    expect(() => evaluate("a ==", context)).toThrow();
    expect(() => evaluate("nosuch(1)", context)).toThrow(/unknown function/);
    expect(() => evaluate("a b", context)).toThrow(/unexpected/);
  });
});

describe("ephemeral.yml triggers", () => {
  const triggers = workflow.on as Record<string, unknown>;

  it("runs on pull_request label, push, reopen and close events, never pull_request_target", () => {
    const pullRequest = triggers.pull_request as { types: string[] };
    expect([...pullRequest.types].sort()).toEqual(
      ["closed", "labeled", "reopened", "synchronize", "unlabeled"].sort(),
    );
    expect(Object.keys(triggers)).not.toContain("pull_request_target");
  });

  it("reaps every hour and on demand", () => {
    const schedules = triggers.schedule as { cron: string }[];
    expect(schedules).toHaveLength(1);
    const [minute, ...rest] = schedules[0].cron.trim().split(/\s+/);
    expect(rest).toEqual(["*", "*", "*", "*"]);
    expect(Number(minute)).toBeGreaterThanOrEqual(0);
    expect(Number(minute)).toBeLessThan(60);
    expect(Object.keys(triggers)).toContain("workflow_dispatch");
  });
});

describe("ephemeral.yml: which job runs for which event", () => {
  const cases: [string, Context, string[]][] = [
    ["the label is added", openPr("labeled", { label: LABEL }), ["create"]],
    ["a labelled PR gets a push", openPr("synchronize"), ["create"]],
    ["a labelled PR is reopened", openPr("reopened"), ["create"]],
    ["a labelled PR is closed", openPr("closed", { state: "closed" }), ["destroy"]],
    ["the label is removed", openPr("unlabeled", { label: LABEL, labels: [] }), ["destroy"]],
    ["another label is added", openPr("labeled", { label: "bug", labels: ["bug", LABEL] }), []],
    ["another label is removed", openPr("unlabeled", { label: "bug" }), []],
    ["a PR without the label gets a push", openPr("synchronize", { labels: ["bug"] }), []],
    ["a PR without the label is closed", openPr("closed", { labels: [], state: "closed" }), []],
    ["the label is added to a closed PR", openPr("labeled", { label: LABEL, state: "closed" }), []],
    [
      "the label is removed from a closed PR",
      openPr("unlabeled", { label: LABEL, labels: [], state: "closed" }),
      [],
    ],
    ["a fork PR gets the label", openPr("labeled", { label: LABEL, fromFork: true }), []],
    ["a labelled fork PR is closed", openPr("closed", { state: "closed", fromFork: true }), []],
    ["the hourly schedule", scheduledContext("schedule"), ["reap"]],
    ["a manual dispatch", scheduledContext("workflow_dispatch", false), ["reap"]],
  ];

  it.each(cases)("%s", (_event, context, expected) => {
    expect(jobsThatRun(context)).toEqual(expected);
  });

  it("matches the label name case-insensitively, as GitHub compares strings", () => {
    expect(
      jobsThatRun(openPr("labeled", { label: "Preview-Env", labels: ["Preview-Env"] })),
    ).toEqual(["create"]);
  });
});

describe("ephemeral.yml concurrency", () => {
  const concurrency = workflow.concurrency as { "cancel-in-progress"?: unknown };

  it("never cancels a running deploy, destroy or reap", () => {
    expect(concurrency["cancel-in-progress"]).toBe(false);
    for (const job of Object.values(workflow.jobs)) {
      const jobConcurrency = job.concurrency as { "cancel-in-progress"?: unknown } | undefined;
      expect(jobConcurrency?.["cancel-in-progress"] ?? false).toBe(false);
    }
  });

  it("queues a PR's creates and destroys together, and reaps in a queue of their own", () => {
    expect(concurrencyGroup(openPr("labeled", { label: LABEL }))).toBe(`ephemeral-pr-${PR_NUMBER}`);
    expect(concurrencyGroup(openPr("closed", { state: "closed" }))).toBe(
      `ephemeral-pr-${PR_NUMBER}`,
    );
    expect(concurrencyGroup(scheduledContext("schedule"))).toBe("ephemeral-reap");
    expect(concurrencyGroup(scheduledContext("workflow_dispatch", true))).toBe("ephemeral-reap");
  });

  // A run in the PR's group that then skips every job would replace (cancel) the deploy waiting
  // there; so exactly the events that create or destroy may join it. Checked over every event.
  const actions: PullRequestEvent["action"][] = [
    "labeled",
    "unlabeled",
    "synchronize",
    "reopened",
    "closed",
  ];
  const events: PullRequestEvent[] = actions.flatMap((action) =>
    (action === "labeled" || action === "unlabeled" ? [LABEL, "bug"] : [undefined]).flatMap(
      (label) =>
        [[LABEL], ["bug"], [LABEL, "bug"], []].flatMap((labels) =>
          (["open", "closed"] as const).flatMap((state) =>
            [false, true].map((fromFork) => ({ action, label, labels, state, fromFork })),
          ),
        ),
    ),
  );

  it(`joins the PR's group exactly when a job runs (${events.length} kinds of PR event)`, () => {
    expect(events.length).toBeGreaterThan(100);
    const mismatched = events.filter((event) => {
      const context = pullRequestContext(event);
      const running = jobsThatRun(context);
      const expectedGroup =
        running.length > 0 ? `ephemeral-pr-${PR_NUMBER}` : `ephemeral-skip-${RUN_ID}`;
      return (
        running.includes("reap") ||
        running.length > 1 ||
        concurrencyGroup(context) !== expectedGroup
      );
    });
    expect(mismatched).toEqual([]);
  });
});

describe("ephemeral.yml jobs", () => {
  const jobs = Object.entries(workflow.jobs);

  // Issue 15, items 4 and 7: ephemeral stacks inherit dev's firewalls (a runner in the dev VNet),
  // and a PR's code never runs in `development`: PR jobs in `ephemeral` (a maintainer approves each
  // run), the scheduled reaper in `ephemeral-reaper` (main only).
  it("have a timeout, a dev VNet runner and an Azure login over OIDC in their own environment", () => {
    const environments: Record<string, string> = {
      create: "ephemeral",
      destroy: "ephemeral",
      reap: "ephemeral-reaper",
    };
    for (const [id, job] of jobs) {
      expect([id, job["runs-on"]]).toEqual([
        id,
        { group: "vnet-dev", labels: ["self-hosted", "linux", "x64"] },
      ]);
      expect([id, (job as Job & { "timeout-minutes"?: number })["timeout-minutes"]]).toEqual([
        id,
        expect.any(Number),
      ]);
      expect([id, job.environment]).toEqual([id, environments[id]]);
      expect([id, usesAction(job, "azure/login")]).toEqual([id, true]);
    }
  });

  it("grant the least permissions: pull-requests write only where the comment is written", () => {
    expect(workflow.permissions).toEqual({});
    for (const [id, job] of jobs) {
      const comments = usesAction(job, "actions/github-script");
      expect([id, job.permissions]).toEqual([
        id,
        {
          contents: "read",
          "id-token": "write",
          ...(comments ? { "pull-requests": "write" } : {}),
        },
      ]);
    }
    expect(usesAction(workflow.jobs.create, "actions/github-script")).toBe(true);
  });

  it("never splice ${{ }} into a shell or github-script script (script injection)", () => {
    const scripts = jobs.flatMap(([, job]) =>
      stepsOf(job).flatMap((step) =>
        [step.run, step.with?.script].filter((text) => text !== undefined),
      ),
    );
    expect(scripts.length).toBeGreaterThan(3);
    for (const script of scripts) expect(String(script)).not.toContain("${{");
  });

  it("install the pinned Pulumi CLI and log in to Azure before the env command", () => {
    expect((workflow as Workflow & { env: Record<string, string> }).env).toMatchObject({
      PULUMI_VERSION: "3.270.0",
      AAD_LOGIN_METHOD: "azurecli",
    });
    for (const [id, job] of jobs) {
      const steps = stepsOf(job);
      const index = (found: (step: Step) => boolean) => steps.findIndex(found);
      const command = index((step) => /npm run env --/.test(step.run ?? ""));
      const cli = index(
        (step) =>
          step.uses?.startsWith("pulumi/actions@") === true &&
          step.with?.["pulumi-version"] === "${{ env.PULUMI_VERSION }}" &&
          step.with?.command === undefined,
      );
      // kubelogin is a prerequisite of the self-hosted runner (README), not installed per job.
      const login = index((step) => step.uses?.startsWith("azure/login@") === true);
      expect([id, command > 0, cli >= 0, login >= 0]).toEqual([id, true, true, true]);
      expect([id, Math.max(cli, login) < command]).toEqual([id, true]);
    }
  });
});

describe("ephemeral.yml commands (run with pulumi and npm stubbed)", () => {
  const createContext = openPr("labeled", { label: LABEL });
  const createStep = stepRunning("create", /npm run env -- create/);

  it("creates pr-<number> for the PR author from dev, in the Pulumi org, with the outputs file", () => {
    const calls = runWithStubs(
      createStep.run ?? "",
      environmentOfStep("create", createStep, createContext),
    );
    expect(calls.slice(0, 2)).toEqual([
      ["pulumi", "login"],
      ["pulumi", "org", "set-default", VARS.PULUMI_ORG],
    ]);
    const [command, ...others] = envCommands(calls);
    expect(others).toEqual([]);
    expect(command.slice(0, 2)).toEqual(["create", `pr-${PR_NUMBER}`]);
    expect(flagsOf(command.slice(2))).toEqual({
      owner: "octo-dev",
      from: "dev",
      ttl: "8h",
      outputs: "/home/runner/work/_temp/preview-outputs.json",
    });
  });

  it("passes the PR author's login as one argument, whatever it holds", () => {
    const environment = environmentOfStep("create", createStep, createContext);
    const hostile = 'x"; touch /tmp/pwned; echo "$(id)';
    const [command] = envCommands(
      runWithStubs(createStep.run ?? "", { ...environment, OWNER: hostile }),
    );
    expect(flagsOf(command.slice(2)).owner).toBe(hostile);
  });

  it("hands the Pulumi token to the command step only as an environment variable", () => {
    const environment = environmentOfStep("create", createStep, createContext);
    expect(environment.PULUMI_ACCESS_TOKEN).toBe(SECRETS.PULUMI_ACCESS_TOKEN);
    expect(createStep.env?.PULUMI_ACCESS_TOKEN).toBe("${{ secrets.PULUMI_ACCESS_TOKEN }}");
  });

  it("destroys pr-<number>, after selecting the Pulumi org", () => {
    const context = openPr("closed", { state: "closed" });
    const step = stepRunning("destroy", /npm run env -- destroy/);
    const calls = runWithStubs(step.run ?? "", environmentOfStep("destroy", step, context));
    expect(calls.slice(0, 2)).toEqual([
      ["pulumi", "login"],
      ["pulumi", "org", "set-default", VARS.PULUMI_ORG],
    ]);
    expect(envCommands(calls)).toEqual([["destroy", `pr-${PR_NUMBER}`]]);
  });

  it.each([
    ["the schedule", scheduledContext("schedule"), ["reap"]],
    ["a manual run", scheduledContext("workflow_dispatch", false), ["reap"]],
    ["a manual dry run", scheduledContext("workflow_dispatch", true), ["reap", "--dry-run"]],
  ])("reaps on %s", (_trigger, context, expected) => {
    const step = stepRunning("reap", /npm run env -- reap/);
    const calls = runWithStubs(step.run ?? "", environmentOfStep("reap", step, context));
    expect(calls[1]).toEqual(["pulumi", "org", "set-default", VARS.PULUMI_ORG]);
    expect(envCommands(calls)).toEqual([expected]);
  });
});

describe("ephemeral.yml PR comment (the github-script step, run against a fake API)", () => {
  interface Comment {
    id: number;
    user: { type: string };
    body: string;
  }
  const commentStep = stepNamed("create", /comment/i);
  const script = String(commentStep.with?.script ?? "");
  const createContext = openPr("synchronize");
  let directory: string;

  beforeAll(() => {
    directory = fs.mkdtempSync(path.join(tmpdir(), "ephemeral-comment-"));
  });
  afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));

  async function comment(outputs: unknown, existing: Comment[]) {
    const environment = environmentOfStep("create", commentStep, createContext);
    const outputsFile = path.join(directory, "outputs.json");
    if (outputs !== undefined) fs.writeFileSync(outputsFile, JSON.stringify(outputs));
    else fs.rmSync(outputsFile, { force: true });
    const created: Record<string, unknown>[] = [];
    const updated: Record<string, unknown>[] = [];
    const listComments = async () => existing;
    const github = {
      rest: {
        issues: {
          listComments,
          createComment: async (request: Record<string, unknown>) => created.push(request),
          updateComment: async (request: Record<string, unknown>) => updated.push(request),
        },
      },
      paginate: async (method: unknown, request: Record<string, unknown>) => {
        expect(method).toBe(listComments);
        expect(request).toMatchObject({ issue_number: PR_NUMBER });
        return existing;
      },
    };
    const context = {
      repo: { owner: "contoso-platform", repo: "aks-devsecops" },
      issue: { number: PR_NUMBER },
    };
    const requireModule = (id: string) => {
      if (id !== "node:fs" && id !== "fs") throw new Error(`unexpected require ${id}`);
      return fs;
    };
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
      ...parameters: string[]
    ) => (...args: unknown[]) => Promise<unknown>;
    const run = new AsyncFunction("require", "github", "context", "process", script);
    await run(requireModule, github, context, {
      env: { ...environment, OUTPUTS_FILE: outputsFile },
    });
    return { created, updated };
  }

  it("reads the file the create step writes with --outputs", () => {
    const createStep = stepRunning("create", /npm run env -- create/);
    const steps = stepsOf(workflow.jobs.create);
    expect(steps.indexOf(commentStep)).toBeGreaterThan(steps.indexOf(createStep));
    const rendered = (step: Step) => environmentOfStep("create", step, createContext).OUTPUTS_FILE;
    expect(rendered(commentStep)).toBe(rendered(createStep));
    expect(createStep.run).toContain('--outputs "$OUTPUTS_FILE"');
    expect(script).toMatch(/readFileSync\(OUTPUTS_FILE/);
  });

  it("has every variable the script reads in its environment", () => {
    const environment = environmentOfStep("create", commentStep, createContext);
    const destructured = script.match(/const \{([^}]+)\} = process\.env/)?.[1] ?? "";
    const names = [
      ...destructured.split(",").map((name) => name.trim()),
      ...[...script.matchAll(/process\.env\.(\w+)/g)].map((match) => match[1]),
    ].filter((name) => name !== "");
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name) => !environment[name])).toEqual([]);
  });

  it("adds one comment with the outputs when there is none", async () => {
    const { created, updated } = await comment(
      { clusterName: "aks-plat-pr-42", endpoints: { api: "https://a|b" } },
      [{ id: 1, user: { type: "User" }, body: "looks good" }],
    );
    expect(updated).toEqual([]);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({
      owner: "contoso-platform",
      repo: "aks-devsecops",
      issue_number: PR_NUMBER,
    });
    const body = String(created[0].body);
    expect(body).toContain(`pr-${PR_NUMBER}`);
    expect(body).toContain("| clusterName | `aks-plat-pr-42` |");
    expect(body).toContain('| endpoints | `{"api":"https://a\\|b"}` |');
  });

  it("updates its own earlier comment (found by its marker) instead of adding another", async () => {
    const first = await comment({ clusterName: "one" }, []);
    const marker = String(first.created[0].body).split("\n")[0];
    expect(marker).toMatch(/^<!--.*-->$/);
    const existing = [
      { id: 7, user: { type: "User" }, body: `${marker}\nquoted by a person` },
      { id: 9, user: { type: "Bot" }, body: `${marker}\nold outputs` },
    ];
    const { created, updated } = await comment({ clusterName: "two" }, existing);
    expect(created).toEqual([]);
    expect(updated).toHaveLength(1);
    expect(updated[0]).toMatchObject({ comment_id: 9 });
    expect(String(updated[0].body)).toContain("| clusterName | `two` |");
  });

  it("fails when the outputs file is missing (nothing stale is commented)", async () => {
    await expect(comment(undefined, [])).rejects.toThrow(/ENOENT/);
  });
});

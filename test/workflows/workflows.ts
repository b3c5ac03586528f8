import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

export const REPOSITORY_ROOT = path.resolve(__dirname, "../..");
export const WORKFLOW_DIR = path.join(REPOSITORY_ROOT, ".github/workflows");

export interface Step {
  name?: string;
  uses?: string;
  run?: string;
  id?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}

export interface Job {
  name?: string;
  "runs-on"?: unknown;
  environment?: string | { name: string };
  permissions?: Record<string, string> | string;
  concurrency?: unknown;
  needs?: string | string[];
  if?: string;
  uses?: string;
  steps?: Step[];
}

export interface Workflow {
  file: string;
  text: string;
  on?: unknown;
  permissions?: Record<string, string> | string;
  concurrency?: { group?: string; "cancel-in-progress"?: unknown } | string;
  jobs: Record<string, Job>;
}

export function parseWorkflow(file: string, text: string): Workflow {
  const document = parse(text) as Omit<Workflow, "file" | "text">;
  return { ...document, jobs: document.jobs ?? {}, file, text };
}

export function loadWorkflows(directory = WORKFLOW_DIR): Workflow[] {
  return readdirSync(directory)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort()
    .map((file) => parseWorkflow(file, readFileSync(path.join(directory, file), "utf8")));
}

export function stepsOf(job: Job): Step[] {
  return job.steps ?? [];
}

export function environmentOf(job: Job): string | undefined {
  return typeof job.environment === "string" ? job.environment : job.environment?.name;
}

/** Every remote action or reusable workflow a workflow calls (local `./` and `docker://` excluded). */
export function remoteUses(workflow: Workflow): string[] {
  const references = Object.values(workflow.jobs).flatMap((job) => [
    ...(job.uses ? [job.uses] : []),
    ...stepsOf(job).flatMap((step) => (step.uses ? [step.uses] : [])),
  ]);
  return references.filter((uses) => !uses.startsWith("./") && !uses.startsWith("docker://"));
}

const PINNED = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(\/[A-Za-z0-9_./-]+)?@[0-9a-f]{40}$/;

export function isPinnedToCommit(uses: string): boolean {
  return PINNED.test(uses);
}

/** The `# vX.Y.Z` comment on each `uses:` line, keyed by the reference (undefined: none). */
export function versionComments(text: string): Map<string, string | undefined> {
  const comments = new Map<string, string | undefined>();
  for (const match of text.matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)[ \t]*(#[^\n]*)?$/gm)) {
    const version = match[2]?.match(/#\s*(v\d+\.\d+\.\d+)\b/)?.[1];
    comments.set(match[1], version);
  }
  return comments;
}

export function grantsIdToken(job: Job): boolean {
  return typeof job.permissions === "object" && job.permissions["id-token"] === "write";
}

export function usesAction(job: Job, action: string): boolean {
  return stepsOf(job).some((step) => step.uses?.toLowerCase().startsWith(`${action}@`));
}

/** Top-level permissions that grant nothing beyond reading the repository. */
export function isLeastTopLevelPermissions(permissions: Workflow["permissions"]): boolean {
  if (permissions === undefined || typeof permissions === "string") return false;
  return Object.entries(permissions).every(
    ([scope, level]) => scope === "contents" && level === "read",
  );
}

import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { ConfigError, parsePlatformConfig } from "../../infra/config";
import { readPolicyConfigFile } from "../analyzer";
import { loadProjectStack } from "../engine";
import { errorMessage, UsageError } from "../errors";
import type { CheckOptions } from "../policy-check";
import { mandatoryViolations, renderTable, type CheckReport } from "../report/check-report";
import { MissingCliError, type StackBackend } from "./backend";
import {
  entriesFromTags,
  entryFromTags,
  localEntries,
  reservedNames,
  selectExpired,
  type EphemeralEntry,
} from "./inventory";
import { ephemeralStackName } from "./names";
import { deriveEphemeralStack, type EphemeralStack } from "./stack";
import { EPHEMERAL_POLICY_CONFIG, EPHEMERAL_TAGS, ephemeralTagsOf } from "./tags";
import { formatDuration, parseTtl } from "./ttl";

/** What the verbs need from the outside world; tests pass fakes. */
export interface EnvContext {
  /** The Pulumi project directory (Pulumi.yaml and the stack files). */
  root: string;
  now: () => Date;
  /** The backend, or MissingCliError at once when there is no Pulumi CLI. */
  backend: (verb: string) => Promise<StackBackend>;
  check: (options: CheckOptions) => Promise<CheckReport>;
  stdout: (text: string) => void;
  progress: (message: string) => void;
  /** Output of `pulumi up` / `destroy`, streamed as it comes. */
  stream: (text: string) => void;
}

export interface CreateArgs {
  name: string;
  owner: string;
  ttl: string;
  from: string;
  dryRun: boolean;
  outputs?: string;
}

/** GitHub logins (bots too: `dependabot[bot]`), e-mail addresses: it goes into tags and stack tags. */
const OWNER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@[\]-]{0,63}$/;

function requireOwner(owner: string): string {
  if (!OWNER_PATTERN.test(owner)) {
    throw new UsageError(
      `--owner '${owner}' is not usable as a tag: 1-64 letters, digits, '.', '_', '@', '[', ']' or '-', starting with a letter or digit`,
    );
  }
  return owner;
}

function loadBase(root: string, baseStack: string) {
  const base = loadProjectStack(root, baseStack);
  if (ephemeralTagsOf(base.config)) {
    throw new UsageError(
      `--from '${baseStack}' is itself ephemeral; derive from a long-lived stack such as dev`,
    );
  }
  try {
    return { base, config: parsePlatformConfig(base.config) };
  } catch (err) {
    if (err instanceof ConfigError) {
      throw new UsageError(`--from '${baseStack}': ${err.message}`);
    }
    throw err;
  }
}

export function stackFilePath(root: string, stack: string): string {
  return path.join(root, `Pulumi.${stack}.yaml`);
}

/**
 * The stack file's text. Of a file already there, every key but `config` stays: the CLI keeps the
 * stack's secrets settings there (`encryptionsalt`, `secretsprovider`, `encryptedkey`), and losing
 * them would make the stack's secrets unreadable.
 */
export function renderStackFile(
  derived: EphemeralStack,
  baseStack: string,
  existingText?: string,
): string {
  const header = [
    `# Ephemeral environment '${derived.stack}', derived from '${baseStack}' by \`npm run env -- create\`.`,
    `# Expires ${derived.expiresAt.toISOString()}; \`npm run env -- reap\` destroys it after that.`,
    `# Destroy it sooner with \`npm run env -- destroy ${derived.stack}\`. Do not commit this file.`,
  ];
  const existing = (existingText ? parseYaml(existingText) : undefined) ?? {};
  const { config: _replaced, ...kept } = existing as Record<string, unknown>;
  return `${header.join("\n")}\n${stringifyYaml({ ...kept, ...derived.document })}`;
}

function readIfExists(file: string): string | undefined {
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
}

function deriveRequested(args: CreateArgs, context: EnvContext): EphemeralStack {
  const owner = requireOwner(args.owner);
  const ttlMs = parseTtl(args.ttl);
  const { base, config } = loadBase(context.root, args.from);
  const stack = ephemeralStackName(args.name, config.namePrefix, reservedNames(context.root));
  if (stack !== args.name) context.progress(`'${args.name}' becomes stack '${stack}'`);
  return deriveEphemeralStack({
    stack,
    baseStack: args.from,
    baseConfig: base.config,
    baseSecretKeys: base.secretKeys,
    owner,
    ttlMs,
    now: context.now(),
  });
}

/** A stack of that name in the backend that `create` did not make must never be taken over. */
async function requireNotLongLived(backend: StackBackend, stack: string): Promise<boolean> {
  const tags = await backend.tagsOf(stack);
  if (tags && !entryFromTags(stack, tags)) {
    throw new UsageError(`stack '${stack}' exists and is not ephemeral; choose another name`);
  }
  return tags !== undefined;
}

export async function create(args: CreateArgs, context: EnvContext): Promise<number> {
  const derived = deriveRequested(args, context);
  // Without a CLI the deploying verbs stop here, before the slow check.
  const backend = args.dryRun ? undefined : await context.backend("create");
  const exists = backend ? await requireNotLongLived(backend, derived.stack) : false;
  const report = await context.check({
    command: "env",
    stack: derived.stack,
    programDir: context.root,
    stackDocument: derived.document,
    policyConfig: readPolicyConfigFile(EPHEMERAL_POLICY_CONFIG),
    policyConfigFile: path.relative(process.cwd(), EPHEMERAL_POLICY_CONFIG),
  });
  const stackFile = stackFilePath(context.root, derived.stack);
  const stackText = renderStackFile(derived, args.from, readIfExists(stackFile));
  const passed = mandatoryViolations(report).length === 0;
  if (!backend) {
    context.stdout(
      `# ${path.relative(process.cwd(), stackFile)} (dry run: not written)\n${stackText}\n${renderTable(report)}`,
    );
    return passed ? 0 : 1;
  }
  context.stdout(renderTable(report));
  if (!passed) {
    context.progress(`not deploying '${derived.stack}': the policy check failed`);
    return 1;
  }
  fs.writeFileSync(stackFile, stackText);
  context.progress(
    `${exists ? "updating" : "creating"} '${derived.stack}' (wrote ${path.relative(process.cwd(), stackFile)}); pulumi up follows`,
  );
  const outputs = await backend.deploy({
    stack: derived.stack,
    tags: derived.tags,
    policyConfigFile: EPHEMERAL_POLICY_CONFIG,
    onOutput: context.stream,
  });
  if (args.outputs) fs.writeFileSync(args.outputs, `${JSON.stringify(outputs, null, 2)}\n`);
  context.stdout(
    `${derived.stack} is up until ${derived.expiresAt.toISOString()}\n` +
      Object.entries(outputs)
        .map(
          ([name, value]) =>
            `  ${name}: ${typeof value === "string" ? value : JSON.stringify(value)}`,
        )
        .join("\n") +
      "\n",
  );
  return 0;
}

interface ListedEntry {
  stack: string;
  owner: string;
  base: string;
  createdAt?: string;
  expiresAt?: string;
  age?: string;
  timeLeft: string;
}

function describeEntry(entry: EphemeralEntry, now: Date): ListedEntry {
  const left = entry.expiresAt ? entry.expiresAt.getTime() - now.getTime() : undefined;
  return {
    stack: entry.stack,
    owner: entry.owner,
    base: entry.base,
    createdAt: entry.createdAt?.toISOString(),
    expiresAt: entry.expiresAt?.toISOString(),
    age: entry.createdAt ? formatDuration(now.getTime() - entry.createdAt.getTime()) : undefined,
    timeLeft:
      left === undefined
        ? "no expiry (reaped)"
        : left > 0
          ? formatDuration(left)
          : `expired ${formatDuration(-left)} ago`,
  };
}

function renderEntries(rows: ListedEntry[]): string {
  if (rows.length === 0) return "no ephemeral stacks\n";
  const table = [
    ["STACK", "OWNER", "FROM", "AGE", "TIME LEFT"],
    ...rows.map((row) => [row.stack, row.owner, row.base, row.age ?? "?", row.timeLeft]),
  ];
  const widths = table[0].map((_, column) => Math.max(...table.map((row) => row[column].length)));
  return (
    table
      .map((row) =>
        row
          .map((cell, column) => cell.padEnd(widths[column]))
          .join("  ")
          .trimEnd(),
      )
      .join("\n") + "\n"
  );
}

export async function list(format: "table" | "json", context: EnvContext): Promise<number> {
  const backend = await context.backend("list");
  const now = context.now();
  const rows = entriesFromTags(await backend.stackTags()).map((entry) => describeEntry(entry, now));
  context.stdout(format === "json" ? `${JSON.stringify(rows, null, 2)}\n` : renderEntries(rows));
  return 0;
}

async function destroyOne(stack: string, backend: StackBackend, context: EnvContext) {
  context.progress(`destroying '${stack}'`);
  await backend.destroy(stack, context.stream);
  fs.rmSync(stackFilePath(context.root, stack), { force: true });
  context.progress(`destroyed and removed '${stack}'`);
}

export async function destroy(stack: string, context: EnvContext): Promise<number> {
  const backend = await context.backend("destroy");
  const tags = await backend.tagsOf(stack);
  if (!tags) {
    // Nothing to do is not a failure: a PR whose environment never got created still closes.
    context.progress(
      `no stack '${stack}' in the backend: nothing to destroy (\`npm run env -- list\` shows the ephemeral ones)`,
    );
    return 0;
  }
  if (!entryFromTags(stack, tags)) {
    throw new UsageError(
      `stack '${stack}' is not ephemeral (no ${EPHEMERAL_TAGS.base} tag); destroy only removes stacks that create made`,
    );
  }
  await destroyOne(stack, backend, context);
  return 0;
}

/** The stacks to look at: the backend's, or without a CLI (dry run only) the local stack files. */
async function reapCandidates(dryRun: boolean, context: EnvContext) {
  try {
    const backend = await context.backend("reap");
    return { backend, entries: entriesFromTags(await backend.stackTags()) };
  } catch (err) {
    if (!(err instanceof MissingCliError) || !dryRun) throw err;
    context.progress("no Pulumi CLI: looking at the stack files here only");
    return { backend: undefined, entries: localEntries(context.root) };
  }
}

export async function reap(dryRun: boolean, context: EnvContext): Promise<number> {
  const now = context.now();
  const { backend, entries } = await reapCandidates(dryRun, context);
  const expired = selectExpired(entries, now);
  context.progress(
    `${entries.length} ephemeral stack(s), ${expired.length} expired at ${now.toISOString()}`,
  );
  context.stdout(renderEntries(expired.map((entry) => describeEntry(entry, now))));
  if (dryRun || !backend) return 0;
  const failed: string[] = [];
  for (const entry of expired) {
    try {
      await destroyOne(entry.stack, backend, context);
    } catch (err) {
      failed.push(entry.stack);
      context.progress(`could not destroy '${entry.stack}': ${errorMessage(err)}`);
    }
  }
  if (failed.length > 0)
    context.progress(`reap left ${failed.length} stack(s): ${failed.join(", ")}`);
  return failed.length > 0 ? 1 : 0;
}

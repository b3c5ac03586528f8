import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { UsageError } from "../errors";

/** The value the offline engine gives a `secure:` config value: ciphertext cannot be decrypted here. */
export const OFFLINE_SECRET_PLACEHOLDER = "offline-secret-placeholder";

export interface ProjectStack {
  programDir: string;
  projectName: string;
  stack: string;
  /** The file or directory Pulumi runs: `main` from Pulumi.yaml, else the project directory. */
  entryPoint: string;
  /** Config as Pulumi passes it to a program: `namespace:key` -> string (objects as JSON). */
  config: Record<string, string>;
  secretKeys: string[];
  stackConfigFile: string;
}

type YamlObject = Record<string, unknown>;

/** The content of a `Pulumi.<stack>.yaml` file: `{ config: { "namespace:key": value } }`. */
export interface StackDocument {
  config?: Record<string, unknown>;
  [key: string]: unknown;
}

function readYamlFile(file: string): YamlObject {
  let parsed: unknown;
  try {
    parsed = parseYaml(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new UsageError(`${file}: not valid YAML: ${(err as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new UsageError(`${file}: expected a mapping at the top level`);
  }
  return parsed as YamlObject;
}

function findProjectFile(programDir: string): string {
  for (const name of ["Pulumi.yaml", "Pulumi.yml"]) {
    const candidate = path.join(programDir, name);
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new UsageError(`no Pulumi.yaml in ${programDir}: --program must name a Pulumi project`);
}

/** The stacks that have a `Pulumi.<stack>.yaml` (or `.yml`) in a directory. */
export function listStacks(configDir: string): string[] {
  if (!fs.existsSync(configDir)) return [];
  return fs
    .readdirSync(configDir)
    .map((file) => /^Pulumi\.(.+)\.ya?ml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort();
}

function qualifiedKey(projectName: string, key: string): string {
  return key.includes(":") ? key : `${projectName}:${key}`;
}

function isSecureValue(value: unknown): value is { secure: string } {
  return typeof value === "object" && value !== null && "secure" in value;
}

/** Pulumi hands structured config to programs as JSON text, plain values as strings. */
export function configText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function projectDefaults(projectName: string, project: YamlObject): Record<string, string> {
  const declared = (project.config ?? {}) as YamlObject;
  const defaults: Record<string, string> = {};
  for (const [key, spec] of Object.entries(declared)) {
    const isSpec = typeof spec === "object" && spec !== null && !Array.isArray(spec);
    const value = isSpec ? (spec as YamlObject).default : spec;
    if (value !== undefined) defaults[qualifiedKey(projectName, key)] = configText(value);
  }
  return defaults;
}

/** The `name` of the Pulumi project in a directory. */
export function loadProjectName(programDir: string): string {
  const projectFile = findProjectFile(path.resolve(programDir));
  const name = readYamlFile(projectFile).name;
  if (typeof name !== "string" || name === "") {
    throw new UsageError(`${projectFile}: 'name' is required`);
  }
  return name;
}

/**
 * The Pulumi CLI's rule for a stack name: "may only contain alphanumeric, hyphens, underscores, or
 * periods", at most 100 characters (pulumi/pulumi pkg/backend/diy `validateStackName`: `^[A-Za-z0-9_.-]{1,100}$`). It is
 * also a file name here, so nothing else may reach the file system.
 */
const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

export function validateStackName(stack: string): void {
  if (!STACK_NAME.test(stack) || stack === "." || stack === "..") {
    throw new UsageError(
      `invalid stack name '${stack}': a stack name may only contain letters, digits, hyphens, underscores or periods (at most 100)`,
    );
  }
}

/**
 * Reads Pulumi.yaml and Pulumi.<stack>.yaml the way the CLI would before running a program.
 * `stackDocument` stands in for a stack file that is not written yet (a dry run).
 */
export function loadProjectStack(
  programDir: string,
  stack: string,
  stackDocument?: StackDocument,
): ProjectStack {
  validateStackName(stack);
  const dir = path.resolve(programDir);
  const projectFile = findProjectFile(dir);
  const project = readYamlFile(projectFile);
  const projectName = loadProjectName(dir);
  const configDir = path.join(
    dir,
    typeof project.stackConfigDir === "string" ? project.stackConfigDir : ".",
  );
  const stackConfigFile = stackDocument
    ? path.join(configDir, `Pulumi.${stack}.yaml (not written)`)
    : ["yaml", "yml"]
        .map((ext) => path.join(configDir, `Pulumi.${stack}.${ext}`))
        .find((file) => fs.existsSync(file));
  if (!stackConfigFile) {
    const known = listStacks(configDir);
    throw new UsageError(
      `unknown stack '${stack}': no Pulumi.${stack}.yaml in ${configDir}` +
        (known.length ? ` (stacks here: ${known.join(", ")})` : " (no stack files here)"),
    );
  }
  const stackConfig = ((stackDocument ?? readYamlFile(stackConfigFile)).config ?? {}) as YamlObject;
  const config = projectDefaults(projectName, project);
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(stackConfig)) {
    const fullKey = qualifiedKey(projectName, key);
    if (isSecureValue(value)) {
      config[fullKey] = OFFLINE_SECRET_PLACEHOLDER;
      secretKeys.push(fullKey);
    } else {
      config[fullKey] = configText(value);
    }
  }
  const main = typeof project.main === "string" ? project.main : ".";
  return {
    programDir: dir,
    projectName,
    stack,
    entryPoint: path.resolve(dir, main),
    config,
    secretKeys,
    stackConfigFile,
  };
}

import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs, ParseArgsConfig } from "node:util";
import { errorMessage, UsageError } from "./errors";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Parses flags strictly; any mistake becomes a UsageError that names the flag and the usage. */
export function parseFlags<T extends Options>(argv: string[], options: T, usage: string) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError(`${errorMessage(err)}\n${usage}`);
  }
}

export function requireChoice<T extends string>(
  flag: string,
  value: string,
  allowed: readonly T[],
): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${flag} '${value}' is not supported; allowed: ${allowed.join(", ")}`);
  }
  return value as T;
}

/**
 * A path the user typed, resolved against the directory they ran the command in: npm runs scripts
 * in the project root but sets INIT_CWD to where `npm run` was typed.
 */
export function userPath(typed: string): string {
  return path.resolve(process.env.INIT_CWD ?? process.cwd(), typed);
}

/** Refuses an output file that cannot be written, before a long run would fail at the end. */
export function requireWritable(flag: string, file: string): void {
  const dir = path.dirname(file);
  try {
    if (fs.existsSync(file)) {
      if (fs.statSync(file).isDirectory()) throw new Error("it is a directory");
      fs.accessSync(file, fs.constants.W_OK);
    } else {
      fs.accessSync(dir, fs.constants.W_OK);
    }
  } catch (err) {
    const why =
      (err as NodeJS.ErrnoException).code === "ENOENT"
        ? `${dir} does not exist`
        : errorMessage(err);
    throw new UsageError(`--${flag} ${file}: cannot write there (${why})`);
  }
}

/**
 * Runs a command's main, turning errors into a message on stderr and the error's exit code.
 * `--help` (or `-h`) anywhere prints the command's help on stdout and exits 0.
 */
export function runCli(command: string, main: () => Promise<number>, help?: string): void {
  const argv = process.argv.slice(2);
  if (help && (argv.includes("--help") || argv.includes("-h"))) {
    process.stdout.write(help.endsWith("\n") ? help : `${help}\n`);
    return;
  }
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      // 1 means "mandatory violation" and only main returns it: any error is exit 2.
      const exitCode = (err as { exitCode?: number }).exitCode ?? 2;
      process.stderr.write(`${command}: error: ${errorMessage(err)}\n`);
      process.exitCode = exitCode;
    },
  );
}

/** Progress for people, on stderr so that stdout stays machine-readable. */
export function progress(command: string, message: string): void {
  process.stderr.write(`${command}: ${message}\n`);
}

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

/** Runs a command's main, turning errors into a message on stderr and the error's exit code. */
export function runCli(command: string, main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      const exitCode = (err as { exitCode?: number }).exitCode ?? 1;
      process.stderr.write(`${command}: error: ${errorMessage(err)}\n`);
      process.exitCode = exitCode;
    },
  );
}

/** Progress for people, on stderr so that stdout stays machine-readable. */
export function progress(command: string, message: string): void {
  process.stderr.write(`${command}: ${message}\n`);
}

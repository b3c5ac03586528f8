/** Bad command-line input, unknown stack or unreadable project files: exit code 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The Pulumi program itself failed (bad config, a thrown error): exit code 2. */
export class ProgramError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = "ProgramError";
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

import { execFile } from "node:child_process";
import { PROJECT_ROOT } from "../../tools/engine";

export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one of the project's commands (`tools/<name>.ts`) as `npm run <name>` would, without npm. */
export function runTool(
  script: string,
  args: string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<ToolRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", script, ...args],
      {
        cwd: PROJECT_ROOT,
        encoding: "utf8",
        timeout: options.timeoutMs ?? 90_000,
        maxBuffer: 64 * 1024 * 1024,
        env: options.env ?? process.env,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

import * as path from "node:path";
import { ProgramError } from "../errors";
import type { ProjectStack } from "./project";

/** Frames of the engine, the TypeScript loader and Node itself: never what a user needs to see. */
const TOOLING_FRAME =
  /node:internal|node_modules[\\/]tsx[\\/]|[\\/]tools[\\/]engine[\\/]|^\s*at new Promise \(<anonymous>\)/;
const MAX_FRAMES = 6;

function describeError(err: unknown): { title: string; frames: string[] } {
  if (!(err instanceof Error)) return { title: String(err), frames: [] };
  const title = `${err.name && err.name !== "Error" ? `${err.name}: ` : ""}${err.message}`;
  const frames = (err.stack ?? "")
    .split("\n")
    .filter((line) => /^\s+at /.test(line))
    .map((line) => line.trim());
  return { title, frames };
}

/**
 * The frames worth showing: those in the program's own files first (outside node_modules), with
 * source-mapped file:line; else the first frames that are not tooling (an SDK's validation).
 */
export function programFrames(err: unknown, programDir: string): string[] {
  const frames = describeError(err).frames.filter((frame) => !TOOLING_FRAME.test(frame));
  const own = frames.filter(
    (frame) => frame.includes(programDir + path.sep) && !/node_modules/.test(frame),
  );
  return (own.length > 0 ? own : frames).slice(0, MAX_FRAMES);
}

/** One message for every failure of a program run: each error's own message and its frames. */
export function programFailure(project: ProjectStack, failures: unknown[]): ProgramError {
  const unique = [...new Set(failures)];
  const described = unique.map((failure) => {
    const { title } = describeError(failure);
    const frames = programFrames(failure, project.programDir);
    return [title, ...frames.map((frame) => `    ${frame}`)].join("\n");
  });
  const count = unique.length === 1 ? "" : ` (${unique.length} errors)`;
  return new ProgramError(
    `the Pulumi program in ${project.programDir} failed${count}:\n` + described.join("\n"),
  );
}

/**
 * The Pulumi SDK captures a stack for every resource (`Resource.callsites`, with an unlimited
 * `Error.stackTraceLimit`, @pulumi/pulumi resource.js) and for every output promise
 * (`debuggablePromise`, runtime/debuggable.js). Under tsx each of those stacks is source-mapped
 * frame by frame, which made up about a seventh of a prod recording's CPU time. Under mocks nothing
 * reads them: the mock monitor's `newResource` gets no source position (runtime/mocks.js), and
 * the leak report that reads `_debugStackTrace` only prints at exit, which this engine never
 * reaches. So those two captures get V8's own, unmapped text; every other stack (the program's
 * errors, the SDK's registration errors) keeps its source-mapped frames for failure reports.
 */
const SDK_CAPTURES: readonly { file: RegExp; functionName: string }[] = [
  { file: /[\\/]@pulumi[\\/]pulumi[\\/]resource\.js$/, functionName: "callsites" },
  {
    file: /[\\/]@pulumi[\\/]pulumi[\\/]runtime[\\/]debuggable\.js$/,
    functionName: "debuggablePromise",
  },
];

function isSdkCapture(frames: NodeJS.CallSite[]): boolean {
  const top = frames[0];
  if (!top) return false;
  const functionName = top.getFunctionName() ?? "";
  const file = top.getFileName() ?? "";
  return SDK_CAPTURES.some(
    (capture) => capture.functionName === functionName && capture.file.test(file),
  );
}

/** The text V8 writes without a prepareStackTrace hook. */
function plainStack(error: Error, frames: NodeJS.CallSite[]): string {
  const head = Error.prototype.toString.call(error);
  return [head, ...frames.map((frame) => `    at ${String(frame)}`)].join("\n");
}

/**
 * Installs the unmapped fast path in front of Node's own formatter, which applies the source maps
 * (Node exposes it as the default `Error.prepareStackTrace`); without it, nothing changes.
 */
export function formatSdkCapturesUnmapped(): void {
  const mapped = Error.prepareStackTrace;
  if (!mapped) return;
  Error.prepareStackTrace = (error, frames) =>
    isSdkCapture(frames) ? plainStack(error, frames) : mapped(error, frames);
}

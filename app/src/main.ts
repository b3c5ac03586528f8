import { AppConfigError, loadConfig } from "./config";
import { startApp } from "./app";
import { redactUrls } from "./redact";

/** Exit code of every start-up failure: bad config, a port in use, a host that does not resolve. */
const STARTUP_FAILURE = 2;

function fail(message: string): never {
  process.stderr.write(`items-api: ${redactUrls(message)}\n`);
  process.exit(STARTUP_FAILURE);
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof AppConfigError) fail(err.message);
    throw err;
  }
  const app = await startApp(config);
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      app.stop().then(
        () => process.exit(0),
        (err: unknown) => {
          app.logger.error({ err }, "shutdown failed");
          process.exit(1);
        },
      );
    });
  }
}

// Whatever stops the start (StartupError or anything else before the service listens) is one clear
// line and exit code 2, never a stack trace.
main().catch((err: unknown) =>
  fail(`failed to start: ${err instanceof Error ? err.message : String(err)}`),
);

/* npm run env -- create|list|destroy|reap: ephemeral environments (see README, "Ephemeral environments") */
import { parseFlags, progress, requireChoice, runCli } from "../cli";
import { PROJECT_ROOT } from "../engine";
import { UsageError } from "../errors";
import { checkStack } from "../policy-check";
import { automationBackend } from "../env/backend";
import { create, destroy, list, reap, type EnvContext } from "../env/commands";

const USAGE = [
  "usage: npm run env -- <verb> ...",
  "  create <name> --owner <who> [--ttl 8h] [--from dev] [--dry-run] [--outputs <file>]",
  "  list [--format table|json]",
  "  destroy <name>",
  "  reap [--dry-run]",
].join("\n");
const HELP = `${USAGE}

Ephemeral environments: short-lived stacks derived from dev (or another base) with the cheapest
settings that pass the mandatory controls, tagged with an owner and an expiry.
  create    derive the stack, check it offline with the policy pack, then pulumi up
            (--dry-run: print the stack file and the check report, write nothing)
  list      the ephemeral stacks of the backend with owner and expiry
  destroy   destroy an ephemeral stack and remove it
  reap      destroy every ephemeral stack past its expiry (--dry-run: only list them)
  --ttl     1h to 7d, written 8h, 2d, 1d12h or 90m (default 8h)

Exit codes: 0 done; 1 a check found a mandatory violation, or reap left stacks behind;
2 usage error, no Pulumi CLI, or a failure of the program, the pack or the backend.`;
const VERBS = ["create", "list", "destroy", "reap"] as const;

/** The positional name of create/destroy: present, and not a flag. */
function nameArgument(verb: string, argv: string[]): [string, string[]] {
  const [name, ...rest] = argv;
  if (name === undefined || name.startsWith("-")) {
    throw new UsageError(`${verb} needs a name first, e.g. pr-42\n${USAGE}`);
  }
  return [name, rest];
}

const context: EnvContext = {
  root: PROJECT_ROOT,
  now: () => new Date(),
  backend: (verb) => automationBackend(PROJECT_ROOT, verb),
  check: checkStack,
  stdout: (text) => process.stdout.write(text),
  progress: (message) => progress("env", message),
  stream: (text) => process.stderr.write(text),
};

async function main(): Promise<number> {
  const [verbArgument, ...argv] = process.argv.slice(2);
  if (verbArgument === undefined) throw new UsageError(`a verb is required\n${USAGE}`);
  const verb = requireChoice("verb", verbArgument, VERBS);
  switch (verb) {
    case "create": {
      const [name, rest] = nameArgument(verb, argv);
      const flags = parseFlags(
        rest,
        {
          owner: { type: "string" },
          ttl: { type: "string", default: "8h" },
          from: { type: "string", default: "dev" },
          "dry-run": { type: "boolean", default: false },
          outputs: { type: "string" },
        },
        USAGE,
      );
      if (!flags.owner) throw new UsageError(`create needs --owner <who>\n${USAGE}`);
      return create(
        {
          name,
          owner: flags.owner,
          ttl: flags.ttl as string,
          from: flags.from as string,
          dryRun: flags["dry-run"] as boolean,
          outputs: flags.outputs,
        },
        context,
      );
    }
    case "list": {
      const flags = parseFlags(argv, { format: { type: "string", default: "table" } }, USAGE);
      return list(requireChoice("format", flags.format as string, ["table", "json"]), context);
    }
    case "destroy": {
      const [name, rest] = nameArgument(verb, argv);
      parseFlags(rest, {}, USAGE);
      return destroy(name, context);
    }
    case "reap": {
      const flags = parseFlags(argv, { "dry-run": { type: "boolean", default: false } }, USAGE);
      return reap(flags["dry-run"] as boolean, context);
    }
  }
}

runCli("env", main, HELP);

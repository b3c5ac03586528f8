import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation";
import { DEFAULT_PACK_DIR } from "../analyzer";
import { EPHEMERAL_TAGS } from "./tags";

/** Where a Pulumi backend keeps stacks: the Automation API in production, a fake in tests. */
export interface StackBackend {
  /** Every stack's tags, by stack name. */
  stackTags(): Promise<Map<string, Record<string, string>>>;
  /** Tags of one stack; undefined when it does not exist. */
  tagsOf(stack: string): Promise<Record<string, string> | undefined>;
  /** Creates or selects the stack (its Pulumi.<stack>.yaml is written), tags it and runs `up`. */
  deploy(request: DeployRequest): Promise<Record<string, unknown>>;
  /** `pulumi destroy`, then removes the stack and its stack file. */
  destroy(stack: string, onOutput: (text: string) => void): Promise<void>;
}

export interface DeployRequest {
  stack: string;
  tags: Record<string, string>;
  policyConfigFile: string;
  onOutput: (text: string) => void;
}

/** Raised before anything else happens when a verb needs the Pulumi CLI and there is none. */
export class MissingCliError extends Error {
  readonly exitCode = 2;
  constructor(verb: string) {
    super(
      `'${verb}' needs the Pulumi CLI, and there is no 'pulumi' on PATH or in ~/.pulumi/bin.\n` +
        `  Install it: curl -fsSL https://get.pulumi.com | sh   (or see https://www.pulumi.com/docs/install/)\n` +
        `  then log in to a backend (pulumi login). 'create --dry-run' works without it.`,
    );
    this.name = "MissingCliError";
  }
}

const installerRoot = (env: NodeJS.ProcessEnv) => path.join(env.HOME ?? os.homedir(), ".pulumi");

/** The `pulumi` executable the Automation API would run, if there is one. */
export function findPulumiCli(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [
    ...(env.PATH ?? "").split(path.delimiter).filter(Boolean),
    path.join(installerRoot(env), "bin"),
  ].map((dir) => path.join(dir, "pulumi"));
  return candidates.find((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  });
}

/** The real backend: whatever `pulumi login` points at, through `@pulumi/pulumi/automation`. */
export async function automationBackend(workDir: string, verb: string): Promise<StackBackend> {
  const cli = findPulumiCli();
  if (!cli) throw new MissingCliError(verb);
  // On PATH: the Automation API runs `pulumi`; else the installer's ~/.pulumi/bin/pulumi.
  const onPath = cli !== path.join(installerRoot(process.env), "bin", "pulumi");
  const pulumiCommand = await PulumiCommand.get(onPath ? {} : { root: installerRoot(process.env) });
  const workspace = await LocalWorkspace.create({ workDir, pulumiCommand });
  const select = (stack: string) =>
    LocalWorkspace.selectStack({ stackName: stack, workDir }, { pulumiCommand });
  const tagsOf = async (stack: string) => {
    const known = await workspace.listStacks();
    return known.some((summary) => summary.name === stack) ? workspace.listTags(stack) : undefined;
  };
  return {
    async stackTags() {
      const stacks = await workspace.listStacks();
      const tagged = new Map<string, Record<string, string>>();
      for (const summary of stacks)
        tagged.set(summary.name, await workspace.listTags(summary.name));
      return tagged;
    },
    tagsOf,
    async deploy(request) {
      const stack = await LocalWorkspace.createOrSelectStack(
        { stackName: request.stack, workDir },
        { pulumiCommand },
      );
      for (const [name, value] of Object.entries(request.tags)) {
        await workspace.setTag(request.stack, name, value);
      }
      const result = await stack.up({
        onOutput: request.onOutput,
        color: "auto",
        policyPacks: [DEFAULT_PACK_DIR],
        policyPackConfigs: [request.policyConfigFile],
        message: `ephemeral environment ${request.stack} (${request.tags[EPHEMERAL_TAGS.owner]})`,
      });
      return Object.fromEntries(
        Object.entries(result.outputs)
          .filter(([, output]) => !output.secret)
          .map(([name, output]) => [name, output.value as unknown]),
      );
    },
    async destroy(stack, onOutput) {
      const selected = await select(stack);
      await selected.destroy({ onOutput, color: "auto" });
      await workspace.removeStack(stack);
    },
  };
}

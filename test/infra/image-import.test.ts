import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { IMPORT_COMMAND, sourceImage, targetImage } from "../../infra/azure/image-import";
import { resourceNames } from "../../infra/naming";
import {
  PROJECT_ROOT,
  runProgram,
  type RecordedStack,
  type ResourceRecord,
  type StackDocument,
} from "../../tools/engine";
import { MOCK_SUBSCRIPTION_ID } from "../../tools/engine/mocks";
import { inputsOf, resourcesOfType, STACKS } from "../support/stacks";

const COMMAND = "command:local:Command";
const IMAGE_IMPORT = "platform:azure:ImageImport";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const DIGEST = `sha256:${"ab12".repeat(16)}`;

describe("image references for az acr import", () => {
  it("imports a tag as the same tag", () => {
    const image = { repository: "apps/items-api", tag: "1.4.2" };
    expect(sourceImage(image)).toBe("apps/items-api:1.4.2");
    expect(targetImage(image)).toBe("apps/items-api:1.4.2");
  });

  it("imports a digest pinned, under its tag or a tag named by the digest", () => {
    const digestOnly = { repository: "apps/items-api", digest: DIGEST };
    expect(sourceImage(digestOnly)).toBe(`apps/items-api@${DIGEST}`);
    expect(targetImage(digestOnly)).toBe(`apps/items-api:sha256-${"ab12".repeat(16)}`);
    const both = { ...digestOnly, tag: "1.4.2" };
    expect(sourceImage(both)).toBe(`apps/items-api@${DIGEST}`);
    expect(targetImage(both)).toBe("apps/items-api:1.4.2");
  });

  it("refuses an image without tag or digest", () => {
    expect(() => sourceImage({ repository: "apps/items-api" })).toThrow(/tag or a digest/);
    expect(() => targetImage({ repository: "apps/items-api" })).toThrow(/tag or a digest/);
  });
});

describe("the import command in a shell", () => {
  const binDir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-az-"));
  const fakeAz = path.join(binDir, "az");
  fs.writeFileSync(fakeAz, "#!/bin/sh\nprintf '%s\\n' \"$@\"\n", { mode: 0o755 });
  afterAll(() => fs.rmSync(binDir, { recursive: true, force: true }));

  /** The arguments `az` receives when the command runs with these environment values. */
  const argvOf = (values: Record<string, string>) =>
    execFileSync("/bin/sh", ["-c", IMPORT_COMMAND], {
      env: { PATH: `${binDir}:${process.env.PATH}`, ...values },
      encoding: "utf8",
    })
      .trimEnd()
      .split("\n");

  it("passes every value as one argument, taken literally", () => {
    const hostile = 'acr"; touch /tmp/pwned-$(id -u); echo "';
    const argv = argvOf({
      SUBSCRIPTION_ID: MOCK_SUBSCRIPTION_ID,
      TARGET_RESOURCE_GROUP: "rg-contoso-pr-42",
      TARGET_REGISTRY: "acrcontosopr42",
      SOURCE_REGISTRY: hostile,
      SOURCE_IMAGE: "apps/items-api:dev",
      TARGET_IMAGE: "apps/items-api:dev $(whoami)",
    });
    expect(argv).toEqual([
      "acr",
      "import",
      "--subscription",
      MOCK_SUBSCRIPTION_ID,
      "--resource-group",
      "rg-contoso-pr-42",
      "--name",
      "acrcontosopr42",
      "--registry",
      hostile,
      "--source",
      "apps/items-api:dev",
      "--image",
      "apps/items-api:dev $(whoami)",
      "--force",
    ]);
  });
});

function stackDocument(stack: "dev" | "prod", changes: Record<string, unknown>): StackDocument {
  const text = fs.readFileSync(path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`), "utf8");
  const document = parseYaml(text) as { config: Record<string, unknown> };
  return { config: { ...document.config, ...changes } };
}

/** A stack derived from a base stack file, as `npm run env` makes one: own names, importFrom. */
async function recordImportingStack(
  base: "dev" | "prod",
  environment: string,
  app: Record<string, unknown>,
): Promise<RecordedStack> {
  const document = stackDocument(base, {
    "aks-devsecops:environment": environment,
    "aks-devsecops:app": app,
  });
  return runProgram({ stack: environment, stackDocument: document, mode: "resolved" });
}

const appOf = (base: "dev" | "prod") =>
  stackDocument(base, {}).config!["aks-devsecops:app"] as Record<string, unknown>;

const tagged = { ...appOf("dev"), importFrom: "acrcontosodev" };
const pinned = { ...appOf("prod"), digest: DIGEST, importFrom: "acrcontosoprod" };

function only(recorded: RecordedStack, type: string): ResourceRecord {
  const found = resourcesOfType(recorded, type);
  expect(found, type).toHaveLength(1);
  return found[0];
}

function named(recorded: RecordedStack, name: string): ResourceRecord {
  const found = recorded.resources.find((resource) => resource.name === name);
  if (!found) throw new Error(`no resource named ${name}`);
  return found;
}

describe("a stack with app.importFrom", async () => {
  const [fromDev, fromProd] = await Promise.all([
    recordImportingStack("dev", "pr-42", tagged),
    recordImportingStack("prod", "pr-7", pinned),
  ]);

  describe.each([
    {
      label: "a tag, from dev",
      recorded: fromDev,
      environment: "pr-42",
      app: tagged,
      source: "apps/items-api:dev",
      target: "apps/items-api:dev",
      ref: ":dev",
    },
    {
      label: "a digest, from prod",
      recorded: fromProd,
      environment: "pr-7",
      app: pinned,
      source: `apps/items-api@${DIGEST}`,
      target: `apps/items-api:${DIGEST.replace(":", "-")}`,
      ref: `@${DIGEST}`,
    },
  ])("importing $label", ({ recorded, environment, app, source, target, ref }) => {
    const ownRegistry = resourceNames("contoso", environment).registry;

    it("runs az acr import into the stack's registry with values from the environment", () => {
      const command = only(recorded, COMMAND);
      const inputs = inputsOf(command);
      expect(inputs.create).toBe(IMPORT_COMMAND);
      expect(inputs.create).not.toContain(String(app.importFrom));
      expect(inputs.create).not.toContain("items-api");
      expect(inputs.environment).toEqual({
        SUBSCRIPTION_ID: MOCK_SUBSCRIPTION_ID,
        TARGET_RESOURCE_GROUP: `rg-contoso-${environment}`,
        TARGET_REGISTRY: ownRegistry,
        SOURCE_REGISTRY: app.importFrom,
        SOURCE_IMAGE: source,
        TARGET_IMAGE: target,
      });
      expect(inputs.delete).toBeUndefined();
      expect(command.parent).toBe(only(recorded, IMAGE_IMPORT).urn);
    });

    it("imports again when the image or a registry changes", () => {
      const { triggers } = inputsOf(only(recorded, COMMAND));
      expect(triggers).toEqual(expect.arrayContaining([source, target, app.importFrom]));
      expect(triggers).toContain(ownRegistry);
    });

    it("runs after the registry exists", () => {
      const command = only(recorded, COMMAND);
      const registry = named(recorded, "registry-acr");
      expect(command.dependencies).toContain(registry.urn);
      expect(command.propertyDependencies.environment).toContain(registry.urn);
    });

    it("deploys the app after the import, with the imported image", () => {
      const command = only(recorded, COMMAND);
      const deployment = only(recorded, DEPLOYMENT);
      expect(deployment.dependencies).toContain(command.urn);
      expect(deployment.propertyDependencies.spec).toContain(command.urn);
      const [container] = inputsOf(deployment).spec.template.spec.containers;
      expect(container.image).toBe(`${ownRegistry}.azurecr.io/apps/items-api${ref}`);
      expect(recorded.outputs.appImage.value).toBe(container.image);
      expect(named(recorded, "app").dependencies).toContain(command.urn);
    });
  });
});

describe.each(STACKS)("without app.importFrom (%s)", (stack) => {
  it("declares no import and deploys the image already in its registry", () => {
    expect(resourcesOfType(stack, COMMAND)).toEqual([]);
    expect(resourcesOfType(stack, IMAGE_IMPORT)).toEqual([]);
  });
});

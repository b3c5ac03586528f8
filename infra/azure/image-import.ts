import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";

/** The app image as config names it: a repository with a tag, a digest or both. */
export interface ImageSource {
  repository: string;
  tag?: string;
  digest?: string;
}

export interface ImageImportArgs {
  /** The subscription of the stack; the source registry is looked up by name in it too. */
  subscriptionId: pulumi.Input<string>;
  /** Resource group and name of the registry the image is copied into (the stack's own). */
  resourceGroupName: pulumi.Input<string>;
  targetRegistryName: pulumi.Input<string>;
  targetLoginServer: pulumi.Input<string>;
  /** Name of an existing Azure Container Registry in the same subscription. */
  sourceRegistryName: string;
  image: ImageSource;
}

/**
 * The shell command, fixed text: every value reaches it through the environment and is quoted,
 * so no config value becomes shell syntax (config.ts also restricts each value by a regex).
 * `--registry` takes the source registry's name, so `--source` is `<repo>:<tag>` or
 * `<repo>@sha256:...` without a login server; `--force` lets a re-import move an existing tag.
 */
export const IMPORT_COMMAND = [
  "az acr import",
  '--subscription "$SUBSCRIPTION_ID"',
  '--resource-group "$TARGET_RESOURCE_GROUP"',
  '--name "$TARGET_REGISTRY"',
  '--registry "$SOURCE_REGISTRY"',
  '--source "$SOURCE_IMAGE"',
  '--image "$TARGET_IMAGE"',
  "--force",
].join(" ");

/** `<repo>@sha256:...` when a digest is given (it pins the content), else `<repo>:<tag>`. */
export function sourceImage({ repository, tag, digest }: ImageSource): string {
  if (digest) return `${repository}@${digest}`;
  if (tag) return `${repository}:${tag}`;
  throw new Error(`image ${repository} needs a tag or a digest`);
}

/**
 * `--image` (repo:tag) for the copy. Without `--image` a digest import is tagged `latest`; with
 * `--repository` instead it stays untagged, and a registry's untagged retention policy would
 * delete it. So a digest without a tag gets the tag `sha256-<hex>`, named by its content.
 */
export function targetImage({ repository, tag, digest }: ImageSource): string {
  const targetTag = tag ?? digest?.replace(":", "-");
  if (!targetTag) throw new Error(`image ${repository} needs a tag or a digest`);
  return `${repository}:${targetTag}`;
}

/**
 * Copies the app image from another registry of the subscription into the stack's registry with
 * `az acr import`, during `pulumi up`, so the stack's workload pulls only from its own registry
 * (K8S-05). The machine running `pulumi up` needs the Azure CLI, logged in. There is no delete
 * command: the copy goes away with the registry.
 */
export class ImageImport extends pulumi.ComponentResource {
  /**
   * `<target login server>/<repo>@<digest>` (or `:<tag>`). A resource that takes it depends on
   * the import, so it is created after the copy. The value comes from the command's URN, not its
   * outputs, so a preview (and the policy pack) sees the image even before the import has run.
   */
  readonly imageReference: pulumi.Output<string>;

  constructor(name: string, args: ImageImportArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:azure:ImageImport", name, {}, opts);
    const source = sourceImage(args.image);
    const target = targetImage(args.image);
    const importCommand = new command.local.Command(
      `${name}-az-acr-import`,
      {
        create: IMPORT_COMMAND,
        environment: {
          SUBSCRIPTION_ID: args.subscriptionId,
          TARGET_RESOURCE_GROUP: args.resourceGroupName,
          TARGET_REGISTRY: args.targetRegistryName,
          SOURCE_REGISTRY: args.sourceRegistryName,
          SOURCE_IMAGE: source,
          TARGET_IMAGE: target,
        },
        // A new tag, digest, source or target registry replaces the resource: the import runs again.
        triggers: [args.targetRegistryName, args.sourceRegistryName, source, target],
      },
      { parent: this },
    );
    this.imageReference = pulumi
      .all([importCommand.urn, args.targetLoginServer])
      .apply(([, loginServer]) => `${loginServer}/${source}`);
    this.registerOutputs({ imageReference: this.imageReference });
  }
}

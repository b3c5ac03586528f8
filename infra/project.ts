/** The Pulumi project name (Pulumi.yaml): the namespace of its stack config keys. */
export { PLATFORM_PROJECT as PROJECT } from "../policy-pack/facts/config-keys";

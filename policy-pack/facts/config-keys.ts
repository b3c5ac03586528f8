/**
 * The contract between stack config and policies: the stack config keys the pack reads, in the
 * checked project's own namespace (`<project>:<key>`).
 */

/** This platform's Pulumi project (Pulumi.yaml `name`): the namespace of its stack config keys. */
export const PLATFORM_PROJECT = "aks-devsecops";

/** GEN-02: the regions a stack may use (a JSON array, as PULUMI_CONFIG gives it). */
export const ALLOWED_LOCATIONS_KEY = "allowedLocations";

/** `<project>:<key>`, as the CLI passes stack config to the pack. */
export function stackConfigKey(project: string, key: string): string {
  return `${project}:${key}`;
}

/** The azure-native provider's default region (`pulumi config set azure-native:location`). */
export const PROVIDER_LOCATION_KEY = "azure-native:location";

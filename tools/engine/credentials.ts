import type { ProjectStack } from "./project";

/** Config keys whose last segment names a credential (`github:token`, `db:adminPassword`). */
const CREDENTIAL_KEY =
  /(token|password|passwd|secret|apikey|api-key|accesskey|access-key|clientsecret|connectionstring|privatekey|private-key)$/i;

/** Values shaped like well-known credentials, whatever their key. */
const CREDENTIAL_VALUES: [string, RegExp][] = [
  ["a GitHub token", /^(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})$/],
  ["a Pulumi access token", /^pul-[a-f0-9]{40}$/],
  ["a JSON web token", /^eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*$/],
  ["a connection string with a password", /(^|;)\s*(password|pwd|accountkey)\s*=\s*[^;]+/i],
  ["a URL with a password", /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i],
];

/**
 * Plain-text config values that look like credentials: they sit unencrypted in the stack file and
 * reach every log of the program. Each warning names the key and the fix, never the value.
 */
export function plainTextCredentialWarnings(project: ProjectStack): string[] {
  const warnings: string[] = [];
  for (const [key, value] of Object.entries(project.config)) {
    if (project.secretKeys.includes(key) || value.trim() === "") continue;
    const lastSegment = key.split(":").pop() ?? key;
    const shape = CREDENTIAL_VALUES.find(([, pattern]) => pattern.test(value.trim()))?.[0];
    if (!shape && !CREDENTIAL_KEY.test(lastSegment)) continue;
    warnings.push(
      `config '${key}' ${shape ? `looks like ${shape}` : "names a credential"} but is stored in plain text in ${project.stackConfigFile}; ` +
        `store it encrypted with \`pulumi config set --secret ${key}\``,
    );
  }
  return warnings;
}

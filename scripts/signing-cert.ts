/*
 * The Notation signing certificate in Key Vault: create it, rotate it, list its versions.
 *
 *   npm run signing-cert -- create   --vault kv-contoso-prod --name notation-signing \
 *                                     --subject "CN=contoso-platform-release,O=Contoso,ST=North Holland,C=NL"
 *   npm run signing-cert -- rotate   --vault kv-contoso-prod --name notation-signing
 *   npm run signing-cert -- versions --vault kv-contoso-prod --name notation-signing
 *
 * Signs in with DefaultAzureCredential (az login, or workload identity in CI) and needs
 * Key Vault Certificates Officer on the vault. Talks to Key Vault's data plane only.
 */
import type {
  CertificatePolicy,
  CertificateProperties,
  KeyVaultCertificate,
} from "@azure/keyvault-certificates";
import { notationSubjectProblems } from "../infra/config";
import { parseFlags, runCli } from "../tools/cli";
import { UsageError } from "../tools/errors";

/** X.509 extended key usage for code signing: Notation refuses signing certificates without it. */
export const CODE_SIGNING_EKU = "1.3.6.1.5.5.7.3.3";
export const KEY_SIZES = [3072, 4096] as const;

const USAGE = `usage: npm run signing-cert -- <create|rotate|versions> --vault <name|https://<name>.vault.azure.net> --name <certificate>
       [--subject "CN=...,O=...,ST=...,C=.."] [--validity-months 12] [--key-size 3072|4096]`;

export type Command =
  | { action: "create"; vaultUrl: string; name: string; policy: SigningPolicyOptions }
  | { action: "rotate"; vaultUrl: string; name: string; policy: Partial<SigningPolicyOptions> }
  | { action: "versions"; vaultUrl: string; name: string };

export interface SigningPolicyOptions {
  subject: string;
  validityMonths: number;
  keySize: (typeof KEY_SIZES)[number];
}

/**
 * The policy Notation needs: a self-issued RSA certificate (3072 bits or more) for digital
 * signatures with the code-signing EKU. The private key never leaves Key Vault (not
 * exportable), so the secret endpoint Ratify reads serves only the public certificate, and each
 * rotation makes a new key.
 */
export function signingCertificatePolicy(options: SigningPolicyOptions): CertificatePolicy {
  return {
    issuerName: "Self",
    subject: options.subject,
    keyType: "RSA",
    keySize: options.keySize,
    exportable: false,
    reuseKey: false,
    contentType: "application/x-pem-file",
    keyUsage: ["digitalSignature"],
    enhancedKeyUsage: [CODE_SIGNING_EKU],
    validityInMonths: options.validityMonths,
    // Rotation is deliberate (the verifier's trust follows it): remind, never renew silently.
    lifetimeActions: [{ action: "EmailContacts", daysBeforeExpiry: 30 }],
  };
}

/** A vault name or URL as the SDK wants it. */
export function vaultUrlOf(vault: string): string {
  if (/^https:\/\/[a-z0-9-]+\.vault\.azure\.net\/?$/i.test(vault))
    return vault.replace(/\/?$/, "/");
  if (/^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/.test(vault))
    return `https://${vault}.vault.azure.net/`;
  throw new UsageError(`--vault '${vault}' is neither a Key Vault name nor its https URL`);
}

function requireFlag(flags: Record<string, unknown>, flag: string): string {
  const value = flags[flag];
  if (typeof value !== "string" || value === "")
    throw new UsageError(`--${flag} is required\n${USAGE}`);
  return value;
}

function checkedSubject(subject: string): string {
  const problems = notationSubjectProblems(subject);
  if (problems.length > 0) throw new UsageError(`--subject '${subject}': ${problems.join("; ")}`);
  return subject;
}

function checkedMonths(text: string): number {
  const months = Number(text);
  if (!Number.isInteger(months) || months < 1 || months > 60) {
    throw new UsageError(`--validity-months '${text}' must be a whole number of months, 1-60`);
  }
  return months;
}

function checkedKeySize(text: string): SigningPolicyOptions["keySize"] {
  const size = Number(text);
  const allowed = KEY_SIZES.find((known) => known === size);
  if (allowed === undefined) {
    throw new UsageError(
      `--key-size '${text}' is not allowed; use ${KEY_SIZES.join(" or ")} (RSA)`,
    );
  }
  return allowed;
}

/** Parses `<action> --flag value ...`; every mistake is a UsageError naming the flag. */
export function parseCommand(argv: string[]): Command {
  const [action, ...rest] = argv;
  if (action !== "create" && action !== "rotate" && action !== "versions") {
    throw new UsageError(`unknown command '${action ?? ""}'\n${USAGE}`);
  }
  const flags = parseFlags(
    rest,
    {
      vault: { type: "string" },
      name: { type: "string" },
      subject: { type: "string" },
      "validity-months": { type: "string" },
      "key-size": { type: "string" },
    },
    USAGE,
  );
  const target = {
    vaultUrl: vaultUrlOf(requireFlag(flags, "vault")),
    name: requireFlag(flags, "name"),
  };
  if (!/^[0-9A-Za-z-]{1,127}$/.test(target.name)) {
    throw new UsageError(`--name '${target.name}': letters, digits and '-' only (Key Vault names)`);
  }
  const months = flags["validity-months"];
  const size = flags["key-size"];
  if (action === "versions") return { action, ...target };
  if (action === "create") {
    const policy = {
      subject: checkedSubject(requireFlag(flags, "subject")),
      validityMonths: months === undefined ? 12 : checkedMonths(months),
      keySize: size === undefined ? 3072 : checkedKeySize(size),
    } as const;
    return { action, ...target, policy };
  }
  const policy: Partial<SigningPolicyOptions> = {};
  if (flags.subject !== undefined) policy.subject = checkedSubject(flags.subject);
  if (months !== undefined) policy.validityMonths = checkedMonths(months);
  if (size !== undefined) policy.keySize = checkedKeySize(size);
  return { action, ...target, policy };
}

/** The part of the Key Vault certificate client the script uses (faked in tests). */
export interface CertificateStore {
  beginCreateCertificate(
    name: string,
    policy: CertificatePolicy,
  ): Promise<{ pollUntilDone(): Promise<KeyVaultCertificate> }>;
  getCertificate(name: string): Promise<KeyVaultCertificate & { policy?: CertificatePolicy }>;
  listPropertiesOfCertificateVersions(name: string): AsyncIterable<CertificateProperties>;
}

function isNotFound(err: unknown): boolean {
  return (err as { statusCode?: number }).statusCode === 404;
}

async function existing(store: CertificateStore, name: string) {
  try {
    return await store.getCertificate(name);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

function trustNote(name: string, previous: string | undefined): string {
  const base =
    `Ratify trusts the latest version of '${name}' (it re-reads Key Vault every hour), ` +
    "plus the versions listed in imageIntegrity.signingCertificate.previousVersions.";
  return previous
    ? `${base}\nImages signed with ${previous} fail verification unless you add "${previous}" there ` +
        "until they are re-signed or replaced; then remove it."
    : base;
}

/** Runs a command against the store and returns the lines to print. */
export async function runCommand(command: Command, store: CertificateStore): Promise<string[]> {
  const current = await existing(store, command.name);
  if (command.action === "versions") {
    if (!current) throw new UsageError(`no certificate '${command.name}' in ${command.vaultUrl}`);
    return [
      ...(await versionLines(store, command.name, current.properties.version)),
      trustNote(command.name, undefined),
    ];
  }
  if (command.action === "create" && current) {
    throw new UsageError(
      `'${command.name}' exists (version ${current.properties.version}); use rotate`,
    );
  }
  if (command.action === "rotate" && !current) {
    throw new UsageError(`no certificate '${command.name}' to rotate; use create`);
  }
  const policy = signingCertificatePolicy(
    command.action === "create" ? command.policy : rotationOptions(command.policy, current?.policy),
  );
  const poller = await store.beginCreateCertificate(command.name, policy);
  const created = await poller.pollUntilDone();
  const previous = current?.properties.version;
  return [
    `${command.action === "create" ? "created" : "rotated"} ${command.name}: version ${created.properties.version}` +
      (previous ? ` (previous ${previous})` : ""),
    `signing key id: ${command.vaultUrl}keys/${command.name}`,
    trustNote(command.name, previous),
  ];
}

/** A rotation keeps the current subject, validity and key size unless flags change them. */
export function rotationOptions(
  changes: Partial<SigningPolicyOptions>,
  current: CertificatePolicy | undefined,
): SigningPolicyOptions {
  const subject = changes.subject ?? current?.subject;
  if (!subject) throw new UsageError("the current policy has no subject: pass --subject");
  const keySize = changes.keySize ?? (current?.keySize === 4096 ? 4096 : 3072);
  return {
    subject,
    validityMonths: changes.validityMonths ?? current?.validityInMonths ?? 12,
    keySize,
  };
}

async function versionLines(store: CertificateStore, name: string, latest: string | undefined) {
  const versions: CertificateProperties[] = [];
  for await (const properties of store.listPropertiesOfCertificateVersions(name))
    versions.push(properties);
  versions.sort((a, b) => (b.createdOn?.getTime() ?? 0) - (a.createdOn?.getTime() ?? 0));
  return versions.map((version) =>
    [
      version.version,
      `created ${version.createdOn?.toISOString() ?? "?"}`,
      `expires ${version.expiresOn?.toISOString() ?? "?"}`,
      version.enabled === false ? "disabled" : "enabled",
      version.version === latest ? "(latest)" : "",
    ]
      .join("  ")
      .trimEnd(),
  );
}

async function main(): Promise<number> {
  const command = parseCommand(process.argv.slice(2));
  const { DefaultAzureCredential } = await import("@azure/identity");
  const { CertificateClient } = await import("@azure/keyvault-certificates");
  const client = new CertificateClient(command.vaultUrl, new DefaultAzureCredential());
  for (const line of await runCommand(command, client)) process.stdout.write(`${line}\n`);
  return 0;
}

if (require.main === module) runCli("signing-cert", main);

import type {
  CertificatePolicy,
  CertificateProperties,
  KeyVaultCertificate,
} from "@azure/keyvault-certificates";
import { describe, expect, it } from "vitest";
import {
  CertificateStore,
  CODE_SIGNING_EKU,
  parseCommand,
  rotationOptions,
  runCommand,
  signingCertificatePolicy,
  vaultUrlOf,
} from "../../scripts/signing-cert";
import { UsageError } from "../../tools/errors";

const SUBJECT = "CN=contoso-release,O=Contoso,ST=North Holland,C=NL";
const VAULT = ["--vault", "kv-contoso-prod", "--name", "notation-signing"];

/** An in-memory vault: each create adds a version, like Key Vault does. */
class FakeVault implements CertificateStore {
  readonly created: CertificatePolicy[] = [];
  private readonly versions: { version: string; createdOn: Date; policy: CertificatePolicy }[] = [];

  constructor(existingPolicy?: CertificatePolicy) {
    if (existingPolicy) this.addVersion(existingPolicy);
  }

  private addVersion(policy: CertificatePolicy) {
    const version = `${this.versions.length + 1}`.padStart(32, "0");
    this.versions.push({
      version,
      createdOn: new Date(Date.UTC(2025, 0, this.versions.length + 1)),
      policy,
    });
    return version;
  }

  private certificate(index: number): KeyVaultCertificate & { policy: CertificatePolicy } {
    const { version, policy } = this.versions[index];
    return { name: "notation-signing", properties: { version }, policy };
  }

  async beginCreateCertificate(_name: string, policy: CertificatePolicy) {
    this.created.push(policy);
    this.addVersion(policy);
    const done = this.certificate(this.versions.length - 1);
    return { pollUntilDone: async () => done };
  }

  async getCertificate(name: string) {
    if (this.versions.length === 0) {
      throw Object.assign(new Error(`${name} not found`), { statusCode: 404 });
    }
    return this.certificate(this.versions.length - 1);
  }

  async *listPropertiesOfCertificateVersions(): AsyncIterable<CertificateProperties> {
    for (const { version, createdOn } of this.versions) yield { version, createdOn, enabled: true };
  }
}

describe("signing certificate policy", () => {
  it("is what Notation needs: self-issued RSA code-signing key that never leaves Key Vault", () => {
    const policy = signingCertificatePolicy({ subject: SUBJECT, validityMonths: 6, keySize: 4096 });
    expect(policy).toMatchObject({
      issuerName: "Self",
      subject: SUBJECT,
      keyType: "RSA",
      keySize: 4096,
      exportable: false,
      reuseKey: false,
      keyUsage: ["digitalSignature"],
      enhancedKeyUsage: [CODE_SIGNING_EKU],
      validityInMonths: 6,
    });
    expect(CODE_SIGNING_EKU).toBe("1.3.6.1.5.5.7.3.3");
    expect(policy.lifetimeActions).toEqual([{ action: "EmailContacts", daysBeforeExpiry: 30 }]);
  });
});

describe("signing-cert arguments", () => {
  it("parses create with defaults: 12 months, RSA 3072", () => {
    expect(parseCommand(["create", ...VAULT, "--subject", SUBJECT])).toEqual({
      action: "create",
      vaultUrl: "https://kv-contoso-prod.vault.azure.net/",
      name: "notation-signing",
      policy: { subject: SUBJECT, validityMonths: 12, keySize: 3072 },
    });
  });

  it("accepts a vault URL and explicit validity and key size", () => {
    const command = parseCommand([
      "create",
      "--vault",
      "https://kv-contoso-prod.vault.azure.net",
      "--name",
      "notation-signing",
      "--subject",
      SUBJECT,
      "--validity-months",
      "24",
      "--key-size",
      "4096",
    ]);
    expect(command).toMatchObject({
      vaultUrl: "https://kv-contoso-prod.vault.azure.net/",
      policy: { validityMonths: 24, keySize: 4096 },
    });
  });

  it.each([
    [["sign", ...VAULT], /unknown command 'sign'/],
    [["create", "--name", "notation-signing", "--subject", SUBJECT], /--vault is required/],
    [["create", ...VAULT], /--subject is required/],
    [
      ["create", ...VAULT, "--subject", "CN=signer"],
      /--subject 'CN=signer': needs C=.*needs ST=.*needs O=/,
    ],
    [
      ["create", ...VAULT, "--subject", SUBJECT, "--key-size", "2048"],
      /--key-size '2048' is not allowed/,
    ],
    [["create", ...VAULT, "--subject", SUBJECT, "--validity-months", "0"], /--validity-months '0'/],
    [["rotate", "--vault", "not a vault", "--name", "x"], /--vault 'not a vault'/],
    [["versions", ...VAULT, "--colour", "red"], /Unknown option '--colour'/],
  ])("rejects %j", (argv, message) => {
    expect(() => parseCommand(argv)).toThrow(UsageError);
    expect(() => parseCommand(argv)).toThrow(message);
  });

  it("keeps the current policy on rotation unless flags change it", () => {
    const current = signingCertificatePolicy({
      subject: SUBJECT,
      validityMonths: 6,
      keySize: 4096,
    });
    expect(rotationOptions({}, current)).toEqual({
      subject: SUBJECT,
      validityMonths: 6,
      keySize: 4096,
    });
    expect(rotationOptions({ validityMonths: 3 }, current).validityMonths).toBe(3);
    expect(() => rotationOptions({}, undefined)).toThrow(/pass --subject/);
  });
});

describe("signing-cert against a vault", () => {
  it("creates the certificate once and refuses to overwrite it", async () => {
    const vault = new FakeVault();
    const lines = await runCommand(parseCommand(["create", ...VAULT, "--subject", SUBJECT]), vault);
    expect(vault.created).toHaveLength(1);
    expect(vault.created[0].enhancedKeyUsage).toEqual([CODE_SIGNING_EKU]);
    expect(lines[0]).toBe(`created notation-signing: version ${"1".padStart(32, "0")}`);
    expect(lines[1]).toBe(
      "signing key id: https://kv-contoso-prod.vault.azure.net/keys/notation-signing",
    );
    await expect(
      runCommand(parseCommand(["create", ...VAULT, "--subject", SUBJECT]), vault),
    ).rejects.toThrow(/exists .*use rotate/);
  });

  it("rotates to a new version with the same policy and says what the verifier trusts", async () => {
    const policy = signingCertificatePolicy({ subject: SUBJECT, validityMonths: 6, keySize: 3072 });
    const vault = new FakeVault(policy);
    const previous = "1".padStart(32, "0");
    const lines = await runCommand(parseCommand(["rotate", ...VAULT]), vault);
    expect(vault.created).toEqual([policy]);
    expect(lines[0]).toBe(
      `rotated notation-signing: version ${"2".padStart(32, "0")} (previous ${previous})`,
    );
    expect(lines.join("\n")).toMatch(/Ratify trusts the latest version/);
    expect(lines.join("\n")).toContain(`add "${previous}" there`);
  });

  it("cannot rotate what does not exist", async () => {
    await expect(runCommand(parseCommand(["rotate", ...VAULT]), new FakeVault())).rejects.toThrow(
      /no certificate 'notation-signing' to rotate; use create/,
    );
  });

  it("lists versions newest first and marks the latest", async () => {
    const vault = new FakeVault(
      signingCertificatePolicy({ subject: SUBJECT, validityMonths: 6, keySize: 3072 }),
    );
    await runCommand(parseCommand(["rotate", ...VAULT]), vault);
    const lines = await runCommand(parseCommand(["versions", ...VAULT]), vault);
    expect(lines[0]).toMatch(
      new RegExp(`^${"2".padStart(32, "0")}  created 2025-01-02.*\\(latest\\)$`),
    );
    expect(lines[1]).toMatch(
      new RegExp(`^${"1".padStart(32, "0")}  created 2025-01-01.* enabled$`),
    );
  });
});

describe("vault addresses", () => {
  it("turns a vault name into its URL and keeps URLs", () => {
    expect(vaultUrlOf("kv-contoso-dev")).toBe("https://kv-contoso-dev.vault.azure.net/");
    expect(vaultUrlOf("https://kv-contoso-dev.vault.azure.net/")).toBe(
      "https://kv-contoso-dev.vault.azure.net/",
    );
  });
});

import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REPOSITORY_ROOT } from "./workflows";

const SCANNER = path.join(REPOSITORY_ROOT, "scripts/pre-commit.sh");
const INSTALLER = path.join(REPOSITORY_ROOT, "scripts/install-hooks.sh");

// Fakes are assembled at run time so that this file itself passes the scan it tests.
const PEM_LABEL = ["RSA", "PRIVATE", "KEY"].join(" ");
const FAKE_PRIVATE_KEY = [
  `-----BEGIN ${PEM_LABEL}-----`,
  "MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu",
  `-----END ${PEM_LABEL}-----`,
  "",
].join("\n");
const FAKE_CLIENT_SECRET = ["abc", "8Q~", "x".repeat(34)].join("");
const FAKE_STORAGE_KEY = `AccountKey=${"A".repeat(86)}==`;

let repository: string;

function git(...args: string[]) {
  const result = spawnSync(
    "git",
    ["-c", "user.name=test", "-c", "user.email=test@example.com", ...args],
    { cwd: repository, encoding: "utf8" },
  );
  if (result.status !== 0 && args[0] !== "commit") {
    throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
  }
  return result;
}

function write(file: string, content: string) {
  mkdirSync(path.dirname(path.join(repository, file)), { recursive: true });
  writeFileSync(path.join(repository, file), content);
}

function stage(file: string, content: string) {
  write(file, content);
  git("add", file);
}

function scan(...args: string[]) {
  const result = spawnSync("bash", [SCANNER, ...args], { cwd: repository, encoding: "utf8" });
  return { code: result.status, stderr: result.stderr };
}

beforeEach(() => {
  repository = mkdtempSync(path.join(tmpdir(), "secret-scan-"));
  git("init", "--quiet", "--initial-branch=main");
});

afterEach(() => {
  rmSync(repository, { recursive: true, force: true });
});

describe("scripts/pre-commit.sh (staged content)", () => {
  it("lets a clean commit through", () => {
    stage("src/index.ts", 'export const greeting = "hello";\n');
    expect(scan()).toEqual({ code: 0, stderr: "" });
  });

  it("blocks a staged private key, naming file, line and rule but not the key", () => {
    stage("README.md", "# docs\n");
    stage("deploy/tls.key", FAKE_PRIVATE_KEY);
    const { code, stderr } = scan();
    expect(code).toBe(1);
    expect(stderr).toContain("deploy/tls.key:1\tprivate-key");
    expect(stderr).not.toContain("MIIBOgIBAAJBAKj34");
    expect(stderr).not.toContain("README.md");
  });

  it.each([
    [
      "an Entra ID client secret",
      `AZURE_CLIENT_SECRET=${FAKE_CLIENT_SECRET}\n`,
      "azure-ad-client-secret",
    ],
    [
      "a storage connection string",
      `conn=DefaultEndpointsProtocol=https;${FAKE_STORAGE_KEY}\n`,
      "azure-storage-account-key",
    ],
    [
      "AZURE_CREDENTIALS JSON",
      `{ "clientId": "x", "${"client"}Secret": "s3cr3t-value" }\n`,
      "azure-credentials-json",
    ],
  ])("blocks %s", (_what, content, rule) => {
    stage("config/settings.env", content);
    const { code, stderr } = scan();
    expect(code).toBe(1);
    expect(stderr).toContain(`config/settings.env:1\t${rule}`);
  });

  it("does not flag a workflow that reads OIDC ids from variables", () => {
    stage(
      ".github/workflows/deploy.yml",
      "with:\n  client-id: ${{ vars.AZURE_CLIENT_ID }}\n  tenant-id: ${{ vars.AZURE_TENANT_ID }}\n",
    );
    expect(scan().code).toBe(0);
  });

  it("scans what is staged, not the work tree", () => {
    stage("notes.txt", "nothing here\n");
    write("notes.txt", FAKE_PRIVATE_KEY);
    expect(scan().code).toBe(0);

    git("add", "notes.txt");
    expect(scan().code).toBe(1);
  });

  it("lets a line marked 'secret-scan: allow' through", () => {
    stage("test/fixture.ts", `const fake = "${FAKE_CLIENT_SECRET}"; // secret-scan: allow\n`);
    expect(scan().code).toBe(0);
  });
});

describe("scripts/pre-commit.sh --all", () => {
  it("finds a secret in any tracked file, committed earlier", () => {
    stage("old/key.pem", FAKE_PRIVATE_KEY);
    git("commit", "--quiet", "--no-verify", "-m", "old mistake");
    stage("new.txt", "clean\n");

    expect(scan().code).toBe(0);
    const { code, stderr } = scan("--all");
    expect(code).toBe(1);
    expect(stderr).toContain("old/key.pem:1\tprivate-key");
  });

  it("rejects an unknown argument", () => {
    expect(scan("--everything").code).toBe(2);
  });
});

describe("scripts/install-hooks.sh", () => {
  beforeEach(() => {
    mkdirSync(path.join(repository, "scripts"));
    copyFileSync(SCANNER, path.join(repository, "scripts/pre-commit.sh"));
  });

  const install = (...args: string[]) =>
    spawnSync("bash", [INSTALLER, ...args], { cwd: repository, encoding: "utf8" });

  it("makes git commit refuse a private key and accept a clean file", () => {
    expect(install().status).toBe(0);

    stage("id_rsa", FAKE_PRIVATE_KEY);
    const refused = git("commit", "-m", "add key");
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain("id_rsa:1\tprivate-key");

    git("rm", "--cached", "--quiet", "id_rsa");
    stage("app.ts", "export {};\n");
    expect(git("commit", "-m", "clean").status).toBe(0);
  });

  it("keeps a foreign hook unless forced", () => {
    write(".git/hooks/pre-commit", "#!/bin/sh\nexit 0\n");
    expect(install().status).toBe(1);
    expect(install("--force").status).toBe(0);
    expect(install().status).toBe(0);
  });
});

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

/** A storage account key as Azure issues it: 64 bytes in base64 (86 characters and "=="). */
const BARE_STORAGE_KEY = Buffer.from(
  Array.from({ length: 64 }, (_, i) => (i * 37 + 11) % 256),
).toString("base64");
const base64url = (text: string) => Buffer.from(text).toString("base64url");

/**
 * Format-valid fakes for each rule the scanner gained, with the rule that must name them. Formats:
 * Pulumi access tokens are "pul-" and 40 hex digits
 * (https://www.pulumi.com/docs/pulumi-cloud/access-management/access-tokens/), npm tokens "npm_" and
 * 36 characters (https://docs.npmjs.com/about-access-tokens), a JWT three base64url parts (RFC 7519).
 */
const CORPUS: [what: string, content: string, rule: string][] = [
  [
    "a Pulumi access token",
    `PULUMI_ACCESS_TOKEN=${["pul", "-"].join("")}${"3fa9c0d17e".repeat(4)}\n`,
    "pulumi-access-token",
  ],
  ["a bare storage account key", `key: "${BARE_STORAGE_KEY}"\n`, "azure-storage-key-bare"],
  [
    "a Password= connection string",
    `Server=db.example.com;Database=items;User Id=app;${"Pass"}word=Tr0ub4dor-3x;\n`,
    "connection-string-password",
  ],
  [
    "credentials in a URL",
    `REGISTRY=https://deploy:${"s3cr3t"}value@registry.example.com/v2\n`,
    "url-credentials",
  ],
  [
    "a password-only URL",
    `REDIS_URL=rediss://:${"hunter"}22@cache.example.com:6380\n`,
    "url-credentials",
  ],
  [
    "an npm token",
    `//registry.npmjs.org/:_authToken=${"npm"}_${"a1B2c3D4e5F6".repeat(3)}\n`,
    "npm-token",
  ],
  [
    "a JWT",
    `Authorization: Bearer ${base64url('{"alg":"HS256","typ":"JWT"}')}.${base64url('{"sub":"1234567890","name":"x"}')}.${"SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"}\n`,
    "jwt",
  ],
  ["a GitHub token", `token=${"ghp"}_${"A1b2C3d4E5f6".repeat(3)}\n`, "github-token"],
];

/** Lines that look close to a secret and are not one. */
const NOT_SECRETS: [what: string, content: string][] = [
  [
    "an npm integrity hash (sha512, also 86 characters and '==')",
    `"integrity": "sha512-${BARE_STORAGE_KEY}"\n`,
  ],
  ["a URL with a user but no password", "https://git@github.com/contoso/repo.git\n"],
  ["a URL whose password is a variable", 'url: "https://x-access-token:${TOKEN}@github.com"\n'],
  ["a connection string with a placeholder", "Password=${REDIS_PASSWORD};\n"],
  ["a port in a URL", "http://localhost:5000/items-api\n"],
];

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
  git("--literal-pathspecs", "add", file);
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

  it.each(CORPUS)("blocks %s", (_what, content, rule) => {
    stage("config/app.env", content);
    const { code, stderr } = scan();
    expect(code).toBe(1);
    expect(stderr).toContain(`config/app.env:1\t${rule}`);
  });

  it.each(NOT_SECRETS)("does not flag %s", (_what, content) => {
    stage("config/app.env", content);
    expect(scan()).toEqual({ code: 0, stderr: "" });
  });

  // Before: git grep's "Unimplemented pathspec magic" error was swallowed and every rule passed.
  it("reads a file named like pathspec magic as a file, and blocks its token", () => {
    stage("notes.txt", "clean\n");
    stage(":(bogus)x", `token=${"ghp"}_${"A1b2C3d4E5f6".repeat(3)}\n`);
    const { code, stderr } = scan();
    expect(code).toBe(1);
    expect(stderr).toContain(":(bogus)x:1\tgithub-token");
  });

  it("fails closed when git cannot read what is staged", () => {
    stage("config.env", `${FAKE_STORAGE_KEY}\n`);
    const blob = git("rev-parse", ":config.env").stdout.trim();
    rmSync(path.join(repository, ".git/objects", blob.slice(0, 2), blob.slice(2)));
    const { code, stderr } = scan();
    expect(code).toBe(2);
    expect(stderr).toContain("git grep failed");
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
    expect(scan("--all", "extra").code).toBe(2);
  });
});

describe("scripts/pre-commit.sh --commits (every commit of a pull request)", () => {
  const commit = (message: string) => git("commit", "--quiet", "--no-verify", "-m", message);

  it("finds a secret a later commit removed again, naming the commit", () => {
    stage("README.md", "# base\n");
    commit("base");
    const base = git("rev-parse", "HEAD").stdout.trim();
    stage("deploy/tls.key", FAKE_PRIVATE_KEY);
    commit("add a key");
    const leaking = git("rev-parse", "HEAD").stdout.trim();
    git("rm", "--quiet", "deploy/tls.key");
    commit("remove it again");

    expect(scan("--all").code).toBe(0);
    const { code, stderr } = scan("--commits", `${base}..HEAD`);
    expect(code).toBe(1);
    expect(stderr).toContain(`${leaking.slice(0, 12)}:deploy/tls.key:1\tprivate-key`);
  });

  it("passes a range of clean commits", () => {
    stage("README.md", "# base\n");
    commit("base");
    stage("src/a.ts", "export const a = 1;\n");
    commit("clean");
    expect(scan("--commits", "HEAD~1..HEAD")).toEqual({ code: 0, stderr: "" });
  });

  it("fails closed on a range git cannot resolve", () => {
    stage("README.md", "# base\n");
    commit("base");
    const { code, stderr } = scan("--commits", "no-such-branch..HEAD");
    expect(code).toBe(2);
    expect(stderr).toContain("not a revision range");
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

import * as fs from "node:fs";

/** Microsoft Entra ID resource for Azure Cache for Redis data access. */
export const REDIS_TOKEN_SCOPE = "acca5fbb-b7e4-4009-81f1-37e38fd66d78/.default";

export interface AccessToken {
  token: string;
  /** Expiry, milliseconds since the epoch. */
  expiresOnTimestamp: number;
}

/** Where Entra ID tokens come from; injectable so that tests need no Azure. */
export interface TokenSource {
  getToken(): Promise<AccessToken>;
}

/**
 * The AKS workload identity flow: the pod's projected service-account token (AZURE_FEDERATED_TOKEN_FILE,
 * injected by the workload identity webhook) is exchanged for an Entra ID token for Redis.
 */
export class WorkloadIdentityTokenSource implements TokenSource {
  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async getToken(): Promise<AccessToken> {
    const { AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE } = this.env;
    if (!AZURE_CLIENT_ID || !AZURE_TENANT_ID || !AZURE_FEDERATED_TOKEN_FILE) {
      throw new Error(
        "workload identity is not configured: AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE are required",
      );
    }
    const authority = (
      this.env.AZURE_AUTHORITY_HOST ?? "https://login.microsoftonline.com/"
    ).replace(/\/?$/, "/");
    const body = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: AZURE_CLIENT_ID,
      scope: REDIS_TOKEN_SCOPE,
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      client_assertion: fs.readFileSync(AZURE_FEDERATED_TOKEN_FILE, "utf8").trim(),
    });
    const response = await this.fetchImpl(`${authority}${AZURE_TENANT_ID}/oauth2/v2.0/token`, {
      method: "POST",
      body,
      signal: AbortSignal.timeout(10_000),
    });
    const payload = (await response.json()) as {
      access_token?: string;
      expires_in?: number;
      error_description?: string;
    };
    if (!response.ok || !payload.access_token || !payload.expires_in) {
      throw new Error(
        `token request failed (${response.status}): ${payload.error_description ?? "no token in the answer"}`,
      );
    }
    return {
      token: payload.access_token,
      expiresOnTimestamp: Date.now() + payload.expires_in * 1000,
    };
  }
}

/**
 * When to renew a token: `marginMs` before it expires, minus up to a minute of jitter so that pods
 * do not renew together, and never sooner than a second from now.
 */
export function refreshDelay(
  token: AccessToken,
  marginMs: number,
  now: number,
  random: () => number = Math.random,
): number {
  const jitterMs = Math.min(60_000, marginMs / 4) * random();
  return Math.max(1_000, token.expiresOnTimestamp - now - marginMs - jitterMs);
}

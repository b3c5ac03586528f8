import { createRemoteJWKSet, errors, jwtVerify, JWTPayload } from "jose";
import type { AuthConfig } from "./config";
import type { ItemsScope } from "./scopes";

/** Entra ID signs access tokens with RS256; nothing else is accepted (no `none`, no HMAC). */
export const ALLOWED_ALGORITHMS = ["RS256"];
/** Clock skew tolerated on `exp` and `nbf`. */
export const CLOCK_TOLERANCE_SECONDS = 60;

export interface Principal {
  /** Who calls: the token's object id (or subject) and the client application. */
  subject: string;
  clientId?: string;
  permissions: Set<string>;
}

/** Why a request is refused: 401 (no or bad token), 403 (missing permission), 503 (keys unavailable). */
export class AuthError extends Error {
  constructor(
    readonly statusCode: 401 | 403 | 503,
    message: string,
    /** RFC 6750 section 3.1 error code for WWW-Authenticate. */
    readonly bearerError?: "invalid_request" | "invalid_token" | "insufficient_scope",
    readonly scope?: ItemsScope,
  ) {
    super(message);
    this.name = "AuthError";
  }
}

function permissionsOf(payload: JWTPayload): Set<string> {
  const permissions = new Set<string>();
  // Delegated tokens carry `scp` (space-separated), application tokens `roles` (an array).
  if (typeof payload.scp === "string") for (const s of payload.scp.split(" ")) permissions.add(s);
  if (Array.isArray(payload.roles))
    for (const role of payload.roles) if (typeof role === "string") permissions.add(role);
  return permissions;
}

/** A key-set failure is ours, not the caller's: answer 503 so the client retries, never 401. */
function isKeySetUnavailable(err: unknown): boolean {
  if (err instanceof errors.JWKSTimeout) return true;
  // fetch() itself failed (connection refused, DNS): undici's TypeError "fetch failed".
  if (err instanceof TypeError && err.message === "fetch failed") return true;
  // A non-200 answer or an unparsable key set (jose's remote.js raises a plain JOSEError).
  return err instanceof errors.JOSEError && err.code === "ERR_JOSE_GENERIC";
}

/**
 * Validates Entra ID access tokens: RS256 signature against the tenant's key set (cached by jose;
 * a token with an unknown `kid` makes it refetch the set, at most once per cooldown, so key
 * rotation needs no restart), issuer, audience, `exp`/`nbf` with a small leeway.
 */
export class TokenVerifier {
  private readonly keys: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly config: Extract<AuthConfig, { disabled: false }>) {
    this.keys = createRemoteJWKSet(new URL(config.jwksUrl), {
      cooldownDuration: config.jwksCooldownMs,
      timeoutDuration: 5_000,
    });
  }

  async verify(authorization: string | undefined): Promise<Principal> {
    if (authorization === undefined)
      throw new AuthError(401, "a bearer token is required (Authorization: Bearer <token>)");
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(authorization);
    if (!match)
      throw new AuthError(401, "the Authorization header is not a bearer token", "invalid_request");
    try {
      const { payload } = await jwtVerify(match[1], this.keys, {
        issuer: this.config.issuer,
        audience: this.config.audience,
        algorithms: ALLOWED_ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ["exp"],
      });
      const subject = typeof payload.oid === "string" ? payload.oid : payload.sub;
      if (!subject) throw new AuthError(401, "the token names no subject", "invalid_token");
      const clientId = typeof payload.azp === "string" ? payload.azp : payload.appid;
      return {
        subject,
        clientId: typeof clientId === "string" ? clientId : undefined,
        permissions: permissionsOf(payload),
      };
    } catch (err) {
      if (err instanceof AuthError) throw err;
      if (isKeySetUnavailable(err))
        throw new AuthError(503, "the token signing keys are unavailable; retry later");
      throw new AuthError(401, tokenProblem(err), "invalid_token");
    }
  }
}

/** A short reason for the client, without echoing the token. */
function tokenProblem(err: unknown): string {
  if (err instanceof errors.JWTExpired) return "the token has expired";
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === "nbf") return "the token is not valid yet";
    return `the token's '${err.claim}' claim is not accepted`;
  }
  if (err instanceof errors.JOSEAlgNotAllowed)
    return "the token's signing algorithm is not accepted";
  if (err instanceof errors.JWKSNoMatchingKey) return "the token is signed with an unknown key";
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return "the token's signature is invalid";
  return "the token is malformed";
}

export function requirePermission(principal: Principal, scope: ItemsScope): void {
  if (!principal.permissions.has(scope))
    throw new AuthError(
      403,
      `the token lacks the '${scope}' permission`,
      "insufficient_scope",
      scope,
    );
}

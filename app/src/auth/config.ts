import { z } from "zod";

/**
 * AUTH_* configuration: which Entra ID tenant issues the tokens the API accepts and for which
 * audience. The defaults follow the Microsoft identity platform's v2.0 endpoints
 * (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference: `iss` is
 * `https://login.microsoftonline.com/{tenant}/v2.0` for v2.0 tokens, `aud` the API's client id;
 * the signing keys are the `jwks_uri` of
 * `https://login.microsoftonline.com/{tenant}/v2.0/.well-known/openid-configuration`).
 * AUTH_ISSUER and AUTH_JWKS_URL override them for other clouds and for tests.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Keys are fetched over HTTPS; plain HTTP only from this host itself (a local key server). */
function isSafeKeyUrl(value: string): boolean {
  const url = new URL(value);
  if (url.protocol === "https:") return true;
  return url.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
}

export const authEnvShape = {
  AUTH_DISABLED: z.enum(["true", "false"]).optional(),
  AUTH_TENANT_ID: z.string().regex(UUID, "expected the tenant id (a GUID)").optional(),
  AUTH_AUDIENCE: z.string().min(1).optional(),
  AUTH_ISSUER: z.url({ protocol: /^https?$/ }).optional(),
  AUTH_JWKS_URL: z
    .url({ protocol: /^https?$/ })
    .refine(isSafeKeyUrl, "must be https:// (http:// only for 127.0.0.1 or localhost)")
    .optional(),
  /** The shortest time between two fetches of the key set for a token with an unknown `kid`. */
  AUTH_JWKS_COOLDOWN_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(60_000),
  /** Requests per client (token subject, or address without one) and window on /api. */
  RATE_LIMIT_MAX: z.coerce.number().int().min(1).max(1_000_000).default(600),
  RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(60_000),
};

type AuthEnv = z.output<z.ZodObject<typeof authEnvShape>>;

export type AuthConfig =
  | { disabled: true }
  | {
      disabled: false;
      issuer: string;
      audience: string;
      jwksUrl: string;
      jwksCooldownMs: number;
    };

export interface RateLimitConfig {
  max: number;
  windowMs: number;
}

/** Cross-key rules: without AUTH_DISABLED=true the API needs an audience and a tenant (or both overrides). */
export function checkAuthEnv(env: AuthEnv, ctx: z.RefinementCtx): void {
  if (env.AUTH_DISABLED === "true") return;
  const why = "is required unless AUTH_DISABLED=true";
  if (!env.AUTH_AUDIENCE)
    ctx.addIssue({
      code: "custom",
      path: ["AUTH_AUDIENCE"],
      message: `${why} (the API's client id)`,
    });
  if (!env.AUTH_TENANT_ID && !(env.AUTH_ISSUER && env.AUTH_JWKS_URL)) {
    ctx.addIssue({
      code: "custom",
      path: ["AUTH_TENANT_ID"],
      message: `${why} (or set both AUTH_ISSUER and AUTH_JWKS_URL)`,
    });
  }
}

export function authConfig(env: AuthEnv): AuthConfig {
  if (env.AUTH_DISABLED === "true") return { disabled: true };
  const tenant = env.AUTH_TENANT_ID;
  return {
    disabled: false,
    issuer: env.AUTH_ISSUER ?? `https://login.microsoftonline.com/${tenant}/v2.0`,
    audience: env.AUTH_AUDIENCE!,
    jwksUrl: env.AUTH_JWKS_URL ?? `https://login.microsoftonline.com/${tenant}/discovery/v2.0/keys`,
    jwksCooldownMs: env.AUTH_JWKS_COOLDOWN_MS,
  };
}

export function rateLimitConfig(env: AuthEnv): RateLimitConfig {
  return { max: env.RATE_LIMIT_MAX, windowMs: env.RATE_LIMIT_WINDOW_MS };
}

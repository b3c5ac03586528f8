import helmet from "@fastify/helmet";
import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { HttpError } from "../errors";
import type { AuthConfig, RateLimitConfig } from "./config";
import { scopeForMethod } from "./scopes";
import { AuthError, Principal, requirePermission, TokenVerifier } from "./verifier";

declare module "fastify" {
  interface FastifyRequest {
    principal?: Principal;
  }
}

const REALM = "items-api";

/**
 * The items API lives under /api; /healthz and /readyz stay open for the kubelet. Decided by the
 * route the router matched, not the raw URL, so no spelling of a path (percent-encoding, a query)
 * reaches an /api handler without a token.
 */
const isApiRoute = (request: FastifyRequest) => {
  const route = request.routeOptions.url;
  return route !== undefined && (route === "/api" || route.startsWith("/api/"));
};

/** RFC 6750 section 3: the challenge, with an error code only when a token was presented. */
function challenge(error: AuthError): string {
  const parts = [`realm="${REALM}"`];
  if (error.bearerError) {
    parts.push(`error="${error.bearerError}"`, `error_description="${error.message}"`);
  }
  if (error.scope) parts.push(`scope="${error.scope}"`);
  return `Bearer ${parts.join(", ")}`;
}

function refuse(reply: FastifyReply, error: AuthError, retryAfterSeconds: number): FastifyReply {
  if (error.statusCode === 503) reply.header("Retry-After", String(retryAfterSeconds));
  else reply.header("WWW-Authenticate", challenge(error));
  return reply.code(error.statusCode).send({ error: error.message });
}

export interface SecurityOptions {
  auth: AuthConfig;
  rateLimit: RateLimitConfig;
  retryAfterSeconds: number;
}

/**
 * Security headers on every answer, bearer-token authentication and permission checks on /api
 * (in onRequest: before the body is parsed and long before Redis), then a per-client rate limit.
 */
export async function registerSecurity(app: FastifyInstance, options: SecurityOptions) {
  // A JSON API serves no HTML: helmet's defaults (HSTS, nosniff, frame-ancestors 'none', ...) fit.
  await app.register(helmet, { global: true });

  const verifier = options.auth.disabled ? undefined : new TokenVerifier(options.auth);
  app.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
    if (!verifier || !isApiRoute(request)) return;
    try {
      const principal = await verifier.verify(request.headers.authorization);
      requirePermission(principal, scopeForMethod(request.method));
      request.principal = principal;
    } catch (err) {
      if (!(err instanceof AuthError)) throw err;
      return refuse(reply, err, options.retryAfterSeconds);
    }
  });

  // After authentication (preHandler), so a caller is counted by who it is, not by the address of
  // the ingress controller in front of it; requests without a principal count by address.
  await app.register(rateLimit, {
    global: true,
    hook: "preHandler",
    max: options.rateLimit.max,
    timeWindow: options.rateLimit.windowMs,
    allowList: (request) => !isApiRoute(request),
    keyGenerator: (request) =>
      request.principal
        ? `principal:${request.principal.clientId ?? ""}:${request.principal.subject}`
        : `address:${request.ip}`,
    // Thrown by the plugin, so the server's error handler answers it like any other HttpError.
    errorResponseBuilder: (_request, context) =>
      new HttpError(429, `rate limit of ${context.max} requests per ${context.after} exceeded`),
  });
}

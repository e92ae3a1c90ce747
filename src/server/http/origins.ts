// Which browser origins may call the API with the user's cookies: the platform's own (the request's Host,
// or PUBLIC_URL behind a proxy that rewrites Host) and those listed in CORS_ORIGINS. One policy for CORS,
// CSRF and the WebSocket handshake.
import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface OriginPolicy {
  /** CORS_ORIGINS: other origins that may call the API from a browser, with credentials. */
  readonly corsOrigins: ReadonlySet<string>;
  /** Whether an `Origin` header names this platform or a configured origin. */
  allows(origin: string, request: FastifyRequest): boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    originPolicy: OriginPolicy;
  }
}

/** The origin of an `Origin` or `Referer` value, or null for an opaque or unparsable one. */
export function originOf(value: string | undefined): string | null {
  if (!value || !URL.canParse(value)) return null;
  const origin = new URL(value).origin;
  return origin === 'null' ? null : origin;
}

export function createOriginPolicy(publicUrl: string, corsOrigins: readonly string[]): OriginPolicy {
  const own = originOf(publicUrl);
  const listed = new Set(corsOrigins);
  return {
    corsOrigins: listed,
    allows(origin, request) {
      const parsed = originOf(origin);
      if (!parsed) return false;
      return parsed === own || listed.has(parsed) || new URL(parsed).host === request.host;
    },
  };
}

export function registerOriginPolicy(app: FastifyInstance, policy: OriginPolicy): void {
  app.decorate('originPolicy', policy);
}

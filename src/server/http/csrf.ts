// CSRF protection for browsers, whose cookies are sent with every request. Applies to POST, PUT, PATCH
// and DELETE that carry a session cookie and no `Authorization` or `X-API-Key` header (Bearer-token and
// API-key clients are not affected: a foreign page cannot set those headers):
//  1. an `Origin` (or, lacking one, `Referer`) header must name this platform or a CORS_ORIGINS origin;
//  2. when the access cookie authenticates the request, `X-CSRF-Token` must hold the session's token.
// The token is an HMAC of the session id under a key derived from JWT_SECRET: stateless, the same on
// every instance, stable for the session's life, and useless for any other session. Responses to
// cookie-authenticated requests and to sign-in and refresh carry it in the `X-CSRF-Token` header; a foreign
// page cannot read that header. Cookies are SameSite (access Lax, refresh Strict) as a second line.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { decodeJwt } from 'jose';
import { ACCESS_COOKIE, REFRESH_COOKIE } from './auth.js';
import { AppError } from './errors.js';
import { type OriginPolicy, originOf } from './origins.js';
import { derivedKey } from './secret-box.js';

export const CSRF_HEADER = 'x-csrf-token';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface CsrfTokens {
  tokenFor(sessionId: string): string;
  /** Puts the token of a just-signed access token's session on the response (sign-in, refresh). */
  issue(reply: FastifyReply, accessToken: string): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    csrf: CsrfTokens;
  }
}

export function createCsrfTokens(jwtSecret: string): CsrfTokens {
  const key = derivedKey(jwtSecret, 'csrf token');
  const tokenFor = (sessionId: string) => createHmac('sha256', key).update(sessionId).digest('base64url');
  return {
    tokenFor,
    issue(reply, accessToken) {
      const sessionId = decodeJwt(accessToken).sid;
      if (typeof sessionId === 'string') reply.header(CSRF_HEADER, tokenFor(sessionId));
    },
  };
}

function matches(sent: string | string[] | undefined, expected: string): boolean {
  if (typeof sent !== 'string') return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Registered after authentication, which tells how the request was authenticated. */
export function registerCsrfProtection(app: FastifyInstance, tokens: CsrfTokens, origins: OriginPolicy): void {
  app.decorate('csrf', tokens);
  app.addHook('onRequest', async (request, reply) => {
    const byCookie = request.authMethod === 'cookie' && request.user !== null;
    if (!UNSAFE.has(request.method)) {
      if (byCookie) reply.header(CSRF_HEADER, tokens.tokenFor(request.user!.sessionId));
      return;
    }
    if (request.headers.authorization || request.headers['x-api-key']) return;
    if (!request.cookies[ACCESS_COOKIE] && !request.cookies[REFRESH_COOKIE]) return;
    const sentOrigin = request.headers.origin ?? request.headers.referer;
    if (sentOrigin !== undefined && !origins.allows(originOf(sentOrigin) ?? 'null', request)) {
      throw new AppError('CSRF_FAILED', 'Cross-site request refused: this origin may not use the session cookies');
    }
    if (!byCookie) return;
    const expected = tokens.tokenFor(request.user!.sessionId);
    if (!matches(request.headers[CSRF_HEADER], expected)) {
      // The right token rides on the refusal, so that a client that lost it can retry once.
      reply.header(CSRF_HEADER, expected);
      throw new AppError('CSRF_FAILED', 'Missing or wrong X-CSRF-Token header for a cookie-authenticated request');
    }
    reply.header(CSRF_HEADER, expected);
  });
}

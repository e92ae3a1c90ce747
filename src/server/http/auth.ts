// Authentication: every request may carry `Authorization: Bearer <jwt>` or the access cookie, or an API
// key (`Authorization: Bearer sk_live_…` or `X-API-Key`). Routes state what they need with
// `requireAuth(permission?)`. A request made with an API key acts as the key's owner, limited to its
// scopes: a route that needs a permission needs it among the scopes; reads that need only sign-in are
// allowed; changes through routes that declare no permission need a key holding every permission of the
// owner's role. API keys never reach sign-in, session, API-key or real-time endpoints.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { UserRole } from '../../contract/common.js';
import { AppError } from './errors.js';
import { can, type Permission } from './permissions.js';
import type { SessionValidity } from './session-validity.js';
import type { TokenSigner } from './tokens.js';

export const ACCESS_COOKIE = 'skilled_access';
export const REFRESH_COOKIE = 'skilled_refresh';

/** Where a request came from: kept with every audit row the request writes. */
export interface RequestOrigin {
  ip: string;
  requestId: string;
  /** The client's User-Agent header, kept with security events. */
  userAgent?: string;
}

export interface AuthUser extends RequestOrigin {
  id: string;
  role: UserRole;
  sessionId: string;
  /** Set when the request is authenticated by an API key: the key and what it may do. */
  apiKey?: { id: string; scopes: ReadonlySet<Permission>; full: boolean };
}

/** What an API key stands for, as ApiKeyAuthenticator finds it. */
export interface ApiKeyIdentity {
  keyId: string;
  userId: string;
  role: UserRole;
  /** The key's scopes that the owner's current role still holds. */
  scopes: ReadonlySet<Permission>;
  /** The scopes cover every permission of the owner's role. */
  full: boolean;
}

export interface ApiKeyAuthenticator {
  authenticate(key: string, origin: RequestOrigin): Promise<ApiKeyIdentity | null>;
  /** Drops what this instance remembers of a key (after a revocation or rotation). */
  forget(keyId: string): void;
}

export type AuthMethod = 'bearer' | 'cookie' | 'api-key';

declare module 'fastify' {
  interface FastifyInstance {
    /** This instance's view of which sessions still hold; features drop entries after a revocation. */
    sessionValidity: SessionValidity;
  }
  interface FastifyRequest {
    /** The signed-in caller, or null. */
    user: AuthUser | null;
    /** A token was sent but was invalid or expired. */
    authFailed: boolean;
    /** How the request presented its credentials (even when they failed), or null. */
    authMethod: AuthMethod | null;
  }
  interface FastifyContextConfig {
    /** The permission the route requires, as declared with requireAuth(permission). */
    permission?: Permission | null;
  }
}

const API_KEY_SCHEME = /^sk_/;

function credentials(request: FastifyRequest): { method: AuthMethod; value: string } | undefined {
  const apiKey = request.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.trim()) return { method: 'api-key', value: apiKey.trim() };
  const header = request.headers.authorization;
  if (header) {
    const [scheme, value] = header.split(' ');
    if (scheme?.toLowerCase() === 'bearer' && value) {
      return { method: API_KEY_SCHEME.test(value.trim()) ? 'api-key' : 'bearer', value: value.trim() };
    }
  }
  const cookie = request.cookies[ACCESS_COOKIE];
  return cookie ? { method: 'cookie', value: cookie } : undefined;
}

/** Marks requireAuth's handlers with their permission, so that routes' permissions can be read back. */
const DECLARED_PERMISSION = Symbol('declaredPermission');

/** Endpoints an API key may never use: signing in and sessions, the keys themselves, event streams. */
function apiKeyBarred(method: string, path: string): boolean {
  if (path === '/api/auth/check') return method !== 'GET';
  return /^\/api\/(auth|api-keys|ws|events)(\/|$)/.test(path);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Routes that run other requests as the caller, each checked on its own. */
const DISPATCHERS = new Set(['POST /api/batch']);

function checkApiKeyRoute(request: FastifyRequest, apiKey: NonNullable<AuthUser['apiKey']>): void {
  const path = request.routeOptions.url ?? request.url.split('?')[0]!;
  if (apiKeyBarred(request.method, path)) {
    throw new AppError('INSUFFICIENT_SCOPE', 'This endpoint cannot be used with an API key; sign in instead');
  }
  const declared = request.routeOptions.config?.permission;
  if (SAFE_METHODS.has(request.method) || declared || apiKey.full || DISPATCHERS.has(`${request.method} ${path}`)) return;
  throw new AppError('INSUFFICIENT_SCOPE', "This API key's scopes do not allow this change; it needs every permission of its owner's role");
}

const userAgentOf = (request: FastifyRequest): string => String(request.headers['user-agent'] ?? '').slice(0, 512);

export function registerAuthentication(
  app: FastifyInstance,
  signer: TokenSigner,
  sessions: SessionValidity,
  apiKeys?: ApiKeyAuthenticator,
): void {
  app.decorate('sessionValidity', sessions);
  app.decorateRequest('user', null);
  app.decorateRequest('authFailed', false);
  app.decorateRequest('authMethod', null);
  app.addHook('onRoute', (route) => {
    const handlers = [route.preHandler ?? []].flat() as ({ [DECLARED_PERMISSION]?: Permission | null } & object)[];
    const declared = handlers.find((handler) => DECLARED_PERMISSION in handler)?.[DECLARED_PERMISSION];
    route.config = { ...route.config, permission: declared ?? null };
  });
  app.addHook('onRequest', async (request) => {
    const presented = credentials(request);
    if (!presented) return;
    request.authMethod = presented.method;
    if (presented.method === 'api-key') {
      const identity = apiKeys ? await apiKeys.authenticate(presented.value, requestOrigin(request)) : null;
      if (!identity) {
        request.authFailed = true;
        return;
      }
      const apiKey = { id: identity.keyId, scopes: identity.scopes, full: identity.full };
      checkApiKeyRoute(request, apiKey);
      request.user = {
        id: identity.userId,
        role: identity.role,
        sessionId: `api-key:${identity.keyId}`,
        ip: request.ip,
        requestId: request.id,
        userAgent: userAgentOf(request),
        apiKey,
      };
      request.log = request.log.child({ userId: identity.userId, apiKeyId: identity.keyId });
      return;
    }
    const token = presented.value;
    const claims = await signer.verifyAccess(token);
    // A valid signature is not enough: the session may have been revoked or the user suspended since.
    const session = claims ? await sessions.check(claims.userId, claims.sessionId) : null;
    if (!claims || !session) {
      request.authFailed = true;
      return;
    }
    request.user = {
      id: claims.userId,
      // the current role: a role change applies without waiting for the token to expire
      role: session.role,
      sessionId: claims.sessionId,
      ip: request.ip,
      requestId: request.id,
      userAgent: userAgentOf(request),
    };
    request.log = request.log.child({ userId: claims.userId });
  });
}

/** The caller, or a 401. For use inside handlers after `requireAuth`. */
export function currentUser(request: FastifyRequest): AuthUser {
  if (!request.user) {
    if (request.authFailed && request.authMethod === 'api-key') {
      throw new AppError('INVALID_API_KEY', 'The API key is invalid, expired or revoked');
    }
    throw request.authFailed
      ? new AppError('INVALID_TOKEN', 'Your session has expired or the token is invalid; sign in again')
      : new AppError('UNAUTHENTICATED', 'Authentication required');
  }
  return request.user;
}

/** The origin of a request, for audit rows written before anyone is signed in (sign-up, sign-in). */
export const requestOrigin = (request: FastifyRequest): RequestOrigin => ({
  ip: request.ip,
  requestId: request.id,
  userAgent: userAgentOf(request),
});

/** Whether the caller holds the permission: by role, and when calling with an API key, by its scopes. */
export const hasPermission = (user: AuthUser, permission: Permission): boolean =>
  can(user.role, permission) && (!user.apiKey || user.apiKey.scopes.has(permission));

/** preHandler: the caller must be signed in and, when given, hold the permission. */
export function requireAuth(permission?: Permission) {
  const handler = async (request: FastifyRequest, _reply: FastifyReply) => {
    const user = currentUser(request);
    if (permission && !can(user.role, permission)) {
      throw new AppError('FORBIDDEN', 'You do not have permission to do this');
    }
    if (permission && !hasPermission(user, permission)) {
      throw new AppError('INSUFFICIENT_SCOPE', `This API key does not have the ${permission} scope`);
    }
  };
  return Object.assign(handler, { [DECLARED_PERMISSION]: permission ?? null });
}

/**
 * Ids in bodies and queries (`userId`, `studentId`, `instructorId`) are accepted for compatibility,
 * but must name the caller unless the caller may act for others.
 */
export function assertActingForSelf(user: AuthUser, claimedId: string | undefined, field: string): void {
  if (claimedId !== undefined && claimedId !== user.id && user.role !== 'admin') {
    throw new AppError('FORBIDDEN', `${field} must be your own id`);
  }
}

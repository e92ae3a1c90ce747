// Authentication: every request may carry `Authorization: Bearer <jwt>` or the access cookie.
// Routes state what they need with `requireAuth(permission?)`.
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
}

export interface AuthUser extends RequestOrigin {
  id: string;
  role: UserRole;
  sessionId: string;
}

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
  }
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header) {
    const [scheme, value] = header.split(' ');
    if (scheme?.toLowerCase() === 'bearer' && value) return value.trim();
  }
  return request.cookies[ACCESS_COOKIE];
}

export function registerAuthentication(app: FastifyInstance, signer: TokenSigner, sessions: SessionValidity): void {
  app.decorate('sessionValidity', sessions);
  app.decorateRequest('user', null);
  app.decorateRequest('authFailed', false);
  app.addHook('onRequest', async (request) => {
    const token = bearerToken(request);
    if (!token) return;
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
    };
    request.log = request.log.child({ userId: claims.userId });
  });
}

/** The caller, or a 401. For use inside handlers after `requireAuth`. */
export function currentUser(request: FastifyRequest): AuthUser {
  if (!request.user) {
    throw request.authFailed
      ? new AppError('INVALID_TOKEN', 'Your session has expired or the token is invalid; sign in again')
      : new AppError('UNAUTHENTICATED', 'Authentication required');
  }
  return request.user;
}

/** The origin of a request, for audit rows written before anyone is signed in (sign-up, sign-in). */
export const requestOrigin = (request: FastifyRequest): RequestOrigin => ({ ip: request.ip, requestId: request.id });

/** preHandler: the caller must be signed in and, when given, hold the permission. */
export function requireAuth(permission?: Permission) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const user = currentUser(request);
    if (permission && !can(user.role, permission)) {
      throw new AppError('FORBIDDEN', 'You do not have permission to do this');
    }
  };
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

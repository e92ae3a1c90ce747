// Sessions: one family of refresh tokens per sign-in, one row per token. The family's id is the access
// token's `sid` and the session id users see. A token works once (rotation); it ends if unused for the
// idle TTL, and no token of a family outlives the absolute end set at sign-in. A user holds at most
// `maxSessions` families: a new sign-in past that ends the oldest.
import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, gt, inArray, isNull, ne, type SQL } from 'drizzle-orm';
import type { AuthTokens } from '../../../../contract/auth.js';
import type { Database, Executor } from '../../../db/client.js';
import { sessions, users } from '../../../db/schema.js';
import type { RequestOrigin } from '../../../http/auth.js';
import { AppError } from '../../../http/errors.js';
import { hashToken, newRefreshToken, type TokenSigner } from '../../../http/tokens.js';
import { presentAccount } from '../../users/presenter.js';
import { recordSecurityEvent } from '../security-events.js';
import { type IpBinding, sameNetwork } from './ip-binding.js';

export interface SessionPolicy {
  /** Seconds from sign-in after which no token of the session works. */
  absoluteTtl: number;
  /** Seconds a refresh token may go unused. */
  idleTtl: number;
  maxSessions: number;
  ipBinding: IpBinding | null;
}

export interface SessionDeps {
  signer: TokenSigner;
  policy: SessionPolicy;
}

type UserRow = typeof users.$inferSelect;
type SessionRow = typeof sessions.$inferSelect;

interface Family {
  id: string;
  signedInAt: Date;
  absoluteExpiresAt: Date;
}

const clientFields = (origin: RequestOrigin) => ({ ipAddress: origin.ip, userAgent: (origin.userAgent ?? '').slice(0, 512) });

async function issueToken(tx: Executor, deps: SessionDeps, user: UserRow, family: Family, origin: RequestOrigin): Promise<AuthTokens> {
  const refreshToken = newRefreshToken();
  const idleEnd = Date.now() + deps.policy.idleTtl * 1000;
  const refreshExpiresAt = new Date(Math.min(idleEnd, family.absoluteExpiresAt.getTime()));
  await tx.insert(sessions).values({
    userId: user.id,
    familyId: family.id,
    refreshTokenHash: hashToken(refreshToken),
    ...clientFields(origin),
    signedInAt: family.signedInAt,
    absoluteExpiresAt: family.absoluteExpiresAt,
    expiresAt: refreshExpiresAt,
  });
  const { token, expiresAt } = await deps.signer.signAccess({ userId: user.id, role: user.role, sessionId: family.id });
  return {
    user: presentAccount(user),
    accessToken: token,
    expiresAt: expiresAt.toISOString(),
    refreshToken,
    refreshExpiresAt: refreshExpiresAt.toISOString(),
  };
}

/** The head (newest, unrotated) token of each live session of the user, oldest sign-in first. */
export async function liveSessions(db: Executor, userId: string): Promise<SessionRow[]> {
  return db
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), isNull(sessions.rotatedAt), gt(sessions.expiresAt, new Date())))
    .orderBy(asc(sessions.signedInAt), asc(sessions.createdAt));
}

/**
 * Ends sessions of the user: the listed ones, or all but `exceptFamilyId`, or all. Returns the ids of
 * the sessions that were still going.
 */
export async function revokeSessions(
  tx: Executor,
  userId: string,
  which: { familyIds?: string[]; exceptFamilyId?: string } = {},
): Promise<string[]> {
  const conditions: SQL[] = [eq(sessions.userId, userId), isNull(sessions.revokedAt)];
  if (which.familyIds) {
    if (which.familyIds.length === 0) return [];
    conditions.push(inArray(sessions.familyId, which.familyIds));
  }
  if (which.exceptFamilyId) conditions.push(ne(sessions.familyId, which.exceptFamilyId));
  const rows = await tx
    .update(sessions)
    .set({ revokedAt: new Date() })
    .where(and(...conditions))
    .returning({ familyId: sessions.familyId });
  return [...new Set(rows.map((row) => row.familyId))];
}

export interface StartedSession {
  tokens: AuthTokens;
  sessionId: string;
  /** Sessions ended to stay within the limit. */
  ended: string[];
}

/** A new sign-in of the user. Run inside the sign-in's transaction. */
export async function startSession(tx: Executor, deps: SessionDeps, user: UserRow, origin: RequestOrigin): Promise<StartedSession> {
  // Sign-ins of one user take turns, so that two of them cannot both squeeze under the limit.
  await tx.select({ id: users.id }).from(users).where(eq(users.id, user.id)).for('update');
  const live = await liveSessions(tx, user.id);
  const excess = live.length - (deps.policy.maxSessions - 1);
  const ended = excess > 0 ? await revokeSessions(tx, user.id, { familyIds: live.slice(0, excess).map((s) => s.familyId) }) : [];
  if (ended.length > 0) {
    await recordSecurityEvent(tx, { ...origin, id: user.id, role: user.role }, 'session.revoke', user.id, {
      sessionIds: ended,
      reason: 'session_limit',
      maxSessions: deps.policy.maxSessions,
    });
  }
  const now = new Date();
  const family = { id: randomUUID(), signedInAt: now, absoluteExpiresAt: new Date(now.getTime() + deps.policy.absoluteTtl * 1000) };
  const tokens = await issueToken(tx, deps, user, family, origin);
  return { tokens, sessionId: family.id, ended };
}

export type RotateOutcome =
  | { kind: 'rotated'; tokens: AuthTokens; userId: string }
  /** A token that was already rotated came back: its whole session was ended. */
  | { kind: 'reused'; user: UserRow; sessionId: string; ended: string[] }
  /** Refused without ending the session: the refresh came from another network. */
  | { kind: 'other_network'; user: UserRow; sessionId: string; sessionIp: string };

const invalidRefresh = () => new AppError('INVALID_REFRESH_TOKEN', 'The refresh token is invalid or expired; sign in again');

/** Exchanges a refresh token for new tokens. Side effects of refusals are for the caller, after commit. */
export async function rotateSession(db: Database, deps: SessionDeps, refreshToken: string, origin: RequestOrigin): Promise<RotateOutcome> {
  return db.transaction(async (tx) => {
    const [session] = await tx
      .select()
      .from(sessions)
      .where(eq(sessions.refreshTokenHash, hashToken(refreshToken)))
      .for('update')
      .limit(1);
    if (!session || session.revokedAt || session.expiresAt.getTime() <= Date.now()) throw invalidRefresh();
    const [user] = await tx.select().from(users).where(eq(users.id, session.userId)).limit(1);
    if (!user) throw invalidRefresh();
    if (session.rotatedAt) {
      const ended = await revokeSessions(tx, user.id, { familyIds: [session.familyId] });
      return { kind: 'reused' as const, user, sessionId: session.familyId, ended };
    }
    if (user.status === 'suspended') throw new AppError('ACCOUNT_SUSPENDED', 'This account is suspended');
    if (!sameNetwork(deps.policy.ipBinding, session.ipAddress, origin.ip)) {
      return { kind: 'other_network' as const, user, sessionId: session.familyId, sessionIp: session.ipAddress };
    }
    await tx.update(sessions).set({ rotatedAt: new Date(), lastUsedAt: new Date() }).where(eq(sessions.id, session.id));
    const family = { id: session.familyId, signedInAt: session.signedInAt, absoluteExpiresAt: session.absoluteExpiresAt };
    return { kind: 'rotated' as const, tokens: await issueToken(tx, deps, user, family, origin), userId: user.id };
  });
}

/** The session family a refresh token belongs to, whatever its state. */
export async function sessionOfRefreshToken(db: Executor, refreshToken: string): Promise<{ familyId: string; userId: string } | undefined> {
  const [row] = await db
    .select({ familyId: sessions.familyId, userId: sessions.userId })
    .from(sessions)
    .where(eq(sessions.refreshTokenHash, hashToken(refreshToken)))
    .orderBy(desc(sessions.createdAt))
    .limit(1);
  return row;
}

// The caller's own sessions: list them, end one, end all others. Knows nothing of HTTP.
import type { SessionInfo } from '../../../../contract/auth.js';
import type { AuthUser } from '../../../http/auth.js';
import { AppError } from '../../../http/errors.js';
import type { AccountSecurity } from '../context.js';
import { recordSecurityEvent } from '../security-events.js';
import { describeDevice } from './device.js';
import { liveSessions, revokeSessions } from './store.js';

export function createSessionService(ctx: Pick<AccountSecurity, 'db' | 'sessionsEnded'>) {
  const { db } = ctx;
  return {
    async list(caller: AuthUser): Promise<SessionInfo[]> {
      const rows = await liveSessions(db, caller.id);
      return rows
        .map((row) => ({
          sessionId: row.familyId,
          device: describeDevice(row.userAgent),
          ipAddress: row.ipAddress,
          userAgent: row.userAgent,
          createdAt: row.signedInAt.toISOString(),
          lastUsedAt: row.lastUsedAt.toISOString(),
          expiresAt: row.expiresAt.toISOString(),
          current: row.familyId === caller.sessionId,
        }))
        .sort((a, b) => Number(b.current) - Number(a.current) || b.lastUsedAt.localeCompare(a.lastUsedAt));
    },

    /** Ends one of the caller's sessions (the current one too); another user's is not found. */
    async revoke(caller: AuthUser, sessionId: string): Promise<void> {
      await db.transaction(async (tx) => {
        const ended = await revokeSessions(tx, caller.id, { familyIds: [sessionId] });
        if (ended.length === 0) throw new AppError('SESSION_NOT_FOUND', 'Session not found');
        await recordSecurityEvent(tx, caller, 'session.revoke', caller.id, { sessionIds: ended, reason: 'revoked_by_user' });
      });
      ctx.sessionsEnded(caller.id);
    },

    async revokeOthers(caller: AuthUser): Promise<number> {
      const ended = await db.transaction(async (tx) => {
        const others = await revokeSessions(tx, caller.id, { exceptFamilyId: caller.sessionId });
        if (others.length > 0) {
          await recordSecurityEvent(tx, caller, 'session.revoke', caller.id, { sessionIds: others, reason: 'revoked_others' });
        }
        return others;
      });
      if (ended.length > 0) ctx.sessionsEnded(caller.id);
      return ended.length;
    },
  };
}

// Password reset by mail: a request always gets the same answer (no account enumeration) and is
// handled after it (so its timing tells nothing either); the link's token is single use, lasts 30
// minutes and is stored hashed. A reset ends every session. Knows nothing of HTTP.
import { eq } from 'drizzle-orm';
import { users } from '../../db/schema.js';
import type { RequestOrigin } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import type { AccountSecurity } from './context.js';
import { assertStrongPassword } from './password-strength.js';
import { hashPassword } from './passwords.js';
import { recordSecurityEvent } from './security-events.js';
import { findUserByEmail } from './service.js';
import { revokeSessions } from './sessions/store.js';
import { consumeVerification, findByToken, issueVerification, lastIssuedAt } from './verification-codes.js';

export const RESET_TOKEN_TTL_MS = 30 * 60_000;
/** A second request within this time sends nothing (the first link still works). */
const REQUEST_INTERVAL_MS = 60_000;

const invalidToken = () =>
  new AppError('INVALID_RESET_TOKEN', 'The reset link is invalid, used or expired; ask for a new one', { 'body.token': 'is invalid or expired' });

export function createPasswordReset(ctx: AccountSecurity) {
  const { db } = ctx;

  async function sendResetLink(email: string, origin: RequestOrigin): Promise<void> {
    const user = await findUserByEmail(db, email);
    if (!user || user.status !== 'active') return;
    const last = await lastIssuedAt(db, user.id, 'password_reset');
    if (last && Date.now() - last.getTime() < REQUEST_INTERVAL_MS) return;
    const issued = await db.transaction(async (tx) => {
      const sent = await issueVerification(tx, ctx.hashCode, {
        userId: user.id,
        purpose: 'password_reset',
        target: user.email,
        withCode: false,
        withToken: true,
        ttlMs: RESET_TOKEN_TTL_MS,
      });
      await recordSecurityEvent(tx, origin, 'user.password_reset_request', user.id);
      return sent;
    });
    await ctx.mail.passwordReset(user.email, issued.token!);
  }

  return {
    /** Returns at once; the link (if the account exists) is made and mailed afterwards. */
    requestReset(email: string, origin: RequestOrigin): void {
      void sendResetLink(email, origin).catch((error: unknown) => ctx.log.error({ err: error }, 'a password reset could not be sent'));
    },

    async reset(token: string, newPassword: string, origin: RequestOrigin): Promise<void> {
      const row = await findByToken(db, 'password_reset', token);
      if (!row) throw invalidToken();
      const [user] = await db.select().from(users).where(eq(users.id, row.userId)).limit(1);
      if (!user) throw invalidToken();
      // Checked before the token is used up, so that a refused password leaves the link working.
      await assertStrongPassword(newPassword, [user.email, user.username, user.firstName, user.lastName], 'body.newPassword');
      const passwordHash = await hashPassword(newPassword);
      const ended = await db.transaction(async (tx) => {
        if (!(await consumeVerification(tx, row.id))) throw invalidToken();
        const now = new Date();
        // The link reached the user's mailbox: that proves the address too.
        const proves = user.email.toLowerCase() === row.target.toLowerCase();
        await tx
          .update(users)
          .set({ passwordHash, updatedAt: now, ...(proves && !user.emailVerifiedAt ? { emailVerifiedAt: now } : {}) })
          .where(eq(users.id, user.id));
        const sessionsEnded = await revokeSessions(tx, user.id);
        await recordSecurityEvent(tx, { ...origin, id: user.id, role: user.role }, 'user.password_reset', user.id, {
          sessionsEnded: sessionsEnded.length,
        });
        return sessionsEnded;
      });
      if (ended.length > 0) ctx.sessionsEnded(user.id);
      void ctx.mail.notice(user, 'password_reset');
    },
  };
}

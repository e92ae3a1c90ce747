// Email verification: a 6-digit code and a link token are mailed on registration and on every email
// change; either one proves the address. Until then the account is flagged (`emailVerified: false`).
// Knows nothing of HTTP.
import { eq } from 'drizzle-orm';
import type { VerifyEmailBody } from '../../../contract/auth.js';
import type { Executor } from '../../db/client.js';
import { users } from '../../db/schema.js';
import type { AuthUser, RequestOrigin } from '../../http/auth.js';
import { AppError, RetryLaterError } from '../../http/errors.js';
import type { AccountSecurity } from './context.js';
import { maskEmail, recordSecurityEvent } from './security-events.js';
import {
  consumeVerification,
  findByToken,
  type IssuedVerification,
  issueVerification,
  lastIssuedAt,
  matchCode,
  type VerificationRow,
} from './verification-codes.js';

const VERIFICATION_TTL_MS = 24 * 60 * 60_000;
/** Resends are spaced at least this far apart. */
export const RESEND_INTERVAL_MS = 60_000;

const invalid = () => new AppError('INVALID_VERIFICATION_CODE', 'The verification code or link is invalid, used or expired');

export function createEmailVerification(ctx: Pick<AccountSecurity, 'db' | 'hashCode' | 'mail' | 'log'>) {
  const { db } = ctx;

  /** A new code and link for the user's current email, in the caller's transaction (the previous one ends). */
  const issue = (tx: Executor, user: { id: string; email: string }): Promise<IssuedVerification> =>
    issueVerification(tx, ctx.hashCode, {
      userId: user.id,
      purpose: 'email_verification',
      target: user.email,
      withCode: true,
      withToken: true,
      ttlMs: VERIFICATION_TTL_MS,
    });

  /** Mails what `issue` made; a failure is logged (the user can ask for another). */
  async function deliver(to: string, issued: IssuedVerification): Promise<boolean> {
    try {
      await ctx.mail.verification(to, issued.code!, issued.token!);
      return true;
    } catch (error) {
      ctx.log.error({ err: error }, 'a verification mail could not be sent');
      return false;
    }
  }

  async function markVerified(row: VerificationRow, origin: RequestOrigin) {
    return db.transaction(async (tx) => {
      if (!(await consumeVerification(tx, row.id))) throw invalid();
      const [user] = await tx.select().from(users).where(eq(users.id, row.userId)).for('update').limit(1);
      // A code proves the address it was sent to, not one the account has moved to since.
      if (!user || user.email.toLowerCase() !== row.target.toLowerCase()) throw invalid();
      if (!user.emailVerifiedAt) {
        await tx.update(users).set({ emailVerifiedAt: new Date() }).where(eq(users.id, user.id));
        await recordSecurityEvent(tx, { ...origin, id: user.id, role: user.role }, 'user.email_verify', user.id, { email: user.email });
      }
      return { email: user.email, emailVerified: true as const };
    });
  }

  return {
    issue,
    deliver,

    /** By the link's token (signed in or not), or by the code (signed in: the code is the caller's). */
    async verify(body: VerifyEmailBody, caller: AuthUser | null, origin: RequestOrigin) {
      if (body.token !== undefined) {
        const row = await findByToken(db, 'email_verification', body.token);
        if (!row) throw invalid();
        return markVerified(row, origin);
      }
      if (!caller) throw new AppError('UNAUTHENTICATED', 'Sign in to verify with a code, or use the link from the mail');
      const row = await matchCode(db, ctx.hashCode, caller.id, 'email_verification', body.code ?? '');
      if (!row) throw invalid();
      return markVerified(row, caller);
    },

    /** Sends a new code and link, at most once a minute. */
    async resend(caller: AuthUser) {
      const [user] = await db.select().from(users).where(eq(users.id, caller.id)).limit(1);
      if (!user) throw new AppError('USER_NOT_FOUND', 'User not found');
      if (user.emailVerifiedAt) throw new AppError('EMAIL_ALREADY_VERIFIED', 'Your email address is already verified');
      const last = await lastIssuedAt(db, user.id, 'email_verification');
      const wait = last ? last.getTime() + RESEND_INTERVAL_MS - Date.now() : 0;
      if (wait > 0) throw new RetryLaterError('RATE_LIMITED', 'A verification mail was just sent; wait before asking for another', wait / 1000);
      const issued = await db.transaction((tx) => issue(tx, user));
      if (!(await deliver(user.email, issued))) {
        throw new AppError('SERVICE_UNAVAILABLE', 'The verification mail could not be sent; try again shortly');
      }
      return { sentTo: maskEmail(user.email), resendAfter: new Date(Date.now() + RESEND_INTERVAL_MS).toISOString() };
    },
  };
}

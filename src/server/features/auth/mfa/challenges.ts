// The second step of a sign-in. A right password on an account with a second factor gives a challenge
// instead of tokens: bound to the user, single use, alive for 5 minutes and for 5 wrong codes at most.
// Completing it with a code of one of its methods starts the session exactly as a password sign-in does.
import { and, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type { MfaChallenge, MfaDeliveryMethod, MfaMethod } from '../../../../contract/auth.js';
import type { Executor } from '../../../db/client.js';
import { activities, mfaChallenges, users } from '../../../db/schema.js';
import type { RequestOrigin } from '../../../http/auth.js';
import { AppError, RetryLaterError } from '../../../http/errors.js';
import type { AccountSecurity } from '../context.js';
import { maskEmail, maskPhone, recordSecurityEvent } from '../security-events.js';
import { startSession, type StartedSession } from '../sessions/store.js';
import { newSixDigitCode, sameHash } from '../verification-codes.js';
import { useTotpCode } from './factors.js';
import { remainingRecoveryCodes, useRecoveryCode } from './recovery-codes.js';
import { loadMfaSettings } from './settings.js';

export const CHALLENGE_TTL_MS = 5 * 60_000;
export const MAX_CHALLENGE_ATTEMPTS = 5;
const RESEND_INTERVAL_MS = 30_000;
const MAX_SENDS = 5;

type UserRow = typeof users.$inferSelect;
type ChallengeRow = typeof mfaChallenges.$inferSelect;

const deadChallenge = () =>
  new AppError('MFA_CHALLENGE_INVALID', 'This sign-in has expired, was completed, or had too many wrong codes: sign in again');

/** Makes the challenge, in the sign-in's transaction. */
export async function createChallenge(tx: Executor, user: UserRow, methods: MfaMethod[], origin: RequestOrigin): Promise<MfaChallenge> {
  // What is long over is of no use.
  await tx
    .delete(mfaChallenges)
    .where(and(eq(mfaChallenges.userId, user.id), lt(mfaChallenges.expiresAt, new Date(Date.now() - 86_400_000))));
  const expiresAt = new Date(Date.now() + CHALLENGE_TTL_MS);
  const [row] = await tx
    .insert(mfaChallenges)
    .values({ userId: user.id, methods, ipAddress: origin.ip, userAgent: (origin.userAgent ?? '').slice(0, 512), expiresAt })
    .returning({ id: mfaChallenges.id });
  return {
    message: 'Enter a code from one of your second factors to finish signing in',
    mfaRequired: true,
    challengeId: row!.id,
    methods,
    expiresAt: expiresAt.toISOString(),
  };
}

const live = (challengeId: string) =>
  and(
    eq(mfaChallenges.id, challengeId),
    isNull(mfaChallenges.consumedAt),
    gt(mfaChallenges.expiresAt, new Date()),
    lt(mfaChallenges.attempts, MAX_CHALLENGE_ATTEMPTS),
  );

export interface CompletedSignIn extends StartedSession {
  user: UserRow;
  method: MfaMethod;
}

export function createChallengeService(ctx: AccountSecurity) {
  const { db } = ctx;

  async function recordFailure(challenge: ChallengeRow, method: MfaMethod, origin: RequestOrigin, reason: string) {
    await recordSecurityEvent(db, origin, 'user.signin_failed', challenge.userId, {
      reason,
      method,
      attempts: challenge.attempts,
    });
  }

  return {
    /** Sends an email or SMS code for the challenge (at most every 30 s, 5 times). */
    async sendCode(challengeId: string, method: MfaDeliveryMethod) {
      const [challenge] = await db.select().from(mfaChallenges).where(live(challengeId)).limit(1);
      if (!challenge) throw deadChallenge();
      if (!challenge.methods.includes(method)) {
        throw new AppError('MFA_METHOD_UNAVAILABLE', `This account cannot receive sign-in codes by ${method}`, { 'body.method': 'is not available' });
      }
      if (challenge.sendCount >= MAX_SENDS) throw deadChallenge();
      const code = newSixDigitCode();
      const resendBoundary = new Date(Date.now() - RESEND_INTERVAL_MS);
      const [claimed] = await db
        .update(mfaChallenges)
        .set({
          codeMethod: method,
          codeHash: ctx.hashCode(challengeId, code),
          codeSentAt: new Date(),
          sendCount: sql`${mfaChallenges.sendCount} + 1`,
        })
        .where(and(live(challengeId), or(isNull(mfaChallenges.codeSentAt), lt(mfaChallenges.codeSentAt, resendBoundary))))
        .returning();
      if (!claimed) {
        const wait = (challenge.codeSentAt?.getTime() ?? Date.now()) + RESEND_INTERVAL_MS - Date.now();
        throw new RetryLaterError('RATE_LIMITED', 'A code was just sent; wait before asking for another', Math.max(1, wait / 1000));
      }
      const [user] = await db.select().from(users).where(eq(users.id, challenge.userId)).limit(1);
      if (!user) throw deadChallenge();
      let sentTo: string;
      if (method === 'email') {
        try {
          await ctx.mail.signInCode(user.email, code);
        } catch (error) {
          ctx.log.error({ err: error }, 'a sign-in code could not be mailed');
          throw new AppError('SERVICE_UNAVAILABLE', 'The code could not be mailed; try again shortly or use another method');
        }
        sentTo = maskEmail(user.email);
      } else {
        const settings = await loadMfaSettings(db, user.id);
        if (!settings?.phoneNumber) throw new AppError('MFA_METHOD_UNAVAILABLE', 'No phone number is set up', { 'body.method': 'is not available' });
        await ctx.sms.send(settings.phoneNumber, `Your skillEd sign-in code is ${code}. It works for 5 minutes. Never share it.`);
        sentTo = maskPhone(settings.phoneNumber);
      }
      return { method, sentTo, resendAfter: new Date(Date.now() + RESEND_INTERVAL_MS).toISOString() };
    },

    /**
     * Checks the code and, when right, uses the challenge up and starts the session. Each call counts
     * one attempt (committed whatever happens next); the 5th wrong code ends the challenge.
     */
    async complete(challengeId: string, method: MfaMethod, code: string, origin: RequestOrigin): Promise<CompletedSignIn> {
      const [challenge] = await db
        .update(mfaChallenges)
        .set({ attempts: sql`${mfaChallenges.attempts} + 1` })
        .where(live(challengeId))
        .returning();
      if (!challenge) throw deadChallenge();
      const left = MAX_CHALLENGE_ATTEMPTS - challenge.attempts;
      const wrongCode = () =>
        new AppError(
          'INVALID_MFA_CODE',
          left > 0 ? `The code is incorrect; ${left} attempt${left === 1 ? '' : 's'} left` : 'The code is incorrect and no attempts are left: sign in again',
          { 'body.code': 'is incorrect' },
        );
      if (!challenge.methods.includes(method)) {
        throw new AppError('MFA_METHOD_UNAVAILABLE', `This sign-in cannot be completed with ${method}`, { 'body.method': 'is not available' });
      }
      try {
        return await db.transaction(async (tx) => {
          const [consumed] = await tx
            .update(mfaChallenges)
            .set({ consumedAt: new Date() })
            .where(and(eq(mfaChallenges.id, challengeId), isNull(mfaChallenges.consumedAt)))
            .returning({ id: mfaChallenges.id });
          if (!consumed) throw deadChallenge();
          const [user] = await tx.select().from(users).where(eq(users.id, challenge.userId)).limit(1);
          if (!user) throw deadChallenge();
          if (user.status === 'suspended') throw new AppError('ACCOUNT_SUSPENDED', 'This account is suspended');
          const settings = await loadMfaSettings(tx, user.id, { lock: true });
          let valid = false;
          if (method === 'totp') valid = Boolean(settings) && (await useTotpCode(tx, ctx.totpSecrets, settings!, code.trim()));
          else if (method === 'recovery') valid = await useRecoveryCode(tx, user.id, code);
          else {
            valid =
              challenge.codeMethod === method &&
              challenge.codeHash !== null &&
              sameHash(challenge.codeHash, ctx.hashCode(challengeId, code.trim()));
          }
          if (!valid) throw wrongCode();

          const actor = { ...origin, id: user.id, role: user.role };
          const started = await startSession(tx, ctx.sessions, user, origin);
          await tx.insert(activities).values({ userId: user.id, type: 'signed_in', title: 'Signed in' });
          await recordSecurityEvent(tx, actor, 'user.signin', user.id, { method, sessionId: started.sessionId });
          if (method === 'recovery') {
            await recordSecurityEvent(tx, actor, 'mfa.recovery_code_used', user.id, {
              remaining: await remainingRecoveryCodes(tx, user.id),
            });
          }
          return { ...started, user, method };
        });
      } catch (error) {
        if (error instanceof AppError && error.code === 'INVALID_MFA_CODE') await recordFailure(challenge, method, origin, 'invalid_code');
        throw error;
      }
    },
  };
}

// Registration, sign-in (with its second step when the account has one), refresh-token rotation and
// sign-out. Knows nothing of HTTP.
import { eq, sql } from 'drizzle-orm';
import type { AuthTokens, MfaChallenge, MfaDeliveryMethod, MfaMethod, RegisterBody } from '../../../contract/auth.js';
import type { Database } from '../../db/client.js';
import { activities, users } from '../../db/schema.js';
import type { AuthUser, RequestOrigin } from '../../http/auth.js';
import { AppError, isUniqueViolation, postgresErrorCode } from '../../http/errors.js';
import { recordAudit } from '../audit/log.js';
import { presentAccount } from '../users/presenter.js';
import type { AccountSecurity } from './context.js';
import { createEmailVerification } from './email-verification.js';
import type { SignInLockout } from './lockout.js';
import { createChallenge, createChallengeService } from './mfa/challenges.js';
import { remainingRecoveryCodes } from './mfa/recovery-codes.js';
import { loadMfaSettings, mfaEnabled, signInMethods } from './mfa/settings.js';
import { assertStrongPassword } from './password-strength.js';
import { decoyHash, hashPassword, verifyPassword } from './passwords.js';
import { recordSecurityEvent } from './security-events.js';
import { describeDevice } from './sessions/device.js';
import { revokeSessions, rotateSession, sessionOfRefreshToken, startSession } from './sessions/store.js';

export interface ClientInfo {
  ipAddress: string;
  userAgent: string;
}

export interface AuthServiceDeps {
  ctx: AccountSecurity;
  /** Slows down and locks repeated sign-in failures; none in tools that sign nobody in. */
  lockout?: SignInLockout;
}

/** A sign-in gives tokens, or, when the account has a second factor, a challenge to complete. */
export type SignInOutcome = { mfaRequired: false; tokens: AuthTokens } | { mfaRequired: true; challenge: MfaChallenge };

type UserRow = typeof users.$inferSelect;

export const findUserByEmail = async (db: Database, email: string): Promise<UserRow | undefined> =>
  (await db.select().from(users).where(sql`lower(${users.email}) = ${email.trim().toLowerCase()}`).limit(1))[0];

const invalidRefresh = () => new AppError('INVALID_REFRESH_TOKEN', 'The refresh token is invalid or expired; sign in again');

export function createAuthService({ ctx, lockout }: AuthServiceDeps) {
  const { db } = ctx;
  const verification = createEmailVerification(ctx);
  const challenges = createChallengeService(ctx);

  const signInFailed = (origin: RequestOrigin, userId: string | null, details: Record<string, unknown>) =>
    recordSecurityEvent(db, origin, 'user.signin_failed', userId, details).catch((error: unknown) =>
      ctx.log.error({ err: error }, 'a failed sign-in could not be audited'),
    );

  return {
    async register(body: Required<Pick<RegisterBody, 'role'>> & RegisterBody, origin: RequestOrigin) {
      if (body.role === 'admin') {
        throw new AppError('ROLE_NOT_ALLOWED', 'Admin accounts can only be created by an admin');
      }
      const [emailTaken, usernameTaken] = await Promise.all([
        db.select({ id: users.id }).from(users).where(sql`lower(${users.email}) = ${body.email.toLowerCase()}`).limit(1),
        db.select({ id: users.id }).from(users).where(sql`lower(${users.username}) = ${body.username.toLowerCase()}`).limit(1),
      ]);
      if (emailTaken.length) throw new AppError('EMAIL_TAKEN', 'An account with this email already exists');
      if (usernameTaken.length) throw new AppError('USERNAME_TAKEN', 'This username is already taken');
      await assertStrongPassword(body.password, [body.email, body.username, body.firstName, body.lastName], 'body.password');
      const passwordHash = await hashPassword(body.password);
      try {
        const { user, issued } = await db.transaction(async (tx) => {
          const [row] = await tx
            .insert(users)
            .values({
              email: body.email,
              passwordHash,
              firstName: body.firstName,
              lastName: body.lastName,
              username: body.username,
              role: body.role,
              ...(body.preferredStudyTime ? { preferredStudyTime: body.preferredStudyTime } : {}),
            })
            .returning();
          // The new user is the actor of their own registration.
          await recordAudit(tx, { ...origin, id: row!.id, role: row!.role }, {
            action: 'user.register',
            targetType: 'user',
            targetId: row!.id,
            after: { email: row!.email, username: row!.username, firstName: row!.firstName, lastName: row!.lastName, role: row!.role },
          });
          return { user: row!, issued: await verification.issue(tx, row!) };
        });
        // Not waited for: a slow mail server must not hold up the sign-up (the user can ask for another).
        void verification.deliver(user.email, issued);
        return presentAccount(user);
      } catch (error) {
        // Lost a race with an identical registration.
        if (isUniqueViolation(error)) {
          const detail = String((error as { cause?: { constraint?: string } }).cause?.constraint ?? error);
          throw detail.includes('username')
            ? new AppError('USERNAME_TAKEN', 'This username is already taken')
            : new AppError('EMAIL_TAKEN', 'An account with this email already exists');
        }
        throw error;
      }
    },

    async signIn(email: string, password: string, client: ClientInfo, origin: RequestOrigin): Promise<SignInOutcome> {
      const verify = async () => {
        const found = await findUserByEmail(db, email);
        const valid = found ? await verifyPassword(found.passwordHash, password) : await verifyPassword(await decoyHash(), password);
        if (!found || !valid) await signInFailed(origin, found?.id ?? null, { reason: 'invalid_credentials', email: email.trim().toLowerCase().slice(0, 254) });
        return found && valid ? found : null;
      };
      const user = lockout ? await lockout.attempt({ email, ...client, origin }, verify) : await verify();
      if (!user) throw new AppError('INVALID_CREDENTIALS', 'Invalid email or password');
      if (user.status === 'suspended') {
        await signInFailed(origin, user.id, { reason: 'suspended' });
        throw new AppError('ACCOUNT_SUSPENDED', 'This account is suspended');
      }
      const actor = { ...origin, id: user.id, role: user.role };
      const settings = await loadMfaSettings(db, user.id);
      if (mfaEnabled(settings)) {
        const methods = signInMethods(settings, await remainingRecoveryCodes(db, user.id));
        const challenge = await db.transaction(async (tx) => {
          const made = await createChallenge(tx, user, methods, origin);
          await recordSecurityEvent(tx, actor, 'user.signin_challenged', user.id, { methods, challengeId: made.challengeId });
          return made;
        });
        return { mfaRequired: true, challenge };
      }
      const started = await db.transaction(async (tx) => {
        const session = await startSession(tx, ctx.sessions, user, origin);
        await tx.insert(activities).values({ userId: user.id, type: 'signed_in', title: 'Signed in' });
        await recordSecurityEvent(tx, actor, 'user.signin', user.id, { method: 'password', sessionId: session.sessionId });
        return session;
      });
      if (started.ended.length > 0) ctx.sessionsEnded(user.id);
      return { mfaRequired: false, tokens: started.tokens };
    },

    /** The second step: a code of one of the challenge's methods gives the tokens a sign-in gives. */
    async completeSignIn(challengeId: string, method: MfaMethod, code: string, origin: RequestOrigin): Promise<AuthTokens> {
      const done = await challenges.complete(challengeId, method, code, origin);
      if (done.ended.length > 0) ctx.sessionsEnded(done.user.id);
      if (done.method === 'recovery') {
        const left = await remainingRecoveryCodes(db, done.user.id);
        void ctx.mail.notice(done.user, 'recovery_code_used', `Recovery codes left: ${left}.`);
      }
      return done.tokens;
    },

    sendSignInCode: (challengeId: string, method: MfaDeliveryMethod) => challenges.sendCode(challengeId, method),

    /**
     * Rotates a refresh token. A token that was already rotated is a theft signal: its whole family ends
     * and the user is told by mail. With IP binding on, a refresh from another network is refused.
     */
    async refresh(refreshToken: string, origin: RequestOrigin): Promise<AuthTokens> {
      const outcome = await rotateSession(db, ctx.sessions, refreshToken, origin);
      if (outcome.kind === 'rotated') return outcome.tokens;
      const { user, sessionId } = outcome;
      if (outcome.kind === 'other_network') {
        await recordSecurityEvent(db, origin, 'session.refresh_refused', user.id, {
          sessionId,
          reason: 'other_network',
          sessionIp: outcome.sessionIp,
        });
        throw new AppError('SESSION_IP_MISMATCH', 'This session cannot be refreshed from another network; sign in again');
      }
      await recordSecurityEvent(db, origin, 'session.refresh_reuse', user.id, { sessionId, sessionsEnded: outcome.ended.length });
      ctx.sessionsEnded(user.id);
      void ctx.mail.notice(
        user,
        'refresh_reuse',
        `It came from ${origin.ip} (${describeDevice(origin.userAgent ?? '')}) at ${new Date().toISOString()}.`,
      );
      throw invalidRefresh();
    },

    /** Ends the session of a refresh token, or else the access token's session. */
    async signOut(refreshToken: string | undefined, caller: AuthUser | null, origin: RequestOrigin) {
      const fromToken = refreshToken ? await sessionOfRefreshToken(db, refreshToken) : undefined;
      const session = fromToken ?? (caller ? { familyId: caller.sessionId, userId: caller.id } : undefined);
      if (!session) return;
      const ended = await db.transaction(async (tx) => {
        const revoked = await revokeSessions(tx, session.userId, { familyIds: [session.familyId] });
        if (revoked.length > 0) {
          await recordSecurityEvent(tx, { ...origin, id: session.userId }, 'session.revoke', session.userId, {
            sessionIds: revoked,
            reason: 'sign_out',
          });
        }
        return revoked;
      });
      if (ended.length > 0) ctx.sessionsEnded(session.userId);
    },

    async check(userId: string) {
      const [user] = await db.select().from(users).where(eq(users.id, userId)).limit(1);
      if (!user || user.status === 'suspended') return { authenticated: false as const };
      const { id, email, role, firstName, lastName, username } = user;
      return { authenticated: true as const, user: { id, email, role, firstName, lastName, username, emailVerified: user.emailVerifiedAt !== null } };
    },
  };
}

/** Makes sure the configured admin account exists (and is an active admin), at every start. */
export async function ensureAdminAccount(db: Database, admin: { email: string; password: string }) {
  const existing = await findUserByEmail(db, admin.email);
  if (existing) {
    if (existing.role !== 'admin' || existing.status !== 'active') {
      await db.update(users).set({ role: 'admin', status: 'active', updatedAt: new Date() }).where(eq(users.id, existing.id));
    }
    return { created: false, id: existing.id };
  }
  const base = admin.email.split('@')[0]!.replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 24) || 'admin';
  for (let attempt = 0; ; attempt++) {
    const username = attempt === 0 ? base : `${base}${attempt}`;
    try {
      const [row] = await db
        .insert(users)
        .values({
          email: admin.email.toLowerCase(),
          passwordHash: await hashPassword(admin.password),
          firstName: 'Platform',
          lastName: 'Admin',
          username,
          role: 'admin',
          // The operator configured this address.
          emailVerifiedAt: new Date(),
        })
        .returning({ id: users.id });
      return { created: true, id: row!.id };
    } catch (error) {
      if (postgresErrorCode(error) !== '23505' || attempt > 20) throw error;
      // another instance may have created it meanwhile
      const raced = await findUserByEmail(db, admin.email);
      if (raced) return { created: false, id: raced.id };
    }
  }
}

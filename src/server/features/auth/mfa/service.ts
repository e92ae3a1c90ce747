// Managing one's second factors: TOTP (enrol, confirm, disable), SMS (enrol a phone, confirm it,
// disable), email codes (enable, disable) and recovery codes. Each change needs the current password
// (confirmations need the code sent or shown at enrolment), signs the user's other sessions out, is
// audited and is mailed to the user. Recovery codes are made when the first factor is turned on and
// deleted when the last one is turned off. Knows nothing of HTTP.
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { MfaMethod, MfaStatus } from '../../../../contract/auth.js';
import type { Executor } from '../../../db/client.js';
import { users, verificationCodes } from '../../../db/schema.js';
import type { AuthUser } from '../../../http/auth.js';
import { AppError, RetryLaterError } from '../../../http/errors.js';
import type { AccountSecurity } from '../context.js';
import { assertCurrentPassword } from '../passwords.js';
import { maskPhone, recordSecurityEvent, type SecurityAction } from '../security-events.js';
import { revokeSessions } from '../sessions/store.js';
import { consumeVerification, issueVerification, lastIssuedAt, matchCode } from '../verification-codes.js';
import { useTotpOrRecoveryCode } from './factors.js';
import { deleteRecoveryCodes, replaceRecoveryCodes } from './recovery-codes.js';
import { loadMfaSettings, lockMfaSettings, mfaEnabled, type MfaSettingsRow, mfaStatus, updateMfaSettings } from './settings.js';
import { matchTotp, newTotpSecret, totpProvisioning } from './totp.js';

const TOTP_ENROLLMENT_TTL_MS = 15 * 60_000;
const PHONE_CODE_TTL_MS = 10 * 60_000;
const PHONE_RESEND_INTERVAL_MS = 30_000;

type UserRow = typeof users.$inferSelect;

export interface MfaChangeResult {
  status: MfaStatus;
  recoveryCodes?: string[];
}

const invalidCode = () => new AppError('INVALID_MFA_CODE', 'The code is incorrect or has expired');
const notEnabled = (what: string) => new AppError('MFA_NOT_ENABLED', `${what} is not turned on`);

export function createMfaService(ctx: AccountSecurity) {
  const { db } = ctx;

  async function loadUser(executor: Executor, userId: string): Promise<UserRow> {
    const [user] = await executor.select().from(users).where(eq(users.id, userId)).limit(1);
    if (!user) throw new AppError('USER_NOT_FOUND', 'User not found');
    return user;
  }

  async function confirmedUser(actor: AuthUser, currentPassword: string): Promise<UserRow> {
    const user = await loadUser(db, actor.id);
    await assertCurrentPassword(user, currentPassword);
    return user;
  }

  async function phonePending(executor: Executor, userId: string): Promise<boolean> {
    const [row] = await executor
      .select({ id: verificationCodes.id })
      .from(verificationCodes)
      .where(
        and(
          eq(verificationCodes.userId, userId),
          eq(verificationCodes.purpose, 'phone_verification'),
          isNull(verificationCodes.consumedAt),
          gt(verificationCodes.expiresAt, new Date()),
        ),
      )
      .limit(1);
    return Boolean(row);
  }

  const statusOf = async (userId: string) => mfaStatus(db, await loadUser(db, userId), await phonePending(db, userId));

  /**
   * Runs a change of the caller's factors in one transaction, then what every change entails: recovery
   * codes when MFA goes on (none when it goes off), the other sessions signed out, the audit row, and
   * after the commit the notice by mail.
   */
  async function changeFactors(
    actor: AuthUser,
    action: Extract<SecurityAction, 'mfa.enable' | 'mfa.disable'>,
    method: MfaMethod,
    change: (tx: Executor, settings: MfaSettingsRow, user: UserRow) => Promise<Record<string, unknown> | void>,
  ): Promise<MfaChangeResult> {
    const outcome = await db.transaction(async (tx) => {
      const user = await loadUser(tx, actor.id);
      const before = await lockMfaSettings(tx, actor.id);
      const details = (await change(tx, before, user)) ?? {};
      const after = await loadMfaSettings(tx, actor.id);
      let recoveryCodes: string[] | undefined;
      if (!mfaEnabled(before) && mfaEnabled(after)) recoveryCodes = await replaceRecoveryCodes(tx, actor.id);
      if (mfaEnabled(before) && !mfaEnabled(after)) await deleteRecoveryCodes(tx, actor.id);
      const ended = await revokeSessions(tx, actor.id, { exceptFamilyId: actor.sessionId });
      await recordSecurityEvent(tx, actor, action, actor.id, {
        method,
        ...details,
        mfaEnabled: mfaEnabled(after),
        sessionsEnded: ended.length,
      });
      return { user, recoveryCodes, ended };
    });
    if (outcome.ended.length > 0) ctx.sessionsEnded(actor.id);
    void ctx.mail.notice(outcome.user, action === 'mfa.enable' ? 'mfa_enabled' : 'mfa_disabled', `Method: ${method}.`);
    return { status: await statusOf(actor.id), ...(outcome.recoveryCodes ? { recoveryCodes: outcome.recoveryCodes } : {}) };
  }

  return {
    status: (actor: AuthUser): Promise<MfaStatus> => statusOf(actor.id),

    /** Starts a TOTP enrolment: a new secret, pending until confirmed with a first code. */
    async enrollTotp(actor: AuthUser, currentPassword: string) {
      const user = await confirmedUser(actor, currentPassword);
      const secret = newTotpSecret();
      const expiresAt = new Date(Date.now() + TOTP_ENROLLMENT_TTL_MS);
      await db.transaction(async (tx) => {
        const settings = await lockMfaSettings(tx, actor.id);
        if (settings.totpEnabledAt) throw new AppError('MFA_ALREADY_ENABLED', 'An authenticator app is already set up; disable it first');
        await updateMfaSettings(tx, actor.id, {
          pendingTotpSecret: ctx.totpSecrets.seal(actor.id, secret),
          pendingTotpExpiresAt: expiresAt,
        });
        await recordSecurityEvent(tx, actor, 'mfa.totp_enrollment_start', actor.id);
      });
      return { secret, ...(await totpProvisioning(secret, user.email)), expiresAt: expiresAt.toISOString() };
    },

    /** Turns TOTP on with the first code from the app. */
    confirmTotp: (actor: AuthUser, code: string) =>
      changeFactors(actor, 'mfa.enable', 'totp', async (tx, settings) => {
        if (settings.totpEnabledAt) throw new AppError('MFA_ALREADY_ENABLED', 'An authenticator app is already set up');
        const pending = settings.pendingTotpSecret;
        if (!pending || !settings.pendingTotpExpiresAt || settings.pendingTotpExpiresAt <= new Date()) {
          throw new AppError('MFA_ENROLLMENT_MISSING', 'No authenticator enrolment is waiting: start one first');
        }
        const secret = ctx.totpSecrets.open(actor.id, pending);
        const step = secret ? matchTotp(secret, code) : null;
        if (step === null) throw invalidCode();
        await updateMfaSettings(tx, actor.id, {
          totpSecret: pending,
          totpEnabledAt: new Date(),
          // The confirming code is used up too.
          totpLastStep: step,
          pendingTotpSecret: null,
          pendingTotpExpiresAt: null,
        });
      }),

    async disableTotp(actor: AuthUser, currentPassword: string, code: string) {
      await confirmedUser(actor, currentPassword);
      return changeFactors(actor, 'mfa.disable', 'totp', async (tx, settings) => {
        if (!settings.totpEnabledAt) throw notEnabled('An authenticator app');
        const used = await useTotpOrRecoveryCode(tx, ctx.totpSecrets, settings, code);
        if (!used) throw invalidCode();
        await updateMfaSettings(tx, actor.id, { totpSecret: null, totpEnabledAt: null, totpLastStep: null });
        return { confirmedWith: used };
      });
    },

    async regenerateRecoveryCodes(actor: AuthUser, currentPassword: string): Promise<string[]> {
      await confirmedUser(actor, currentPassword);
      return db.transaction(async (tx) => {
        const settings = await lockMfaSettings(tx, actor.id);
        if (!mfaEnabled(settings)) throw notEnabled('Two-step sign-in');
        const codes = await replaceRecoveryCodes(tx, actor.id);
        await recordSecurityEvent(tx, actor, 'mfa.recovery_codes_regenerate', actor.id);
        return codes;
      });
    },

    /** Texts a code to the phone number; SMS is turned on once the code comes back. */
    async enrollSms(actor: AuthUser, currentPassword: string, phoneNumber: string) {
      await confirmedUser(actor, currentPassword);
      if (!ctx.sms.available) throw new AppError('SMS_UNAVAILABLE', 'Text messages cannot be sent on this platform');
      const last = await lastIssuedAt(db, actor.id, 'phone_verification');
      const wait = last ? last.getTime() + PHONE_RESEND_INTERVAL_MS - Date.now() : 0;
      if (wait > 0) throw new RetryLaterError('RATE_LIMITED', 'A code was just sent; wait before asking for another', wait / 1000);
      const issued = await db.transaction(async (tx) => {
        const sent = await issueVerification(tx, ctx.hashCode, {
          userId: actor.id,
          purpose: 'phone_verification',
          target: phoneNumber,
          withCode: true,
          withToken: false,
          ttlMs: PHONE_CODE_TTL_MS,
        });
        await recordSecurityEvent(tx, actor, 'mfa.sms_enrollment_start', actor.id, { phoneNumber: maskPhone(phoneNumber) });
        return sent;
      });
      await ctx.sms.send(phoneNumber, `Your skillEd verification code is ${issued.code}. It works for 10 minutes.`);
      return { sentTo: maskPhone(phoneNumber), resendAfter: new Date(Date.now() + PHONE_RESEND_INTERVAL_MS).toISOString() };
    },

    async confirmSms(actor: AuthUser, code: string) {
      const row = await matchCode(db, ctx.hashCode, actor.id, 'phone_verification', code);
      if (!row) throw invalidCode();
      return changeFactors(actor, 'mfa.enable', 'sms', async (tx) => {
        if (!(await consumeVerification(tx, row.id))) throw invalidCode();
        const now = new Date();
        await updateMfaSettings(tx, actor.id, { phoneNumber: row.target, phoneVerifiedAt: now, smsEnabledAt: now });
        return { phoneNumber: maskPhone(row.target) };
      });
    },

    async disableSms(actor: AuthUser, currentPassword: string) {
      await confirmedUser(actor, currentPassword);
      return changeFactors(actor, 'mfa.disable', 'sms', async (tx, settings) => {
        if (!settings.smsEnabledAt) throw notEnabled('Sign-in codes by text message');
        await updateMfaSettings(tx, actor.id, { smsEnabledAt: null, phoneNumber: null, phoneVerifiedAt: null });
      });
    },

    async enableEmail(actor: AuthUser, currentPassword: string) {
      await confirmedUser(actor, currentPassword);
      return changeFactors(actor, 'mfa.enable', 'email', async (tx, settings, user) => {
        if (!user.emailVerifiedAt) throw new AppError('EMAIL_NOT_VERIFIED', 'Verify your email address first');
        if (settings.emailEnabledAt) throw new AppError('MFA_ALREADY_ENABLED', 'Sign-in codes by email are already on');
        await updateMfaSettings(tx, actor.id, { emailEnabledAt: new Date() });
      });
    },

    async disableEmail(actor: AuthUser, currentPassword: string) {
      await confirmedUser(actor, currentPassword);
      return changeFactors(actor, 'mfa.disable', 'email', async (tx, settings) => {
        if (!settings.emailEnabledAt) throw notEnabled('Sign-in codes by email');
        await updateMfaSettings(tx, actor.id, { emailEnabledAt: null });
      });
    },
  };
}

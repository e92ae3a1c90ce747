// A user's second factors as stored, and what they allow at sign-in.
import { eq } from 'drizzle-orm';
import type { MfaMethod, MfaStatus } from '../../../../contract/auth.js';
import type { Executor } from '../../../db/client.js';
import { mfaSettings, users } from '../../../db/schema.js';
import { maskPhone } from '../security-events.js';
import { remainingRecoveryCodes } from './recovery-codes.js';

export type MfaSettingsRow = typeof mfaSettings.$inferSelect;
type UserRow = typeof users.$inferSelect;

export async function loadMfaSettings(db: Executor, userId: string, options: { lock?: boolean } = {}): Promise<MfaSettingsRow | undefined> {
  const query = db.select().from(mfaSettings).where(eq(mfaSettings.userId, userId)).limit(1);
  const [row] = options.lock ? await query.for('update') : await query;
  return row;
}

/** Creates the user's row if needed, then returns it locked for the rest of the transaction. */
export async function lockMfaSettings(tx: Executor, userId: string): Promise<MfaSettingsRow> {
  await tx.insert(mfaSettings).values({ userId }).onConflictDoNothing();
  return (await loadMfaSettings(tx, userId, { lock: true }))!;
}

export async function updateMfaSettings(tx: Executor, userId: string, changes: Partial<Omit<MfaSettingsRow, 'userId'>>): Promise<void> {
  await tx
    .update(mfaSettings)
    .set({ ...changes, updatedAt: new Date() })
    .where(eq(mfaSettings.userId, userId));
}

/** Whether sign-in asks for a second factor: one of TOTP, SMS or email is on (recovery codes only back them up). */
export const mfaEnabled = (settings: MfaSettingsRow | undefined): boolean =>
  Boolean(settings && (settings.totpEnabledAt || settings.smsEnabledAt || settings.emailEnabledAt));

export function signInMethods(settings: MfaSettingsRow | undefined, recoveryCodesLeft: number): MfaMethod[] {
  if (!settings || !mfaEnabled(settings)) return [];
  const methods: MfaMethod[] = [];
  if (settings.totpEnabledAt) methods.push('totp');
  if (settings.smsEnabledAt && settings.phoneNumber) methods.push('sms');
  if (settings.emailEnabledAt) methods.push('email');
  if (recoveryCodesLeft > 0) methods.push('recovery');
  return methods;
}

export async function mfaStatus(db: Executor, user: UserRow, hasPendingPhone: boolean): Promise<MfaStatus> {
  const settings = await loadMfaSettings(db, user.id);
  const recoveryCodesRemaining = await remainingRecoveryCodes(db, user.id);
  const pendingTotp = Boolean(settings?.pendingTotpSecret && settings.pendingTotpExpiresAt && settings.pendingTotpExpiresAt > new Date());
  return {
    enabled: mfaEnabled(settings),
    methods: signInMethods(settings, recoveryCodesRemaining),
    totp: { enabled: Boolean(settings?.totpEnabledAt), enrollmentPending: pendingTotp },
    sms: {
      enabled: Boolean(settings?.smsEnabledAt),
      phoneNumber: settings?.phoneNumber ? maskPhone(settings.phoneNumber) : null,
      verificationPending: hasPendingPhone,
    },
    email: { enabled: Boolean(settings?.emailEnabledAt), available: user.emailVerifiedAt !== null },
    recoveryCodesRemaining,
  };
}

// Checking a second factor: a TOTP code (each time step accepted once), or a recovery code (each used once).
import { and, eq, isNull, lt, or } from 'drizzle-orm';
import type { Executor } from '../../../db/client.js';
import { mfaSettings } from '../../../db/schema.js';
import type { SecretBox } from '../../../http/secret-box.js';
import type { MfaSettingsRow } from './settings.js';
import { useRecoveryCode } from './recovery-codes.js';
import { matchTotp } from './totp.js';

/**
 * Accepts a TOTP code of the current step or one step either side, but only if no code of that step or
 * a later one was accepted before: a code seen once (or copied meanwhile) never works again.
 */
export async function useTotpCode(tx: Executor, secrets: SecretBox, settings: MfaSettingsRow, code: string): Promise<boolean> {
  if (!settings.totpSecret || !settings.totpEnabledAt) return false;
  const secret = secrets.open(settings.userId, settings.totpSecret);
  if (!secret) return false;
  const step = matchTotp(secret, code);
  if (step === null) return false;
  const advanced = await tx
    .update(mfaSettings)
    .set({ totpLastStep: step })
    .where(and(eq(mfaSettings.userId, settings.userId), or(isNull(mfaSettings.totpLastStep), lt(mfaSettings.totpLastStep, step))))
    .returning({ userId: mfaSettings.userId });
  return advanced.length === 1;
}

/** A TOTP code or, failing that, a recovery code; says which one worked. */
export async function useTotpOrRecoveryCode(
  tx: Executor,
  secrets: SecretBox,
  settings: MfaSettingsRow,
  code: string,
): Promise<'totp' | 'recovery' | null> {
  if (/^\d{6}$/.test(code.trim())) return (await useTotpCode(tx, secrets, settings, code.trim())) ? 'totp' : null;
  return (await useRecoveryCode(tx, settings.userId, code)) ? 'recovery' : null;
}

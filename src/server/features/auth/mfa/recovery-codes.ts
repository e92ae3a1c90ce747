// Recovery codes: ten single-use codes, shown once. Each has 50 random bits, so each is stored with
// its own random salt under SHA-256 (as ASVS 2.6.2 asks of lookup secrets below 112 bits).
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Executor } from '../../../db/client.js';
import { recoveryCodes } from '../../../db/schema.js';

export const RECOVERY_CODE_COUNT = 10;
// No 0/O or 1/I: codes are read off paper and typed.
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 10;

/** What the user typed, as stored: upper case, without spaces or dashes. */
const normalise = (code: string): string => code.toUpperCase().replace(/[\s-]/g, '');
const digest = (salt: string, normalised: string): string => createHash('sha256').update(`${salt}:${normalised}`).digest('hex');

function newCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/** Replaces the user's recovery codes with new ones; returns them (the only time they are readable). */
export async function replaceRecoveryCodes(tx: Executor, userId: string): Promise<string[]> {
  await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newCode);
  await tx.insert(recoveryCodes).values(
    codes.map((code) => {
      const salt = randomBytes(16).toString('hex');
      return { userId, salt, codeHash: digest(salt, normalise(code)) };
    }),
  );
  return codes;
}

export async function deleteRecoveryCodes(tx: Executor, userId: string): Promise<void> {
  await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
}

export async function remainingRecoveryCodes(db: Executor, userId: string): Promise<number> {
  const rows = await db
    .select({ id: recoveryCodes.id })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)));
  return rows.length;
}

/** Uses up the matching unused code; false when none matches (or a concurrent request used it first). */
export async function useRecoveryCode(tx: Executor, userId: string, typed: string): Promise<boolean> {
  const candidate = normalise(typed);
  if (candidate.length !== CODE_LENGTH) return false;
  const unused = await tx
    .select({ id: recoveryCodes.id, salt: recoveryCodes.salt, codeHash: recoveryCodes.codeHash })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)));
  const match = unused.find((row) => timingSafeEqual(Buffer.from(row.codeHash, 'hex'), Buffer.from(digest(row.salt, candidate), 'hex')));
  if (!match) return false;
  const used = await tx
    .update(recoveryCodes)
    .set({ usedAt: new Date() })
    .where(and(eq(recoveryCodes.id, match.id), isNull(recoveryCodes.usedAt)))
    .returning({ id: recoveryCodes.id });
  return used.length === 1;
}

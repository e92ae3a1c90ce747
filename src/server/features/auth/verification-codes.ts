// Codes and link tokens sent by mail or SMS (email verification, phone verification, password reset).
// A 6-digit code is kept as a keyed hash and allows a few wrong guesses; a link token has 256 random
// bits and is kept as a plain SHA-256. Both are single use and expire; a new one ends the previous one.
import { randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { and, desc, eq, gt, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { verificationCodes } from '../../db/schema.js';
import { hashToken, newRefreshToken } from '../../http/tokens.js';

export type VerificationPurpose = (typeof verificationCodes.$inferSelect)['purpose'];
export type VerificationRow = typeof verificationCodes.$inferSelect;
/** A keyed hash of a code, scoped to the row it belongs to. */
export type CodeHasher = (scope: string, code: string) => string;

/** Wrong codes allowed before the code stops working (a new one must be sent). */
export const MAX_CODE_ATTEMPTS = 5;

export const newSixDigitCode = (): string => String(randomInt(1_000_000)).padStart(6, '0');

export interface IssueOptions {
  userId: string;
  purpose: VerificationPurpose;
  target: string;
  withCode: boolean;
  withToken: boolean;
  ttlMs: number;
}

export interface IssuedVerification {
  code?: string;
  token?: string;
  expiresAt: Date;
}

export async function issueVerification(tx: Executor, hashCode: CodeHasher, options: IssueOptions): Promise<IssuedVerification> {
  const now = new Date();
  await tx
    .update(verificationCodes)
    .set({ consumedAt: now })
    .where(
      and(
        eq(verificationCodes.userId, options.userId),
        eq(verificationCodes.purpose, options.purpose),
        isNull(verificationCodes.consumedAt),
      ),
    );
  // Keeps the table small: what is long over is of no use.
  await tx
    .delete(verificationCodes)
    .where(and(eq(verificationCodes.userId, options.userId), lt(verificationCodes.expiresAt, new Date(now.getTime() - 86_400_000))));
  const id = randomUUID();
  const code = options.withCode ? newSixDigitCode() : undefined;
  const token = options.withToken ? newRefreshToken() : undefined;
  const expiresAt = new Date(now.getTime() + options.ttlMs);
  await tx.insert(verificationCodes).values({
    id,
    userId: options.userId,
    purpose: options.purpose,
    target: options.target,
    codeHash: code ? hashCode(id, code) : null,
    tokenHash: token ? hashToken(token) : null,
    expiresAt,
  });
  return { ...(code ? { code } : {}), ...(token ? { token } : {}), expiresAt };
}

/** When the last code for this purpose was sent, to space out resends. */
export async function lastIssuedAt(db: Executor, userId: string, purpose: VerificationPurpose): Promise<Date | null> {
  const [row] = await db
    .select({ createdAt: verificationCodes.createdAt })
    .from(verificationCodes)
    .where(and(eq(verificationCodes.userId, userId), eq(verificationCodes.purpose, purpose)))
    .orderBy(desc(verificationCodes.createdAt))
    .limit(1);
  return row?.createdAt ?? null;
}

/**
 * Counts one attempt against the user's live code for this purpose and returns its row when the code
 * matches. The attempt is counted (committed) whatever the outcome; the caller consumes the row.
 */
export async function matchCode(
  db: Executor,
  hashCode: CodeHasher,
  userId: string,
  purpose: VerificationPurpose,
  code: string,
): Promise<VerificationRow | null> {
  const [live] = await db
    .update(verificationCodes)
    .set({ attempts: sql`${verificationCodes.attempts} + 1` })
    .where(
      and(
        eq(
          verificationCodes.id,
          sql`(select id from verification_codes
                where user_id = ${userId} and purpose = ${purpose} and consumed_at is null and code_hash is not null
                  and expires_at > now()
                order by created_at desc limit 1)`,
        ),
        lt(verificationCodes.attempts, MAX_CODE_ATTEMPTS),
      ),
    )
    .returning();
  if (!live?.codeHash) return null;
  return sameHash(live.codeHash, hashCode(live.id, code)) ? live : null;
}

/** Compares two hex digests in constant time. */
export const sameHash = (a: string, b: string): boolean =>
  a.length === b.length && timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));

/** The live row of a link token, or null. */
export async function findByToken(db: Executor, purpose: VerificationPurpose, token: string): Promise<VerificationRow | null> {
  const [row] = await db
    .select()
    .from(verificationCodes)
    .where(
      and(
        eq(verificationCodes.tokenHash, hashToken(token)),
        eq(verificationCodes.purpose, purpose),
        isNull(verificationCodes.consumedAt),
        gt(verificationCodes.expiresAt, new Date()),
        isNotNull(verificationCodes.tokenHash),
      ),
    )
    .limit(1);
  return row ?? null;
}

/** Uses the row up; false when another request used it first (or it expired meanwhile). */
export async function consumeVerification(tx: Executor, id: string): Promise<boolean> {
  const used = await tx
    .update(verificationCodes)
    .set({ consumedAt: new Date() })
    .where(and(eq(verificationCodes.id, id), isNull(verificationCodes.consumedAt), gt(verificationCodes.expiresAt, new Date())))
    .returning({ id: verificationCodes.id });
  return used.length === 1;
}

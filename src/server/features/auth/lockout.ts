// Sign-in lockout. The rule, per account (the email as typed, lower-cased) and IP address pair:
//  - each failure is answered a little later than the last (LOCKOUT_DELAY_MS, doubling, at most 4 s);
//  - the LOCKOUT_THRESHOLD-th failure in a row locks the pair for LOCKOUT_MINUTES; each further lock of
//    the same pair within 24 hours doubles, up to LOCKOUT_MAX_MINUTES. While locked, no password is
//    checked at all (429 ACCOUNT_LOCKED with Retry-After);
//  - a successful sign-in clears the pair's failures and lock history.
// And per account, from every address: LOCKOUT_ACCOUNT_THRESHOLD failures within
// LOCKOUT_ACCOUNT_WINDOW_MINUTES lock the account for addresses it has never signed in from (no session
// from that IP in the last 30 days) until the window ends. Known addresses keep their own pair rule, so
// an attacker can lock only the pairs they use, never the user's own devices; a successful sign-in from
// a known address also clears the account's count. Lock starts are written to the audit log with the
// IP address and user agent.
import { createHash } from 'node:crypto';
import { and, eq, gt, sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { SecuritySettings } from '../../config.js';
import type { Database } from '../../db/client.js';
import { sessions, users } from '../../db/schema.js';
import type { RequestOrigin } from '../../http/auth.js';
import type { CounterStore } from '../../http/counter-store.js';
import { RetryLaterError } from '../../http/errors.js';
import { recordAudit } from '../audit/log.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const KNOWN_ADDRESS_DAYS = 30;
const MAX_DELAY_MS = 4_000;

export interface SignInAttempt {
  email: string;
  ipAddress: string;
  userAgent: string;
  origin: RequestOrigin;
}

export interface SignInLockout {
  /**
   * Runs `verify` (which checks the password and returns the account, or null) unless the account is
   * locked for this address, and counts its outcome. Throws ACCOUNT_LOCKED when locked or when this
   * failure starts a lock.
   */
  attempt<T>(attempt: SignInAttempt, verify: () => Promise<T | null>): Promise<T | null>;
}

declare module 'fastify' {
  interface FastifyInstance {
    signInLockout: SignInLockout;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function minutesText(ms: number): string {
  const minutes = Math.ceil(ms / 60_000);
  return minutes <= 1 ? 'a minute' : `${minutes} minutes`;
}

export function createSignInLockout(deps: {
  db: Database;
  counters: CounterStore;
  settings: SecuritySettings['lockout'];
  log: FastifyBaseLogger;
}): SignInLockout {
  const { db, counters, settings } = deps;

  async function accountOf(email: string) {
    const [row] = await db
      .select({ id: users.id, role: users.role })
      .from(users)
      .where(sql`lower(${users.email}) = ${email}`)
      .limit(1);
    return row;
  }

  async function knownAddress(email: string, ip: string): Promise<boolean> {
    const account = await accountOf(email);
    if (!account) return false;
    const since = new Date(Date.now() - KNOWN_ADDRESS_DAYS * DAY_MS);
    const [row] = await db
      .select({ id: sessions.id })
      .from(sessions)
      .where(and(eq(sessions.userId, account.id), eq(sessions.ipAddress, ip), gt(sessions.createdAt, since)))
      .limit(1);
    return Boolean(row);
  }

  async function audit(attempt: SignInAttempt, email: string, action: string, after: Record<string, unknown>) {
    const account = await accountOf(email);
    if (!account) return;
    await recordAudit(db, attempt.origin, {
      action,
      targetType: 'user',
      targetId: account.id,
      after: { ip: attempt.ipAddress, userAgent: attempt.userAgent.slice(0, 200), ...after },
    }).catch((error: unknown) => deps.log.error({ err: error }, 'could not record a sign-in lockout'));
  }

  return {
    async attempt(attempt, verify) {
      const email = attempt.email.trim().toLowerCase();
      const id = createHash('sha256').update(email).digest('base64url').slice(0, 22);
      const pair = `signin:${id}:${attempt.ipAddress}`;
      const keys = { failures: `${pair}:failures`, lock: `${pair}:lock`, level: `${pair}:level`, account: `signin:${id}:account` };

      const lock = await counters.read(keys.lock);
      if (lock) {
        throw new RetryLaterError(
          'ACCOUNT_LOCKED',
          `Too many failed sign-in attempts; try again in ${minutesText(lock.ttlMs)}`,
          lock.ttlMs / 1000,
        );
      }
      const accountFailures = await counters.read(keys.account);
      if (accountFailures && accountFailures.count >= settings.accountThreshold && !(await knownAddress(email, attempt.ipAddress))) {
        throw new RetryLaterError(
          'ACCOUNT_LOCKED',
          `Too many failed sign-in attempts on this account; try again in ${minutesText(accountFailures.ttlMs)} or from a device you used before`,
          accountFailures.ttlMs / 1000,
        );
      }

      const account = await verify();
      if (account) {
        const known = await knownAddress(email, attempt.ipAddress);
        await counters.remove(keys.failures, keys.lock, keys.level, ...(known ? [keys.account] : []));
        return account;
      }

      const failures = await counters.increment(keys.failures, DAY_MS);
      const total = await counters.increment(keys.account, settings.accountWindowMs);
      if (total.count === settings.accountThreshold) {
        await audit(attempt, email, 'user.signin_account_throttled', { failures: total.count, untilSeconds: Math.ceil(total.ttlMs / 1000) });
      }
      if (failures.count >= settings.threshold) {
        const level = await counters.increment(keys.level, DAY_MS);
        const lockMs = Math.min(settings.lockMs * 2 ** (level.count - 1), settings.maxLockMs);
        await counters.set(keys.lock, level.count, lockMs);
        await counters.remove(keys.failures);
        await audit(attempt, email, 'user.signin_locked', {
          failures: failures.count,
          lockNumber: level.count,
          lockedUntil: new Date(Date.now() + lockMs).toISOString(),
        });
        throw new RetryLaterError('ACCOUNT_LOCKED', `Too many failed sign-in attempts; try again in ${minutesText(lockMs)}`, lockMs / 1000);
      }
      if (settings.delayMs > 0) await sleep(Math.min(settings.delayMs * 2 ** (failures.count - 1), MAX_DELAY_MS));
      return null;
    },
  };
}

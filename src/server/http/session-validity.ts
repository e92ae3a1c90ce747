// Whether an access token's session still holds: the session was not revoked (sign-out, suspension,
// password change) and its user is active. Access tokens are verified without a database read, so each
// instance keeps the answer for a few seconds: a revocation reaches every instance within that bound,
// and the instance that made it forgets its own entries at once.
import { sql } from 'drizzle-orm';
import type { UserRole } from '../../contract/common.js';
import { type Database, queryRows } from '../db/client.js';

/** How long an instance trusts what it read about a session. */
export const SESSION_CHECK_TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

/** The user's current role when the session is valid; null when it is not. */
export type SessionState = { role: UserRole } | null;

export interface SessionValidity {
  check(userId: string, sessionId: string): Promise<SessionState>;
  /** Drops what this instance knows of the user's sessions (after a suspension or a role change). */
  forgetUser(userId: string): void;
}

interface Entry {
  userId: string;
  state: SessionState;
  expiresAt: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createSessionValidity(db: Database, ttlMs = SESSION_CHECK_TTL_MS): SessionValidity {
  const entries = new Map<string, Entry>();
  // One read per session at a time, however many requests arrive together.
  const pending = new Map<string, Promise<SessionState>>();

  async function read(userId: string, sessionId: string): Promise<SessionState> {
    if (!UUID.test(userId) || !UUID.test(sessionId)) return null;
    const [row] = await queryRows<{ role: UserRole; status: string; live: boolean }>(
      db,
      sql`
      select u.role, u.status,
        exists(select 1 from sessions s
               where s.family_id = ${sessionId} and s.user_id = u.id and s.revoked_at is null) as live
        from users u where u.id = ${userId}`,
    );
    return row && row.status === 'active' && row.live ? { role: row.role } : null;
  }

  function remember(key: string, userId: string, state: SessionState) {
    entries.delete(key);
    if (entries.size >= MAX_ENTRIES) {
      const oldest = entries.keys().next();
      if (!oldest.done) entries.delete(oldest.value);
    }
    entries.set(key, { userId, state, expiresAt: Date.now() + ttlMs });
  }

  return {
    async check(userId, sessionId) {
      const key = `${userId}:${sessionId}`;
      const cached = entries.get(key);
      if (cached && cached.expiresAt > Date.now()) return cached.state;
      let inFlight = pending.get(key);
      if (!inFlight) {
        inFlight = read(userId, sessionId)
          .then((state) => {
            // A forgetUser() during the read must not be undone by a stale answer.
            if (pending.get(key) === inFlight) remember(key, userId, state);
            return state;
          })
          .finally(() => {
            if (pending.get(key) === inFlight) pending.delete(key);
          });
        pending.set(key, inFlight);
      }
      return inFlight;
    },

    forgetUser(userId) {
      for (const [key, entry] of entries) if (entry.userId === userId) entries.delete(key);
      for (const key of pending.keys()) if (key.startsWith(`${userId}:`)) pending.delete(key);
    },
  };
}

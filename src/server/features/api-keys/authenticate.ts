// Authenticating a request by API key. A key is looked up by its hash and remembered for a few seconds,
// as sessions are: a revocation, an expiry, a suspension or a role change applies on every instance
// within that bound (at once on the instance that made it). The key's last use (time and IP) is written
// at most once a minute per key and instance; when that write sees an IP address the key was not last
// used from (its first use included), an `api_key.use` row goes to the audit log.
import { eq } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { UserRole } from '../../../contract/common.js';
import type { Database } from '../../db/client.js';
import { apiKeys, users } from '../../db/schema.js';
import type { ApiKeyAuthenticator, ApiKeyIdentity } from '../../http/auth.js';
import { type Permission, rolePermissions } from '../../http/permissions.js';
import { SESSION_CHECK_TTL_MS } from '../../http/session-validity.js';
import { recordAudit } from '../audit/log.js';
import { API_KEY_FORMAT, hashApiKey } from './service.js';

const LAST_USE_INTERVAL_MS = 60_000;
const MAX_ENTRIES = 10_000;

interface KeyState {
  keyId: string;
  userId: string;
  role: UserRole;
  scopes: string[];
  expiresAt: number | null;
  valid: boolean;
  lastUsedIp: string | null;
}

interface Entry {
  state: KeyState | null;
  readAt: number;
}

export function createApiKeyAuthenticator(db: Database, log: FastifyBaseLogger, ttlMs = SESSION_CHECK_TTL_MS): ApiKeyAuthenticator {
  const byHash = new Map<string, Entry>();
  const lastWritten = new Map<string, number>();

  async function read(hash: string): Promise<KeyState | null> {
    const [row] = await db
      .select({
        keyId: apiKeys.id,
        userId: apiKeys.userId,
        scopes: apiKeys.scopes,
        expiresAt: apiKeys.expiresAt,
        revokedAt: apiKeys.revokedAt,
        lastUsedIp: apiKeys.lastUsedIp,
        role: users.role,
        status: users.status,
      })
      .from(apiKeys)
      .innerJoin(users, eq(users.id, apiKeys.userId))
      .where(eq(apiKeys.keyHash, hash))
      .limit(1);
    if (!row) return null;
    return {
      keyId: row.keyId,
      userId: row.userId,
      role: row.role,
      scopes: row.scopes,
      expiresAt: row.expiresAt?.getTime() ?? null,
      valid: !row.revokedAt && row.status === 'active',
      lastUsedIp: row.lastUsedIp,
    };
  }

  function remember(hash: string, state: KeyState | null) {
    byHash.delete(hash);
    if (byHash.size >= MAX_ENTRIES) {
      const oldest = byHash.keys().next();
      if (!oldest.done) byHash.delete(oldest.value);
    }
    byHash.set(hash, { state, readAt: Date.now() });
  }

  function recordUse(state: KeyState, ip: string, requestId: string) {
    const now = Date.now();
    if (now - (lastWritten.get(state.keyId) ?? 0) < LAST_USE_INTERVAL_MS) return;
    lastWritten.set(state.keyId, now);
    if (lastWritten.size > MAX_ENTRIES) lastWritten.delete(lastWritten.keys().next().value!);
    const newAddress = state.lastUsedIp !== ip;
    state.lastUsedIp = ip;
    void db
      .transaction(async (tx) => {
        await tx.update(apiKeys).set({ lastUsedAt: new Date(now), lastUsedIp: ip }).where(eq(apiKeys.id, state.keyId));
        if (newAddress) {
          await recordAudit(tx, { id: state.userId, role: state.role, ip, requestId }, {
            action: 'api_key.use',
            targetType: 'api_key',
            targetId: state.keyId,
            after: { ip },
          });
        }
      })
      .catch((error: unknown) => log.warn({ err: error, keyId: state.keyId }, 'could not record the use of an API key'));
  }

  return {
    async authenticate(key, origin): Promise<ApiKeyIdentity | null> {
      if (!API_KEY_FORMAT.test(key)) return null;
      const hash = hashApiKey(key);
      const cached = byHash.get(hash);
      let state: KeyState | null;
      if (cached && Date.now() - cached.readAt < ttlMs) state = cached.state;
      else {
        state = await read(hash);
        remember(hash, state);
      }
      if (!state || !state.valid || (state.expiresAt !== null && state.expiresAt <= Date.now())) return null;
      recordUse(state, origin.ip, origin.requestId);
      const allowed = rolePermissions[state.role];
      // The key's scopes as far as the owner's current role still holds them.
      const scopes = new Set(state.scopes.filter((scope): scope is Permission => allowed.has(scope as Permission)));
      return { keyId: state.keyId, userId: state.userId, role: state.role, scopes, full: [...allowed].every((p) => scopes.has(p)) };
    },

    forget(keyId) {
      for (const [hash, entry] of byHash) if (entry.state?.keyId === keyId) byHash.delete(hash);
    },
  };
}

// Named API keys: created by a user for themselves or by an admin for a user, with scopes within the
// owner's role, an optional expiry; shown once and stored as a SHA-256 hash (a key is 256 random bits,
// so a fast hash is enough); rotated with a grace period for the old key; revoked at once.
import { createHash, randomBytes } from 'node:crypto';
import { and, count, desc, eq, gt, isNotNull, isNull, lte, or, type SQL } from 'drizzle-orm';
import type { ApiKey, ApiKeyListQuery, ApiKeyStatus, CreateApiKeyBody, CreatedApiKey } from '../../../contract/api-keys.js';
import type { Database, Executor } from '../../db/client.js';
import { pageInfo, pageOffset } from '../../db/pagination.js';
import { apiKeys, users } from '../../db/schema.js';
import { assertActingForSelf, type AuthUser } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { type Permission, rolePermissions } from '../../http/permissions.js';
import { recordAudit } from '../audit/log.js';
import { iso, isoOrNull } from '../users/presenter.js';

export const API_KEY_PREFIX = 'sk_live_';
/** `sk_live_` and 43 base64url characters (32 random bytes). */
export const API_KEY_FORMAT = /^sk_live_[A-Za-z0-9_-]{43}$/;
const MAX_ACTIVE_KEYS = 25;
const MAX_LIFETIME_MS = 2 * 366 * 24 * 60 * 60 * 1000;

export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

type ApiKeyRow = typeof apiKeys.$inferSelect;

function statusOf(row: ApiKeyRow, now = Date.now()): ApiKeyStatus {
  if (row.revokedAt) return 'revoked';
  if (row.expiresAt && row.expiresAt.getTime() <= now) return 'expired';
  return 'active';
}

export function presentApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    userId: row.userId,
    createdBy: row.createdBy,
    scopes: row.scopes,
    status: statusOf(row),
    expiresAt: isoOrNull(row.expiresAt),
    revokedAt: isoOrNull(row.revokedAt),
    replacedBy: row.replacedBy,
    lastUsedAt: isoOrNull(row.lastUsedAt),
    lastUsedIp: row.lastUsedIp,
    createdAt: iso(row.createdAt),
  };
}

function statusFilter(status: ApiKeyStatus | undefined): SQL | undefined {
  const now = new Date();
  if (status === 'revoked') return isNotNull(apiKeys.revokedAt);
  if (status === 'expired') return and(isNull(apiKeys.revokedAt), isNotNull(apiKeys.expiresAt), lte(apiKeys.expiresAt, now));
  if (status === 'active') return and(isNull(apiKeys.revokedAt), or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)));
  return undefined;
}

function newSecret(): { key: string; prefix: string; hash: string } {
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, prefix: key.slice(0, API_KEY_PREFIX.length + 6), hash: hashApiKey(key) };
}

export interface ApiKeysServiceDeps {
  db: Database;
  /** Drops what this instance remembers of a key, so that a revocation applies here at once. */
  forgetKey: (keyId: string) => void;
}

export function createApiKeysService({ db, forgetKey }: ApiKeysServiceDeps) {
  async function ownerOf(tx: Executor, userId: string) {
    const [owner] = await tx.select({ id: users.id, role: users.role }).from(users).where(eq(users.id, userId)).limit(1);
    if (!owner) throw new AppError('USER_NOT_FOUND', 'User not found');
    return owner;
  }

  /** The key if the caller may see it: its owner, or an admin. Others get the same 404 as for a missing key. */
  async function visibleKey(tx: Executor, user: AuthUser, keyId: string, lock = false): Promise<ApiKeyRow> {
    const query = tx.select().from(apiKeys).where(eq(apiKeys.id, keyId)).limit(1);
    const [row] = lock ? await query.for('update') : await query;
    if (!row || (row.userId !== user.id && user.role !== 'admin')) throw new AppError('API_KEY_NOT_FOUND', 'API key not found');
    return row;
  }

  return {
    async create(user: AuthUser, body: CreateApiKeyBody): Promise<CreatedApiKey> {
      const ownerId = body.userId ?? user.id;
      assertActingForSelf(user, body.userId, 'userId');
      const expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
      if (expiresAt && expiresAt.getTime() <= Date.now()) {
        throw new AppError('VALIDATION_ERROR', 'Invalid request: body.expiresAt must be in the future', { 'body.expiresAt': 'must be in the future' });
      }
      if (expiresAt && expiresAt.getTime() > Date.now() + MAX_LIFETIME_MS) {
        throw new AppError('VALIDATION_ERROR', 'Invalid request: body.expiresAt is too far ahead', { 'body.expiresAt': 'must be at most two years ahead' });
      }
      return db.transaction(async (tx) => {
        const owner = await ownerOf(tx, ownerId);
        const allowed = rolePermissions[owner.role];
        const details: Record<string, string> = {};
        body.scopes.forEach((scope, index) => {
          if (!allowed.has(scope as Permission)) details[`body.scopes.${index}`] = `is not a permission of the ${owner.role} role`;
        });
        const first = Object.entries(details)[0];
        if (first) throw new AppError('VALIDATION_ERROR', `Invalid request: ${first[0]} ${first[1]}`, details);
        const [{ active } = { active: 0 }] = await tx
          .select({ active: count() })
          .from(apiKeys)
          .where(and(eq(apiKeys.userId, owner.id), statusFilter('active')));
        if (active >= MAX_ACTIVE_KEYS) throw new AppError('CONFLICT', `A user may have at most ${MAX_ACTIVE_KEYS} active API keys; revoke one first`);
        const secret = newSecret();
        const [row] = await tx
          .insert(apiKeys)
          .values({ userId: owner.id, name: body.name, prefix: secret.prefix, keyHash: secret.hash, scopes: body.scopes, createdBy: user.id, expiresAt })
          .returning();
        await recordAudit(tx, user, {
          action: 'api_key.create',
          targetType: 'api_key',
          targetId: row!.id,
          after: { userId: owner.id, name: row!.name, prefix: row!.prefix, scopes: row!.scopes, expiresAt: isoOrNull(expiresAt) },
        });
        return { ...presentApiKey(row!), key: secret.key };
      });
    },

    async list(user: AuthUser, query: ApiKeyListQuery) {
      assertActingForSelf(user, query.userId, 'userId');
      const where = and(eq(apiKeys.userId, query.userId ?? user.id), statusFilter(query.status));
      const [rows, [{ total } = { total: 0 }]] = await Promise.all([
        db
          .select()
          .from(apiKeys)
          .where(where)
          .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
          .limit(query.limit)
          .offset(pageOffset(query.page, query.limit)),
        db.select({ total: count() }).from(apiKeys).where(where),
      ]);
      return { data: rows.map(presentApiKey), pagination: pageInfo(query.page, query.limit, total) };
    },

    async get(user: AuthUser, keyId: string): Promise<ApiKey> {
      return presentApiKey(await visibleKey(db, user, keyId));
    },

    /** A new key with the same name, scopes and expiry; the old one keeps working for the grace period. */
    async rotate(user: AuthUser, keyId: string, gracePeriodHours: number) {
      const result = await db.transaction(async (tx) => {
        const old = await visibleKey(tx, user, keyId, true);
        if (statusOf(old) !== 'active' || old.replacedBy) {
          throw new AppError('CONFLICT', 'Only an active key that was not rotated yet can be rotated');
        }
        const secret = newSecret();
        const [created] = await tx
          .insert(apiKeys)
          .values({ userId: old.userId, name: old.name, prefix: secret.prefix, keyHash: secret.hash, scopes: old.scopes, createdBy: user.id, expiresAt: old.expiresAt })
          .returning();
        const graceEnds = new Date(Date.now() + gracePeriodHours * 3_600_000);
        const [previous] = await tx
          .update(apiKeys)
          .set({
            replacedBy: created!.id,
            expiresAt: old.expiresAt && old.expiresAt < graceEnds ? old.expiresAt : graceEnds,
            updatedAt: new Date(),
          })
          .where(eq(apiKeys.id, old.id))
          .returning();
        await recordAudit(tx, user, {
          action: 'api_key.rotate',
          targetType: 'api_key',
          targetId: old.id,
          before: { expiresAt: isoOrNull(old.expiresAt) },
          after: { replacedBy: created!.id, prefix: created!.prefix, expiresAt: isoOrNull(previous!.expiresAt) },
        });
        return { ...presentApiKey(created!), key: secret.key, previous: presentApiKey(previous!) };
      });
      forgetKey(keyId);
      return result;
    },

    /** Stops the key at once (on this instance; within seconds on the others). Revoking twice is harmless. */
    async revoke(user: AuthUser, keyId: string): Promise<ApiKey> {
      const row = await db.transaction(async (tx) => {
        const existing = await visibleKey(tx, user, keyId, true);
        if (existing.revokedAt) return existing;
        const [revoked] = await tx.update(apiKeys).set({ revokedAt: new Date(), updatedAt: new Date() }).where(eq(apiKeys.id, keyId)).returning();
        await recordAudit(tx, user, {
          action: 'api_key.revoke',
          targetType: 'api_key',
          targetId: keyId,
          after: { userId: existing.userId, prefix: existing.prefix },
        });
        return revoked!;
      });
      forgetKey(keyId);
      return presentApiKey(row);
    },
  };
}

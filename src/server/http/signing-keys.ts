// The keys that sign access tokens. Each is 256 random bits with an id (`kid`, in every token's header),
// kept in the database encrypted (secret-box.ts: AES-256-GCM under a key derived from JWT_SECRET), so that
// neither a copy of the database nor JWT_SECRET alone reveals a signing key. The newest key signs; a
// superseded key keeps verifying until `retires_at`: the access-token lifetime plus the time every
// instance needs to notice the rotation, so that a rotation signs nobody out. Instances re-read the keys
// every minute and whenever a token names a kid they do not know.
import { randomBytes } from 'node:crypto';
import { asc, desc, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { Database, Executor } from '../db/client.js';
import { signingKeys } from '../db/schema.js';
import { createSecretBox, type SecretBox } from './secret-box.js';

export const SIGNING_ALGORITHM = 'HS256';
const RELOAD_INTERVAL_MS = 60_000;
/** Tolerated difference between instances' clocks, added to a retired key's grace. */
const CLOCK_SKEW_MS = 60_000;
/** An unknown kid reloads the keys at most this often, so that forged kids cannot flood the database. */
const UNKNOWN_KID_RELOAD_MS = 1_000;
const ROTATION_LOCK_ID = 4242015;

export interface SigningKey {
  kid: string;
  secret: Uint8Array;
  createdAt: Date;
  retiresAt: Date | null;
}

export interface SigningKeyInfo {
  kid: string;
  algorithm: string;
  createdAt: Date;
  retiresAt: Date | null;
  /** Signs new tokens now. */
  current: boolean;
}

export interface Keyring {
  /** The key new tokens are signed with. */
  current(): Promise<SigningKey>;
  /** The key with this kid while it may still verify, reloading once when this instance does not know it. */
  find(kid: string): Promise<SigningKey | undefined>;
  /**
   * Makes a new signing key; the previous ones verify until their tokens have expired. `record` runs in
   * the rotation's transaction (for the audit log).
   */
  rotate(record?: (tx: Executor, kid: string) => Promise<void>): Promise<{ current: SigningKeyInfo; retired: SigningKeyInfo[] }>;
  list(): Promise<SigningKeyInfo[]>;
  close(): void;
}

const encrypt = (box: SecretBox, kid: string, secret: Uint8Array): string => box.seal(kid, Buffer.from(secret).toString('base64url'));

function decrypt(box: SecretBox, kid: string, stored: string): Uint8Array {
  const opened = box.open(kid, stored);
  if (opened === null) throw new Error('the signing key cannot be decrypted with this JWT_SECRET');
  return new Uint8Array(Buffer.from(opened, 'base64url'));
}

/** One fixed key, for tools and tests that sign tokens without a database. */
export function staticKeyring(secret: string): Keyring {
  const key: SigningKey = { kid: 'static', secret: new TextEncoder().encode(secret), createdAt: new Date(0), retiresAt: null };
  const info = { kid: key.kid, algorithm: SIGNING_ALGORITHM, createdAt: key.createdAt, retiresAt: null, current: true };
  return {
    current: async () => key,
    find: async (kid) => (kid === key.kid ? key : undefined),
    rotate: async () => {
      throw new Error('a static signing key cannot be rotated');
    },
    list: async () => [info],
    close: () => undefined,
  };
}

export interface KeyringOptions {
  db: Database;
  jwtSecret: string;
  accessTokenTtlSeconds: number;
  /** Days after which a new key is made automatically; 0 never. */
  rotationDays: number;
  log: FastifyBaseLogger;
}

export async function openKeyring({ db, jwtSecret, accessTokenTtlSeconds, rotationDays, log }: KeyringOptions): Promise<Keyring> {
  const box = createSecretBox(jwtSecret, 'access-token signing key');
  // Another instance may still sign with the old key until its next reload; its tokens live one TTL.
  const retireAfterMs = accessTokenTtlSeconds * 1000 + RELOAD_INTERVAL_MS + CLOCK_SKEW_MS;
  let keys: SigningKey[] = [];
  let loading: Promise<void> | undefined;
  let lastUnknownReload = 0;
  const undecryptable = new Set<string>();

  const info = (key: { kid: string; algorithm?: string; createdAt: Date; retiresAt: Date | null }, currentKid: string | undefined): SigningKeyInfo => ({
    kid: key.kid,
    algorithm: key.algorithm ?? SIGNING_ALGORITHM,
    createdAt: key.createdAt,
    retiresAt: key.retiresAt,
    current: key.kid === currentKid,
  });

  async function read(): Promise<SigningKey[]> {
    const rows = await db
      .select()
      .from(signingKeys)
      .where(or(isNull(signingKeys.retiresAt), gt(signingKeys.retiresAt, new Date())))
      .orderBy(desc(signingKeys.createdAt), asc(signingKeys.kid));
    const usable: SigningKey[] = [];
    for (const row of rows) {
      if (row.algorithm !== SIGNING_ALGORITHM) continue;
      try {
        usable.push({ kid: row.kid, secret: decrypt(box, row.kid, row.secretCiphertext), createdAt: row.createdAt, retiresAt: row.retiresAt });
      } catch {
        // Encrypted under another JWT_SECRET: this instance cannot use it (and says so once).
        if (!undecryptable.has(row.kid)) {
          undecryptable.add(row.kid);
          log.warn({ kid: row.kid }, 'a signing key cannot be decrypted with this JWT_SECRET; is JWT_SECRET the same on every instance?');
        }
      }
    }
    return usable;
  }

  /** Inserts a new key and retires the others, unless `onlyIfOlderThan` is given and a newer key exists. */
  async function createKey(onlyIfOlderThan?: Date, record?: (tx: Executor, kid: string) => Promise<void>): Promise<SigningKey | undefined> {
    return db.transaction(async (tx) => {
      // One rotation at a time across instances; the check below then sees the winner's key.
      await tx.execute(sql`select pg_advisory_xact_lock(${ROTATION_LOCK_ID})`);
      const [newest] = await tx.select().from(signingKeys).where(isNull(signingKeys.retiresAt)).orderBy(desc(signingKeys.createdAt)).limit(1);
      if (onlyIfOlderThan && newest && newest.createdAt > onlyIfOlderThan) {
        try {
          decrypt(box, newest.kid, newest.secretCiphertext);
          return undefined;
        } catch {
          // the newest key is unusable here: make one this instance can use
        }
      }
      const kid = randomBytes(12).toString('base64url');
      const secret = new Uint8Array(randomBytes(32));
      const now = new Date();
      await tx
        .update(signingKeys)
        .set({ retiresAt: new Date(now.getTime() + retireAfterMs) })
        .where(isNull(signingKeys.retiresAt));
      await tx.insert(signingKeys).values({ kid, algorithm: SIGNING_ALGORITHM, secretCiphertext: encrypt(box, kid, secret), createdAt: now });
      await tx.delete(signingKeys).where(lt(signingKeys.retiresAt, new Date(now.getTime() - 24 * 60 * 60 * 1000)));
      await record?.(tx, kid);
      return { kid, secret, createdAt: now, retiresAt: null };
    });
  }

  async function reload(): Promise<void> {
    loading ??= (async () => {
      try {
        let loaded = await read();
        const newest = loaded.find((key) => key.retiresAt === null);
        const due = rotationDays > 0 ? new Date(Date.now() - rotationDays * 86_400_000) : undefined;
        if (!newest || (due && newest.createdAt <= due)) {
          const created = await createKey(newest ? due : new Date(0));
          if (created) log.info({ kid: created.kid }, 'new access-token signing key');
          loaded = await read();
        }
        keys = loaded;
      } finally {
        loading = undefined;
      }
    })();
    return loading;
  }

  await reload();
  const timer = setInterval(() => {
    reload().catch((error: unknown) => log.warn({ err: error }, 'reloading the signing keys failed; keeping the ones known'));
  }, RELOAD_INTERVAL_MS);
  timer.unref();

  const usable = (key: SigningKey) => key.retiresAt === null || key.retiresAt.getTime() > Date.now();

  return {
    async current() {
      const key = keys.find((k) => k.retiresAt === null) ?? keys.find(usable);
      if (key) return key;
      await reload();
      const reloaded = keys.find(usable);
      if (!reloaded) throw new Error('no usable access-token signing key');
      return reloaded;
    },
    async find(kid) {
      const known = keys.find((k) => k.kid === kid);
      if (known) return usable(known) ? known : undefined;
      if (Date.now() - lastUnknownReload < UNKNOWN_KID_RELOAD_MS) return undefined;
      lastUnknownReload = Date.now();
      await reload().catch((error: unknown) => log.warn({ err: error }, 'reloading the signing keys failed'));
      const found = keys.find((k) => k.kid === kid);
      return found && usable(found) ? found : undefined;
    },
    async rotate(record) {
      const created = await createKey(undefined, record);
      await reload();
      const rows = await db.select().from(signingKeys).orderBy(desc(signingKeys.createdAt));
      const retired = rows.filter((row) => row.kid !== created!.kid && row.retiresAt && row.retiresAt.getTime() > Date.now());
      return { current: info(rows.find((row) => row.kid === created!.kid)!, created!.kid), retired: retired.map((row) => info(row, created!.kid)) };
    },
    async list() {
      const rows = await db.select().from(signingKeys).orderBy(desc(signingKeys.createdAt));
      const currentKid = rows.find((row) => row.retiresAt === null)?.kid;
      return rows.map((row) => info(row, currentKid));
    },
    close: () => clearInterval(timer),
  };
}

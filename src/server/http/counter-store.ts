// Expiring counters for rate limits and sign-in lockouts. With REDIS_URL they live in Redis, so every
// instance counts the same requests; without it, or while Redis cannot be reached, in this process's
// memory: limits then hold per instance instead of failing requests.
import { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import type { SharedRedis } from '../db/identity.js';

export interface Counter {
  count: number;
  /** Milliseconds until the counter expires. */
  ttlMs: number;
}

export interface CounterStore {
  /** Adds one. The window starts with the first increment and is not extended by later ones. */
  increment(key: string, windowMs: number): Promise<Counter>;
  read(key: string): Promise<Counter | null>;
  /** Sets a value that expires after ttlMs. */
  set(key: string, value: number, ttlMs: number): Promise<void>;
  remove(...keys: string[]): Promise<void>;
  /** Where the last operation was answered: shared (Redis) or this instance only. */
  readonly backend: 'redis' | 'memory';
  /** Waits (at most timeoutMs) for the shared store to connect; false when it is not there. */
  connected(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

const MAX_MEMORY_ENTRIES = 100_000;

export function createMemoryCounterStore(): CounterStore {
  const entries = new Map<string, { count: number; expiresAt: number }>();

  function live(key: string, now: number) {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= now) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  }

  function put(key: string, count: number, expiresAt: number) {
    entries.delete(key);
    if (entries.size >= MAX_MEMORY_ENTRIES) {
      // The oldest entry goes first: a flood of new keys cannot grow memory without bound.
      const oldest = entries.keys().next();
      if (!oldest.done) entries.delete(oldest.value);
    }
    entries.set(key, { count, expiresAt });
  }

  return {
    backend: 'memory',
    async increment(key, windowMs) {
      const now = Date.now();
      const entry = live(key, now);
      if (!entry) {
        put(key, 1, now + windowMs);
        return { count: 1, ttlMs: windowMs };
      }
      entry.count += 1;
      return { count: entry.count, ttlMs: entry.expiresAt - now };
    },
    async read(key) {
      const now = Date.now();
      const entry = live(key, now);
      return entry ? { count: entry.count, ttlMs: entry.expiresAt - now } : null;
    },
    async set(key, value, ttlMs) {
      put(key, value, Date.now() + ttlMs);
    },
    async remove(...keys) {
      for (const key of keys) entries.delete(key);
    },
    connected: async () => false,
    async close() {
      entries.clear();
    },
  };
}

const INCREMENT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}`;

const READ = `
local count = redis.call('GET', KEYS[1])
if not count then return nil end
return {tonumber(count), redis.call('PTTL', KEYS[1])}`;

type CounterRedis = Redis & {
  skilledIncrement(key: string, windowMs: number): Promise<[number, number]>;
  skilledRead(key: string): Promise<[number, number] | null>;
};

/**
 * Redis first, this process's memory whenever Redis is not connected or a command fails. Commands time
 * out quickly and are never queued while disconnected, so an unreachable Redis costs no request more
 * than a few hundred milliseconds once, then nothing until it is back.
 */
export function createSharedCounterStore(url: string, log: FastifyBaseLogger, prefix: string): CounterStore {
  const redis = new Redis(url, {
    retryStrategy: (attempt: number) => Math.min(100 * 2 ** Math.min(attempt, 6), 5_000),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 500,
    lazyConnect: false,
  }) as CounterRedis;
  redis.defineCommand('skilledIncrement', { numberOfKeys: 1, lua: INCREMENT });
  redis.defineCommand('skilledRead', { numberOfKeys: 1, lua: READ });
  const memory = createMemoryCounterStore();
  let backend: 'redis' | 'memory' = 'memory';
  let warnedAt = 0;
  // Errors are reported through the fallback below; this keeps ioredis from logging each one.
  redis.on('error', () => undefined);

  async function either<T>(viaRedis: () => Promise<T>, viaMemory: () => Promise<T>): Promise<T> {
    if (redis.status === 'ready') {
      try {
        const result = await viaRedis();
        backend = 'redis';
        return result;
      } catch (error) {
        if (Date.now() - warnedAt > 60_000) {
          warnedAt = Date.now();
          log.warn({ err: error }, 'rate-limit store: Redis failed, counting in this instance until it is back');
        }
      }
    }
    backend = 'memory';
    return viaMemory();
  }

  return {
    get backend() {
      return backend;
    },
    increment: (key, windowMs) =>
      either(
        async () => {
          const [count, ttlMs] = await redis.skilledIncrement(prefix + key, Math.max(1, Math.round(windowMs)));
          return { count, ttlMs };
        },
        () => memory.increment(key, windowMs),
      ),
    read: (key) =>
      either(
        async () => {
          const result = await redis.skilledRead(prefix + key);
          return result ? { count: result[0], ttlMs: Math.max(0, result[1]) } : null;
        },
        () => memory.read(key),
      ),
    set: (key, value, ttlMs) =>
      either(
        async () => void (await redis.set(prefix + key, String(value), 'PX', Math.max(1, Math.round(ttlMs)))),
        () => memory.set(key, value, ttlMs),
      ),
    remove: async (...keys) => {
      if (!keys.length) return;
      await memory.remove(...keys);
      await either(
        async () => void (await redis.del(...keys.map((k) => prefix + k))),
        async () => undefined,
      );
    },
    connected: (timeoutMs) =>
      new Promise<boolean>((resolve) => {
        if (redis.status === 'ready') return resolve(true);
        const done = (value: boolean) => {
          clearTimeout(timer);
          redis.off('ready', onReady);
          resolve(value);
        };
        const onReady = () => done(true);
        const timer = setTimeout(() => done(false), timeoutMs);
        redis.once('ready', onReady);
      }),
    async close() {
      await memory.close();
      redis.disconnect();
    },
  };
}

/** With Redis, `namespace` keeps one database's counters apart from another's (db/identity.ts). */
export const createCounterStore = (redis: SharedRedis | undefined, log: FastifyBaseLogger): CounterStore =>
  redis ? createSharedCounterStore(redis.url, log, `skilled:limits:${redis.namespace}:`) : createMemoryCounterStore();

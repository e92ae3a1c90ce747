// Serialized public responses (the catalogue, anonymous course details), and what recommendations
// share between learners, kept in memory, keyed by the normalized request. What may change them is
// known to the database, not to the code paths: triggers on every table they are built from (migration
// 0016) NOTIFY `skilled_public_cache` at commit, and every instance LISTENs on it, so a change made by
// any instance, a cascade or a script empties every cache.
//
// Read-your-writes on this instance: the notification of a commit arrives a moment after the commit, so
// before a mutation's response is sent, settle() sends a marker notification of its own and waits for
// it. PostgreSQL delivers notifications in commit order: once the marker is back, the invalidations of
// every earlier commit have been applied. A fill that read the database before an invalidation is not
// stored (the generation changed meanwhile), and nothing is cached while the listener is down.
//
// A hit is answered from an onRequest hook, after every hook that checks or accounts for the request
// (overload, security headers, CORS, authentication, rate limits) and before validation and the
// handler: the URL as sent is matched against the URLs that the handler once validated and answered
// from that entry, so only what validation already accepted is served early.
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DatabaseHandle } from '../db/client.js';
import { type ChannelListener, listenToChannel } from '../db/listen.js';

export const PUBLIC_CACHE_CHANNEL = 'skilled_public_cache';
/** Bounds the memory: past it, the oldest entry goes (a Map iterates in insertion order). */
const MAX_ENTRIES = 1_000;
/** A marker not back by then (listener down or slow): empty the cache rather than wait longer. */
const SETTLE_TIMEOUT_MS = 2_000;

export interface CachedResponse {
  /** The serialized JSON, encoded once: a large page is not encoded again for every request. */
  body: Buffer;
  etag: string;
}

export interface PublicCache {
  /**
   * The cached value, or the one `build` makes (stored unless something changed meanwhile): a
   * serialized response, or anything else built only from what the triggers watch.
   */
  get<T>(key: string, build: () => Promise<T>): Promise<T>;
  /** Records that `url` (path and query as sent) is answered by the response cached under `key`. */
  alias(url: string, key: string): void;
  /** The response cached for `url` (as sent), if one is: no build, no wait. */
  hit(url: string): CachedResponse | undefined;
  /** Resolves once every change committed before the call has emptied this instance's cache. */
  settle(): Promise<void>;
  clear(): void;
  readonly size: number;
  close(): Promise<void>;
}

export async function createPublicCache(database: DatabaseHandle, log: FastifyBaseLogger): Promise<PublicCache> {
  const entries = new Map<string, unknown>();
  // URL as sent → key. Not emptied with the entries: a URL always maps to the same key.
  const aliases = new Map<string, string>();
  const fills = new Map<string, { generation: number; value: Promise<unknown> }>();
  const instance = randomBytes(6).toString('hex');
  let generation = 0;
  let fillsInFlight = 0;
  let markerCount = 0;
  const markers = new Map<string, () => void>();

  const clear = () => {
    generation++;
    entries.clear();
  };
  const listener: ChannelListener = await listenToChannel(database, log, {
    channel: PUBLIC_CACHE_CHANNEL,
    name: 'public cache listener',
    onNotification: (payload) => {
      const marker = payload ? markers.get(payload) : undefined;
      if (marker) return marker();
      // A marker of another instance changes nothing; any other notification is a change.
      if (!payload?.startsWith('settle:')) clear();
    },
    // Notifications sent while it was down are lost: whatever is cached may be stale.
    onReconnect: clear,
  });

  // A caller must wait for a marker sent after its call: it joins the next one, never one in flight.
  let current: Promise<void> | null = null;
  let next: Promise<void> | null = null;
  const sendMarker = async (): Promise<void> => {
    const marker = `settle:${instance}:${++markerCount}`;
    const back = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        markers.delete(marker);
        clear();
        resolve();
      }, SETTLE_TIMEOUT_MS);
      timer.unref();
      markers.set(marker, () => {
        clearTimeout(timer);
        markers.delete(marker);
        resolve();
      });
    });
    try {
      await database.db.execute(sql`select pg_notify(${PUBLIC_CACHE_CHANNEL}, ${marker})`);
    } catch (error) {
      markers.delete(marker);
      clear();
      throw error;
    }
    await back;
  };
  const startMarker = () => (current = sendMarker().finally(() => (current = null)));
  const settle = (): Promise<void> => {
    if (entries.size === 0 && fillsInFlight === 0) return Promise.resolve();
    if (!current) return startMarker();
    next ??= current
      .catch(() => undefined)
      .then(() => {
        next = null;
        return startMarker();
      });
    return next;
  };

  return {
    async get<T>(key: string, build: () => Promise<T>): Promise<T> {
      if (entries.has(key)) return entries.get(key) as T;
      if (!listener.healthy()) return build();
      // Requests that miss together share one build, as long as nothing changed since it started.
      const shared = fills.get(key);
      if (shared && shared.generation === generation) return shared.value as Promise<T>;
      const startedAt = generation;
      fillsInFlight++;
      const value = build();
      fills.set(key, { generation: startedAt, value });
      try {
        const response = await value;
        if (generation === startedAt && listener.healthy()) {
          if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
          entries.set(key, response);
        }
        return response;
      } finally {
        fillsInFlight--;
        if (fills.get(key)?.value === value) fills.delete(key);
      }
    },
    alias(url: string, key: string) {
      if (aliases.get(url) === key) return;
      if (aliases.size >= MAX_ENTRIES * 4) aliases.delete(aliases.keys().next().value!);
      aliases.set(url, key);
    },
    hit(url: string): CachedResponse | undefined {
      const key = aliases.get(url);
      return key === undefined ? undefined : (entries.get(key) as CachedResponse | undefined);
    },
    settle,
    clear,
    get size() {
      return entries.size;
    },
    close: () => listener.close(),
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    publicCache: PublicCache;
  }
  interface FastifyContextConfig {
    /** The route answers this request from the public cache (anonymous, the same for everyone), so a hit may be served early. */
    publicCacheHit?: (request: FastifyRequest) => boolean;
  }
}

/** Sends a cached response as @fastify/etag would tag it (the ETag plugin answers 304 on If-None-Match). */
export const sendCachedResponse = (reply: FastifyReply, cached: CachedResponse) =>
  reply.header('etag', cached.etag).type('application/json; charset=utf-8').send(cached.body);

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Decorates the app with its public cache. A mutation's response waits for settle(): a client that
 * changed something and then reads it back through this instance sees its change.
 */
export async function registerPublicCache(app: FastifyInstance, database: DatabaseHandle): Promise<void> {
  const cache = await createPublicCache(database, app.log);
  app.decorate('publicCache', cache);
  // Registered after authentication, the rate limits and CSRF: those ran, and counted, for this request.
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET' || !request.routeOptions.config.publicCacheHit?.(request)) return;
    const cached = cache.hit(request.url);
    if (cached) return sendCachedResponse(reply, cached);
  });
  app.addHook('onSend', async (request, _reply, payload) => {
    if (!SAFE_METHODS.has(request.method)) await cache.settle().catch((error: unknown) => request.log.warn({ err: error }, 'public cache not settled'));
    return payload;
  });
  app.addHook('onClose', async () => cache.close());
}

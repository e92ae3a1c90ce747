// The bus that wakes every instance when an event was committed somewhere, and carries session
// revocations. In one process an EventEmitter; with REDIS_URL, Redis pub/sub. A bus message is only a
// wake-up: what a client receives is always read from the event log, so a message lost while Redis is
// down costs latency (the catch-up poll finds the events), never an event.
import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';

export type BusMessage = { kind: 'event'; id: number } | { kind: 'disconnect'; userId: string };

export interface EventBus {
  publish(message: BusMessage): void;
  onMessage(listener: (message: BusMessage) => void): void;
  /** Called when the bus comes back after an outage, so that the instance catches up at once. */
  onReconnect(listener: () => void): void;
  /** False while messages may be missed: the instance then polls the log more often. */
  healthy(): boolean;
  /** Resolves when the broker answers (for readiness checks); the in-process bus always does. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function createMemoryBus(): EventBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    publish: (message) => void emitter.emit('message', message),
    onMessage: (listener) => void emitter.on('message', listener),
    onReconnect: () => undefined,
    healthy: () => true,
    ping: async () => undefined,
    close: async () => void emitter.removeAllListeners(),
  };
}

function parse(raw: string): BusMessage | null {
  try {
    const value = JSON.parse(raw) as Partial<BusMessage> & Record<string, unknown>;
    if (value.kind === 'event' && typeof value.id === 'number') return { kind: 'event', id: value.id };
    if (value.kind === 'disconnect' && typeof value.userId === 'string') return { kind: 'disconnect', userId: value.userId };
  } catch {
    // not ours
  }
  return null;
}

/**
 * Two connections (a subscribed connection cannot publish). ioredis reconnects with the backoff below and
 * re-subscribes by itself; while Redis is down, publishing is skipped rather than queued, so nothing piles
 * up in memory and nothing stalls a request. `channel` is the database's own (see db/identity.ts): its
 * event ids and user ids mean nothing to the instances of another database.
 */
export function createRedisBus(url: string, channel: string, log: FastifyBaseLogger): EventBus {
  const retryStrategy = (attempt: number) => Math.min(100 * 2 ** Math.min(attempt, 6), 5_000);
  const publisher = new Redis(url, { retryStrategy, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  const subscriber = new Redis(url, { retryStrategy, maxRetriesPerRequest: null });
  const listeners: ((message: BusMessage) => void)[] = [];
  const reconnectListeners: (() => void)[] = [];
  let down = false;
  let closed = false;

  const isUp = () => publisher.status === 'ready' && subscriber.status === 'ready';
  const noteDown = (error?: Error) => {
    if (closed || down) return;
    down = true;
    log.warn({ err: error }, 'redis unavailable: real-time events fall back to polling the event log until it returns');
  };
  const noteUp = () => {
    if (closed || !isUp()) return;
    if (down) log.info('redis connection restored: real-time events go through redis again');
    down = false;
    for (const listener of reconnectListeners) listener();
  };
  for (const client of [publisher, subscriber]) {
    client.on('error', (error: Error) => noteDown(error));
    client.on('close', () => noteDown());
    client.on('ready', noteUp);
  }
  subscriber.on('message', (heard: string, raw: string) => {
    if (heard !== channel) return;
    const message = parse(raw);
    if (message) for (const listener of listeners) listener(message);
  });
  // Not awaited: a Redis that is down at start must not keep the platform from serving.
  subscriber.subscribe(channel).catch((error: Error) => noteDown(error));

  return {
    publish(message) {
      if (publisher.status !== 'ready') return;
      publisher.publish(channel, JSON.stringify(message)).catch((error: Error) => noteDown(error));
    },
    onMessage: (listener) => void listeners.push(listener),
    onReconnect: (listener) => void reconnectListeners.push(listener),
    healthy: () => isUp(),
    // Without the offline queue, a ping while disconnected fails at once instead of waiting.
    ping: async () => void (await publisher.ping()),
    async close() {
      closed = true;
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}

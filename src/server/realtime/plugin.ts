// The real-time plugin: the event hub of this instance, the bus between instances (memory or Redis), the
// wake-up after each commit of events, the WebSocket and SSE endpoints, and their timers (catch-up poll, retention prune,
// heartbeats). Services emit events with emitEvent() (./events.ts); routes may end a user's connections
// with `app.realtime.disconnectUser(userId)`.
import fastifyWebsocket from '@fastify/websocket';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { wsCloseCodes } from '../../contract/events.js';
import type { AppDeps } from '../app.js';
import { createMemoryBus, createRedisBus } from './bus.js';
import { onEventsCommitted, pruneEvents } from './events.js';
import { EventHub } from './hub.js';
import { registerEventStreams } from './sse.js';
import { registerWebSocketRoute, WS_MAX_MESSAGE_BYTES } from './websocket.js';

export interface Realtime {
  /**
   * Closes the user's WebSocket and SSE connections on every instance, for example after a suspension or
   * a sign-out everywhere. (Connections also re-check their session at every heartbeat.)
   */
  disconnectUser(userId: string): void;
  /** This instance's connections and event counts, and whether the bus is up. */
  stats(): RealtimeStats;
  /** Resolves when the bus's broker (Redis) answers; at once for the in-process bus. */
  pingBus(): Promise<void>;
}

export interface RealtimeStats {
  websocketConnections: number;
  sseConnections: number;
  /** Events committed by this instance and announced to the bus. */
  eventsPublished: number;
  /** Events written to this instance's connections. */
  eventsDelivered: number;
  busHealthy: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    realtime: Realtime;
  }
}

/** With the bus up, a poll only catches what a lost wake-up missed. */
const SAFETY_POLL_MS = 5_000;
/** While it is down, events from other instances arrive by polling: this often. */
const DEGRADED_POLL_MS = 500;
const POLL_TICK_MS = 250;

const realtimePlugin: FastifyPluginAsync<{ deps: AppDeps }> = async (app: FastifyInstance, { deps }) => {
  const { config, database, signer } = deps;
  const settings = config.realtime;
  const log = app.log.child({ component: 'realtime' });
  const retentionMs = settings.eventRetentionHours * 3_600_000;

  const hub = new EventHub(database.db, log, retentionMs);
  await hub.start();
  const bus = deps.redis ? createRedisBus(deps.redis.url, `skilled:events:${deps.redis.namespace}`, log) : createMemoryBus();
  bus.onMessage((message) => {
    if (message.kind === 'event') hub.wake(message.id);
    else hub.disconnectUser(message.userId, 'your session has ended');
  });
  bus.onReconnect(() => hub.wake());
  let published = 0;
  const stopAnnouncing = onEventsCommitted(database.db, (eventId) => {
    published++;
    // Local clients do not wait for the bus (which may be down); other instances hear of it through it.
    hub.wake(eventId);
    bus.publish({ kind: 'event', id: eventId });
  }, log);

  app.decorate('realtime', {
    disconnectUser(userId: string) {
      hub.disconnectUser(userId, 'your session has ended');
      bus.publish({ kind: 'disconnect', userId });
    },
    stats: () => ({
      websocketConnections: ws?.count() ?? 0,
      sseConnections: sse?.count() ?? 0,
      eventsPublished: published,
      eventsDelivered: hub.delivered,
      busHealthy: bus.healthy(),
    }),
    pingBus: () => bus.ping(),
  } satisfies Realtime);

  let lastPoll = Date.now();
  const poller = setInterval(() => {
    const interval = bus.healthy() ? SAFETY_POLL_MS : DEGRADED_POLL_MS;
    if (Date.now() - lastPoll < interval) return;
    lastPoll = Date.now();
    hub.wake();
  }, POLL_TICK_MS);
  poller.unref();

  const prune = () =>
    pruneEvents(database.db, retentionMs)
      .then((count) => count > 0 && log.debug({ count }, 'pruned events past the retention window'))
      .catch((error: unknown) => log.warn({ err: error }, 'pruning the event log failed'));
  const pruner = setInterval(prune, Math.min(Math.max(retentionMs / 4, 1_000), 10 * 60_000));
  pruner.unref();
  void prune();

  let ws: ReturnType<typeof registerWebSocketRoute> | undefined;
  let sse: ReturnType<typeof registerEventStreams> | undefined;
  const heartbeat = setInterval(() => {
    ws?.heartbeat();
    void hub.revalidate(app.sessionValidity);
  }, settings.heartbeatSeconds * 1000);
  heartbeat.unref();

  // Clients are told to reconnect (elsewhere) as soon as the shutdown starts.
  app.onDrain(() => {
    hub.stop();
    ws?.closeAll(wsCloseCodes.serviceRestart, 'server restarting: reconnect and resume');
    sse?.closeAll();
  });
  app.addHook('onClose', async () => {
    clearInterval(poller);
    clearInterval(pruner);
    clearInterval(heartbeat);
    stopAnnouncing();
    await bus.close();
  });

  // Its own scope, so that @fastify/websocket's hooks apply to these routes only.
  await app.register(async (scope) => {
    await scope.register(fastifyWebsocket, { options: { maxPayload: WS_MAX_MESSAGE_BYTES } });
    ws = registerWebSocketRoute(scope, {
      db: database.db,
      hub,
      signer,
      sessions: app.sessionValidity,
      maxBufferedBytes: settings.maxBufferedBytes,
    });
    sse = registerEventStreams(scope, {
      hub,
      maxBufferedBytes: settings.maxBufferedBytes,
      keepAliveMs: settings.sseKeepAliveSeconds * 1000,
    });
  });
};

// Registered at the root (as fastify-plugin would), so that `app.realtime` is there for every feature.
Object.assign(realtimePlugin, { [Symbol.for('skip-override')]: true });

export default realtimePlugin;

// GET /metrics in the Prometheus text format: requests and their latency by route pattern and status,
// real-time connections and events, the database pool, the background queues, load shedding, and the
// process (CPU, memory, event-loop lag, GC). With METRICS_TOKEN set, scrapers send
// `Authorization: Bearer <token>`; without it, only clients on this machine (loopback, not through a
// proxy) may read it.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DatabaseHandle } from '../db/client.js';
import { sendError } from './errors.js';
import { OVERLOAD_EXEMPT } from './overload.js';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** The label of requests that matched no route: raw URLs would make one series per probe of a scanner. */
const UNMATCHED = 'unmatched';

const digest = (value: string) => createHash('sha256').update(value).digest();

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  return plain === '::1' || /^127\./.test(plain);
}

type Access = 'allowed' | 'unauthenticated' | 'forbidden';

function metricsAccess(request: FastifyRequest, token: string | undefined): Access {
  if (token) {
    const [scheme, sent] = (request.headers.authorization ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !sent) return 'unauthenticated';
    return timingSafeEqual(digest(sent.trim()), digest(token)) ? 'allowed' : 'unauthenticated';
  }
  // A local reverse proxy connects from loopback too: what it forwards is not local.
  const proxied = request.headers['x-forwarded-for'] !== undefined || request.headers.forwarded !== undefined;
  return isLoopback(request.socket.remoteAddress) && !proxied ? 'allowed' : 'forbidden';
}

/** Rows of each background queue, by queue name: still to do, and given up on. */
export type QueueBacklogReader = () => Promise<Record<string, { waiting: number; failed: number }>>;

export function registerMetrics(
  app: FastifyInstance,
  options: { database: DatabaseHandle; token: string | undefined; queueBacklog: QueueBacklogReader },
): void {
  const { database, token, queueBacklog } = options;
  // One registry per app, so that several apps in one process (tests) keep their own counts.
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const labelNames = ['method', 'route', 'status_code'] as const;
  const requests = new Counter({ name: 'skilled_http_requests_total', help: 'HTTP requests answered', labelNames, registers: [registry] });
  const latency = new Histogram({
    name: 'skilled_http_request_duration_seconds',
    help: 'Time from the request arriving to its response being sent',
    labelNames,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    const labels = { method: request.method, route: request.routeOptions.url ?? UNMATCHED, status_code: String(reply.statusCode) };
    requests.inc(labels);
    latency.observe(labels, reply.elapsedTime / 1000);
  });

  // Read at scrape time from the parts that keep them.
  const realtime = () => app.realtime.stats();
  new Gauge({
    name: 'skilled_realtime_connections',
    help: 'Open real-time connections on this instance',
    labelNames: ['transport'],
    registers: [registry],
    collect() {
      const stats = realtime();
      this.set({ transport: 'websocket' }, stats.websocketConnections);
      this.set({ transport: 'sse' }, stats.sseConnections);
    },
  });
  new Counter({
    name: 'skilled_realtime_events_published_total',
    help: 'Events committed by this instance and announced to the other instances',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(realtime().eventsPublished);
    },
  });
  new Counter({
    name: 'skilled_realtime_events_delivered_total',
    help: 'Events written to the WebSocket and SSE connections of this instance',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(realtime().eventsDelivered);
    },
  });
  new Gauge({
    name: 'skilled_realtime_up',
    help: '1 while the part of the event path is connected (bus: Redis or in-process)',
    labelNames: ['part'],
    registers: [registry],
    collect() {
      const stats = realtime();
      this.set({ part: 'bus' }, stats.busHealthy ? 1 : 0);
    },
  });
  new Gauge({
    name: 'skilled_db_pool_connections',
    help: 'Database connections: total open, idle and requests waiting for one (PGlite: its one in-process connection)',
    labelNames: ['kind', 'state'],
    registers: [registry],
    collect() {
      const stats = database.poolStats();
      this.set({ kind: database.kind, state: 'total' }, stats.total);
      if (stats.idle !== undefined) this.set({ kind: database.kind, state: 'idle' }, stats.idle);
      if (stats.waiting !== undefined) this.set({ kind: database.kind, state: 'waiting' }, stats.waiting);
    },
  });
  new Gauge({
    name: 'skilled_queue_rows',
    help: 'Rows of the background queues: waiting (to write or send, or to try again) and failed (attempts run out, kept with their error)',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      // Without the database the scrape goes on without this series: the others (the pool's first) are
      // what an operator needs then.
      const backlog = await queueBacklog().catch(() => null);
      for (const [queue, counts] of Object.entries(backlog ?? {})) {
        this.set({ queue, state: 'waiting' }, counts.waiting);
        this.set({ queue, state: 'failed' }, counts.failed);
      }
    },
  });
  new Gauge({
    name: 'skilled_overloaded',
    help: '1 while the instance sheds load (503 OVERLOADED) because of event-loop delay or memory',
    registers: [registry],
    collect() {
      this.set(app.isUnderPressure() ? 1 : 0);
    },
  });

  app.get('/metrics', { config: OVERLOAD_EXEMPT, schema: { hide: true } }, async (request, reply) => {
    const access = metricsAccess(request, token);
    if (access === 'unauthenticated') {
      reply.header('www-authenticate', 'Bearer realm="metrics"');
      return sendError(request, reply, 'UNAUTHENTICATED', 'The metrics need Authorization: Bearer <METRICS_TOKEN>');
    }
    if (access === 'forbidden') {
      return sendError(request, reply, 'FORBIDDEN', 'The metrics are served to local clients only unless METRICS_TOKEN is set');
    }
    reply.header('cache-control', 'no-store').type(registry.contentType);
    return registry.metrics();
  });
}

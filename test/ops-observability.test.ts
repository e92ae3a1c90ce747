// Operations endpoints and logs: /api/health (alive, no dependencies), /api/ready (database and Redis),
// /metrics (Prometheus text, by route pattern, guarded by METRICS_TOKEN or loopback), and JSON log lines
// that tie a request's id to its user, its audit row and its events, with stacks in the log only.
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../src/server/app.js';
import { loadConfig } from '../src/server/config.js';
import { type DatabaseHandle, openDatabase, queryRows } from '../src/server/db/client.js';
import { api, baseUrl, courseWithStudent } from './support/api.js';
import { account, call, WITHOUT_RATE_LIMITS } from './support/faults.js';
import { connectWs, isEvent } from './support/realtime.js';

const metricsHeaders = (): Record<string, string> =>
  process.env.METRICS_TOKEN ? { authorization: `Bearer ${process.env.METRICS_TOKEN}` } : {};

async function scrape(root = baseUrl(), headers = metricsHeaders()) {
  const res = await fetch(new URL('/metrics', root), { headers });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

/** The value of one series, or undefined. `series` is the name with its labels, as exposed. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /api/health and /api/ready', () => {
  it('says the process is alive, without looking at any dependency', async () => {
    const res = await api('GET', '/api/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', uptime: expect.any(Number) });
  });

  it('is ready when the database (and Redis, when configured) answers', async () => {
    const res = await api('GET', '/api/ready');
    expect(res.status).toBe(200);
    const checks = process.env.REDIS_URL ? { database: 'ok', redis: 'ok' } : { database: 'ok' };
    expect(res.body).toEqual({ status: 'ready', checks });
  });
});

describe('GET /metrics on the test server', () => {
  it('exposes request counts and latencies by route pattern and status, never the raw URL', async () => {
    const courseId = randomUUID();
    expect((await api('GET', `/api/courses/${courseId}`)).status).toBe(404);
    expect((await api('GET', `/api/no-such-route-${courseId}`)).status).toBe(404);
    const { status, type, text } = await scrape();
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample(text, 'skilled_http_requests_total{method="GET",route="/api/courses/:courseId",status_code="404"}')).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^skilled_http_request_duration_seconds_bucket\{le="0\.1",method="GET",route="\/api\/courses\/:courseId",status_code="404"\} \d+$/m);
    expect(sample(text, 'skilled_http_requests_total{method="GET",route="unmatched",status_code="404"}')).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain(courseId);
  });

  it('exposes the process, the event loop, the database pool and load shedding', async () => {
    const { text } = await scrape();
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      expect(text).toMatch(new RegExp(`^${name} \\d`, 'm'));
    }
    const kind = inject('databaseKind');
    expect(sample(text, `skilled_db_pool_connections{kind="${kind}",state="total"}`)).toBeGreaterThanOrEqual(1);
    if (kind === 'postgres') expect(sample(text, `skilled_db_pool_connections{kind="postgres",state="waiting"}`)).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'skilled_overloaded')).toBe(0);
    expect(sample(text, 'skilled_realtime_up{part="bus"}')).toBe(1);
  });

  it('counts WebSocket connections and the events published and delivered', async () => {
    const { lessons, student } = await courseWithStudent({ lessons: 1, assignments: 0 });
    const before = (await scrape()).text;
    const client = await connectWs({ token: student.token });
    try {
      const during = (await scrape()).text;
      expect(sample(during, 'skilled_realtime_connections{transport="websocket"}')).toBeGreaterThanOrEqual(1);
      expect((await api('POST', '/api/lessons/complete', { token: student.token, body: { lessonId: lessons[0]!.lessonId } })).status).toBe(201);
      await client.waitFor(isEvent('lesson.completed', { lessonId: lessons[0]!.lessonId }));
      const after = (await scrape()).text;
      for (const counter of ['skilled_realtime_events_published_total', 'skilled_realtime_events_delivered_total']) {
        expect(sample(after, counter)!).toBeGreaterThan(sample(before, counter)!);
      }
    } finally {
      await client.close();
    }
  });

  it.skipIf(Boolean(process.env.METRICS_TOKEN))('without METRICS_TOKEN, refuses what came through a proxy (not a local client) with 403', async () => {
    const { status, text } = await scrape(baseUrl(), { 'x-forwarded-for': '203.0.113.9' });
    expect(status).toBe(403);
    expect(JSON.parse(text)).toMatchObject({ status: 403, code: 'FORBIDDEN', requestId: expect.any(String) });
  });
});

describe('dedicated instances', () => {
  let database: DatabaseHandle;
  const apps: FastifyInstance[] = [];
  const logLines: string[] = [];

  async function start(env: Record<string, string>, options: { logger?: boolean; extend?: (app: FastifyInstance) => void } = {}) {
    const config = loadConfig({ ...process.env, NODE_ENV: 'test', DATABASE_URL: '', REDIS_URL: '', METRICS_TOKEN: '', LOG_LEVEL: 'silent', ...WITHOUT_RATE_LIMITS, ...env });
    const stream = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const app = await buildApp({ config, database, logger: options.logger ? { level: 'info', stream } : undefined });
    options.extend?.(app);
    apps.push(app);
    return app.listen({ port: 0, host: '127.0.0.1' });
  }

  beforeAll(async () => {
    database = await openDatabase({});
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await database?.close();
  });

  it('with METRICS_TOKEN, serves /metrics to the bearer of the token only', async () => {
    const token = 'metrics-token-0123456789abcdef';
    const root = await start({ METRICS_TOKEN: token });
    const missing = await scrape(root, {});
    expect(missing.status).toBe(401);
    expect(JSON.parse(missing.text)).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect((await scrape(root, { authorization: 'Bearer not-the-token-at-all-000' })).status).toBe(401);
    expect((await scrape(root, { authorization: `Basic ${token}` })).status).toBe(401);
    const allowed = await scrape(root, { authorization: `Bearer ${token}` });
    expect(allowed.status).toBe(200);
    expect(allowed.text).toContain('skilled_http_requests_total');
  });

  it('is not ready while Redis is unreachable, and says which dependency failed, quickly', async () => {
    const root = await start({ REDIS_URL: 'redis://127.0.0.1:1' });
    const started = Date.now();
    const ready = await call(root, 'GET', '/api/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ status: 'unavailable', checks: { database: 'ok', redis: 'failing' } });
    // Bounded by the check timeout (2 s), not by a connection attempt's.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await call(root, 'GET', '/api/health')).status).toBe(200);
  });

  it("logs JSON lines that tie a request's id to its user, audit row and event; stacks stay in the log", async () => {
    const root = await start({}, {
      logger: true,
      extend: (app) => app.get('/api/ops-test/failure', { schema: { hide: true } }, async () => {
        throw new Error('internal detail that must not leak');
      }),
    });
    const instructor = await account(root, 'instructor');
    const student = await account(root, 'student');
    const course = await call(root, 'POST', '/api/courses', {
      token: instructor.token,
      body: { title: 'Traced', description: 'd', thumbnailUrl: 'https://example.com/t.png', category: 'science', difficultyLevel: 'beginner' },
    });
    const lesson = await call(root, 'POST', `/api/courses/${course.body.data.courseId}/lessons`, {
      token: instructor.token,
      body: { title: 'L', description: 'x', estimatedTime: 5 },
    });
    expect((await call(root, 'POST', `/api/courses/${course.body.data.courseId}/enroll`, { token: student.token })).status).toBe(201);

    const requestId = `trace-${randomUUID()}`;
    const completed = await fetch(new URL('/api/lessons/complete', root), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${student.token}`, 'x-request-id': requestId },
      body: JSON.stringify({ lessonId: lesson.body.data.lessonId }),
    });
    expect(completed.status).toBe(201);
    expect(completed.headers.get('x-request-id')).toBe(requestId);

    const lines = logLines.map((line) => JSON.parse(line) as Record<string, any>);
    const traced = lines.filter((line) => line.reqId === requestId);
    expect(traced.find((line) => line.msg === 'incoming request')).toBeDefined();
    expect(traced.find((line) => line.msg === 'request completed')).toMatchObject({ userId: student.id, res: { statusCode: 201 } });
    // One line per event the request wrote (a completion may also earn a badge, notify someone...).
    const recorded = traced.find((line) => line.msg === 'event recorded' && line.eventType === 'lesson.completed');
    expect(recorded).toMatchObject({ userId: student.id, eventId: expect.any(Number) });
    const [event] = await queryRows<{ type: string; lesson_id: string }>(
      database.db,
      sql`select type, payload->>'lessonId' as lesson_id from events where id = ${recorded!.eventId}`,
    );
    expect(event).toEqual({ type: 'lesson.completed', lesson_id: lesson.body.data.lessonId });
    const audit = await queryRows<{ action: string; actor_id: string }>(database.db, sql`select action, actor_id from audit_log where request_id = ${requestId}`);
    expect(audit).toEqual([{ action: 'lesson.complete', actor_id: student.id }]);

    const failure = await call(root, 'GET', '/api/ops-test/failure');
    expect(failure.status).toBe(500);
    expect(failure.body).toEqual({ error: 'Internal server error', status: 500, code: 'INTERNAL_ERROR', requestId: expect.any(String) });
    const logged = logLines.map((line) => JSON.parse(line)).find((line) => line.reqId === failure.body.requestId && line.err);
    expect(logged.err.message).toBe('internal detail that must not leak');
    expect(logged.err.stack).toMatch(/at /);
  });
});

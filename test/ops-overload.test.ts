// Load shedding on dedicated instances whose bounds are forced low: past a bound, requests get 503
// OVERLOADED with Retry-After in the error envelope, while /api/health, /api/ready and /metrics still
// answer; once the pressure is gone the instance serves again by itself.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/server/app.js';
import { loadConfig } from '../src/server/config.js';
import { type DatabaseHandle, openDatabase } from '../src/server/db/client.js';
import { call, WITHOUT_RATE_LIMITS } from './support/faults.js';

let database: DatabaseHandle;
const apps: FastifyInstance[] = [];

async function start(env: Record<string, string>) {
  const config = loadConfig({ ...process.env, NODE_ENV: 'test', DATABASE_URL: '', REDIS_URL: '', METRICS_TOKEN: '', LOG_LEVEL: 'silent', ...WITHOUT_RATE_LIMITS, ...env });
  const app = await buildApp({ config, database });
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

describe('load shedding', () => {
  it('past the memory bound, answers 503 OVERLOADED with Retry-After; health, readiness and metrics still answer', async () => {
    // A 1 MB heap bound: always exceeded, from the first sample (taken every second) on.
    const root = await start({ OVERLOAD_MAX_HEAP_MB: '1', OVERLOAD_RETRY_AFTER_SECONDS: '7' });
    await expect.poll(async () => (await call(root, 'GET', '/api/courses')).status, { timeout: 5_000, interval: 100 }).toBe(503);
    const shed = await call(root, 'GET', '/api/courses');
    expect(shed.headers?.get('retry-after')).toBe('7');
    expect(shed.body).toEqual({
      error: expect.stringMatching(/^The server is overloaded \(heap used \d+ MB\); try again shortly$/),
      status: 503,
      code: 'OVERLOADED',
      requestId: expect.any(String),
    });
    expect((await call(root, 'POST', '/api/auth/signin', { body: { email: 'a@b.co', password: 'whatever-123' } })).status).toBe(503);
    expect((await call(root, 'GET', '/api/health')).status).toBe(200);
    expect((await call(root, 'GET', '/api/ready')).status).toBe(200);
    const metrics = await call(root, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/^skilled_overloaded 1$/m);
    expect(metrics.body).toMatch(/^skilled_http_requests_total\{method="GET",route="\/api\/courses",status_code="503"\} \d+$/m);
  });

  it('while the event loop lags past its bound, sheds; once it catches up, serves again by itself', async () => {
    const root = await start({ OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '20', OVERLOAD_MAX_HEAP_MB: '0' });
    expect((await call(root, 'GET', '/api/courses')).status).toBe(200);

    // Busy work in the server's own thread: 80 ms blocks with short breaks, as a CPU-bound burst would.
    let busy = true;
    const block = () => {
      if (!busy) return;
      const until = Date.now() + 80;
      while (Date.now() < until) {
        // spinning
      }
      setTimeout(block, 5);
    };
    block();
    try {
      await expect.poll(async () => (await call(root, 'GET', '/api/courses')).status, { timeout: 10_000, interval: 50 }).toBe(503);
      const shed = await call(root, 'GET', '/api/courses');
      expect(shed.body).toMatchObject({ code: 'OVERLOADED', error: expect.stringMatching(/event loop delay \d+ ms/) });
      expect(shed.headers?.get('retry-after')).toBe('10');
      expect((await call(root, 'GET', '/api/health')).status).toBe(200);
    } finally {
      busy = false;
    }
    await expect.poll(async () => (await call(root, 'GET', '/api/courses')).status, { timeout: 10_000, interval: 200 }).toBe(200);
  });
});

// Slow or stalled clients cannot hold the server: headers trickled a line at a time (slowloris) are cut at
// HTTP_HEADERS_TIMEOUT_SECONDS, a body trickled a byte at a time at HTTP_REQUEST_TIMEOUT_SECONDS, and
// meanwhile everyone else is served. (A WebSocket or SSE client that never reads is closed by the send
// buffer bound: realtime-limits.test.ts, "a slow client".)
import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/server/app.js';
import { loadConfig } from '../src/server/config.js';
import { type DatabaseHandle, openDatabase } from '../src/server/db/client.js';
import { WITHOUT_RATE_LIMITS } from './support/faults.js';

let database: DatabaseHandle;
let app: FastifyInstance;
let port: number;

beforeAll(async () => {
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: '',
    REDIS_URL: '',
    LOG_LEVEL: 'silent',
    HTTP_HEADERS_TIMEOUT_SECONDS: '1',
    HTTP_REQUEST_TIMEOUT_SECONDS: '2',
    ...WITHOUT_RATE_LIMITS,
  });
  database = await openDatabase({});
  app = await buildApp({ config, database });
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as { port: number }).port;
});

afterAll(async () => {
  await app?.close();
  await database?.close();
});

/** Opens a raw connection that sends `head` at once, then one `drip` every 200 ms until the server hangs up. */
function trickle(head: string, drip: (n: number) => string) {
  const started = Date.now();
  let response = '';
  const socket = connect(port, '127.0.0.1', () => socket.write(head));
  let n = 0;
  const timer = setInterval(() => socket.writable && socket.write(drip(n++)), 200);
  const closed = new Promise<{ response: string; afterMs: number }>((resolve) => {
    socket.on('data', (chunk) => (response += chunk.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ response, afterMs: Date.now() - started });
    });
  });
  return { closed, destroy: () => socket.destroy() };
}

describe('slow clients', () => {
  it('cuts headers that never end (slowloris) with 408, while others are served', async () => {
    const slow = Array.from({ length: 20 }, () => trickle('GET /api/health HTTP/1.1\r\nHost: localhost\r\n', (n) => `X-Drip-${n}: y\r\n`));
    try {
      // The server is not held: a normal request gets its answer while the trickles go on.
      const served = await fetch(`http://127.0.0.1:${port}/api/health`);
      expect(served.status).toBe(200);
      const outcomes = await Promise.all(slow.map((s) => s.closed));
      for (const outcome of outcomes) {
        expect(outcome.response).toMatch(/^HTTP\/1\.1 408 /);
        // Cut near the bound instead of never: generous margin for a loaded machine.
        expect(outcome.afterMs).toBeLessThan(10_000);
      }
      console.log(`slowloris: ${outcomes.length} trickling connections cut after ${Math.max(...outcomes.map((o) => o.afterMs))} ms at most (bound 1 s)`);
    } finally {
      for (const s of slow) s.destroy();
    }
  }, 20_000);

  it('cuts a body that trickles in with 408', async () => {
    const body = JSON.stringify({ email: 'slow@ops.test', password: 'Slow-pass-123', firstName: 'S', lastName: 'L', username: 'slow_body' });
    const slow = trickle(
      `POST /api/users/register HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
      (n) => body[n] ?? '',
    );
    try {
      const outcome = await slow.closed;
      expect(outcome.response).toMatch(/^HTTP\/1\.1 408 /);
      expect(outcome.afterMs).toBeLessThan(10_000);
      expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBe(200);
    } finally {
      slow.destroy();
    }
  }, 20_000);

  it('refuses a header timeout longer than the request timeout at start', () => {
    expect(() => loadConfig({ HTTP_HEADERS_TIMEOUT_SECONDS: '60', HTTP_REQUEST_TIMEOUT_SECONDS: '30', DATA_DIR: '/tmp' })).toThrow(
      /HTTP_HEADERS_TIMEOUT_SECONDS: must not exceed HTTP_REQUEST_TIMEOUT_SECONDS/,
    );
  });
});

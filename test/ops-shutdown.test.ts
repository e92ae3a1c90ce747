// Graceful shutdown of a real process: on SIGTERM a request in flight still completes, new connections
// are refused, and the process exits 0; a request that never ends is cut after SHUTDOWN_TIMEOUT_SECONDS.
// (Real-time clients being told 1012 "reconnect elsewhere" is proven in realtime-limits.test.ts.)
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WITHOUT_RATE_LIMITS } from './support/faults.js';
import { freePort, type ServerProcess, spawnServer, stopServer, waitReady } from './support/process.js';

const running: ServerProcess[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(running.map((server) => stopServer(server, 'SIGKILL')));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function start(env: Record<string, string> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'skilled-shutdown-'));
  dirs.push(dataDir);
  const server = spawnServer({ DATA_DIR: dataDir, SEED_DEMO: 'false', ...WITHOUT_RATE_LIMITS, ...env }, await freePort());
  running.push(server);
  await waitReady(server);
  return server;
}

/** Sends a request's head and the first part of its body, and keeps the rest for later. */
function startSlowRequest(server: ServerProcess, path: string, body: string) {
  const url = new URL(server.url);
  const half = Math.floor(body.length / 2);
  let response = '';
  const socket: Socket = connect(Number(url.port), url.hostname);
  const closed = new Promise<string>((resolve) => {
    socket.on('data', (chunk) => (response += chunk.toString()));
    socket.on('close', () => resolve(response));
    socket.on('error', () => undefined);
  });
  const sent = new Promise<void>((resolve) =>
    socket.on('connect', () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
          body.slice(0, half),
        () => resolve(),
      );
    }),
  );
  return { sent, finish: () => socket.write(body.slice(half)), closed };
}

const connectionRefused = async (server: ServerProcess) =>
  fetch(`${server.url}/api/health`).then(
    () => false,
    (error: Error & { cause?: { code?: string } }) => error.cause?.code === 'ECONNREFUSED',
  );

describe('graceful shutdown', () => {
  it('on SIGTERM finishes the request in flight, refuses new connections, and exits 0', async () => {
    const server = await start();
    const email = `shutdown-${Date.now()}@ops.test`;
    const body = JSON.stringify({ email, password: 'Shutdown-pass-1', firstName: 'Shut', lastName: 'Down', username: `shut_${Date.now()}` });
    const slow = startSlowRequest(server, '/api/users/register', body);
    await slow.sent;
    // The server has the request's head: it is in flight when the signal comes.
    await new Promise((resolve) => setTimeout(resolve, 300));
    server.child.kill('SIGTERM');
    await expect.poll(() => connectionRefused(server), { timeout: 5_000 }).toBe(true);
    expect(server.child.exitCode).toBeNull();

    slow.finish();
    const response = await slow.closed;
    expect(response).toMatch(/^HTTP\/1\.1 201 /);
    expect(response).toContain(email);
    expect(await server.exited).toBe(0);
    expect(server.output()).toMatch(/shutting down: finishing requests in flight/);
    expect(server.output()).toMatch(/shut down cleanly/);
  }, 90_000);

  it('cuts a request that does not finish within SHUTDOWN_TIMEOUT_SECONDS and exits non-zero', async () => {
    const server = await start({ SHUTDOWN_TIMEOUT_SECONDS: '1' });
    const stalled = startSlowRequest(server, '/api/users/register', JSON.stringify({ email: 'never@ops.test', password: 'x'.repeat(40) }));
    await stalled.sent;
    await new Promise((resolve) => setTimeout(resolve, 300));
    const signalled = Date.now();
    server.child.kill('SIGTERM');
    const code = await server.exited;
    const took = Date.now() - signalled;
    expect(code).toBe(1);
    expect(server.output()).toMatch(/shutdown timed out: cutting the requests still running/);
    // The bound holds (with room for a loaded machine), instead of waiting for the client forever.
    expect(took).toBeLessThan(10_000);
    await stalled.closed;
  }, 90_000);
});

// Starts the real platform as a separate process, from the build `npm start` runs (dist/server/main.js,
// made fresh by the global setups), for tests of what happens around the process: locks, crashes,
// signals, configuration.
import { randomBytes } from 'node:crypto';
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { SERVER_ENTRY } from '../../scripts/build-stamp.mjs';

const root = join(import.meta.dirname, '..', '..');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Spawns the server; `env` is added to a clean environment (no DATABASE_URL unless given). Every test
 * signs in from 127.0.0.1, so rate limits are off unless `env` turns them on: the security tests that
 * check the limits start servers of their own with tight ones. `entry` is the script Node runs: the
 * built server by default, `scripts/start.mjs` for what `npm start` does as a whole.
 */
export function spawnServer(env: Record<string, string>, port?: number, entry: string = SERVER_ENTRY): ServerProcess {
  const { DATABASE_URL: _db, REDIS_URL: _redis, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--enable-source-maps', entry], {
    cwd: root,
    env: { ...inherited, NODE_ENV: 'development', HOST: '127.0.0.1', LOG_LEVEL: 'info', RATE_LIMIT_ENABLED: 'false', ...env, ...(port ? { PORT: String(port) } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, url: `http://127.0.0.1:${env.PORT ?? port}`, output: () => output, exited };
}

/**
 * Resolves once the server answers /api/ready with its database reachable (Redis may be down on purpose),
 * or rejects if it exits first or takes too long.
 */
export async function waitReady(server: ServerProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitedWith: number | null | undefined;
  void server.exited.then((code) => (exitedWith = code));
  while (Date.now() < deadline) {
    if (exitedWith !== undefined) throw new Error(`server exited with ${exitedWith}:\n${server.output()}`);
    try {
      const res = await fetch(`${server.url}/api/ready`);
      const body = (await res.json().catch(() => undefined)) as { checks?: { database?: string } } | undefined;
      if (res.status === 200 || body?.checks?.database === 'ok') return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server not ready after ${timeoutMs} ms:\n${server.output()}`);
}

export async function stopServer(server: ServerProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return server.child.exitCode;
  server.child.kill(signal);
  return server.exited;
}

/** A new database on the PostgreSQL server of `url` (for a server process of a test's own), and the way to drop it. */
export async function freshPostgresDatabase(url: string, prefix = 'skilled_test'): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${Date.now()}_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    url: target.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

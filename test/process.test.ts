// The platform as a process: one command starts it on the embedded database with demo data; it keeps
// every committed row across kill -9, refuses a second process on the same data, stops cleanly.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILDS, isFresh } from '../scripts/build-stamp.mjs';
import { freePort, type ServerProcess, spawnServer, stopServer, waitReady } from './support/process.js';

const running: ServerProcess[] = [];
afterAll(async () => {
  await Promise.all(running.map((server) => stopServer(server, 'SIGKILL')));
});

function start(env: Record<string, string>, port: number, entry?: string) {
  const server = spawnServer(env, port, entry);
  running.push(server);
  return server;
}

async function post(url: string, body: unknown, token?: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe('embedded database, one process', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'skilled-process-'));
  const admin = { ADMIN_EMAIL: 'ops@process.test', ADMIN_PASSWORD: 'Ops-password-42' };

  it('first start: creates the database, loads demo data, ensures the admin, keeps a JWT secret', async () => {
    const port = await freePort();
    const started = Date.now();
    const server = start({ DATA_DIR: dataDir, ...admin }, port);
    await waitReady(server);
    console.log(`first start with demo data ready in ${Date.now() - started} ms`);

    const demo = await post(`${server.url}/api/auth/signin`, { email: 'student@skilled.dev', password: 'Student-demo-2026' });
    expect(demo.status, JSON.stringify(demo.body)).toBe(200);
    const ops = await post(`${server.url}/api/auth/signin`, { email: admin.ADMIN_EMAIL, password: admin.ADMIN_PASSWORD });
    expect(ops.status).toBe(200);
    expect(ops.body.data.user.role).toBe('admin');
    const catalogue = (await (await fetch(`${server.url}/api/courses?limit=100`)).json()) as any;
    expect(catalogue.pagination.totalCount).toBeGreaterThanOrEqual(30);
    expect(readFileSync(join(dataDir, 'jwt-secret'), 'utf8').trim().length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(join(dataDir, 'skilled.lock'), 'utf8').trim()).toBe(String(server.child.pid));

    // a second process on the same data directory refuses at once
    const intruder = start({ DATA_DIR: dataDir }, await freePort());
    const code = await intruder.exited;
    expect(code).not.toBe(0);
    expect(intruder.output()).toMatch(/in use by another skilled process/);

    // SIGTERM: clean exit, lock released
    expect(await stopServer(server)).toBe(0);
    expect(existsSync(join(dataDir, 'skilled.lock'))).toBe(false);
  });

  it('after kill -9 the next start has every committed row, and issued tokens stay valid', async () => {
    const port = await freePort();
    const first = start({ DATA_DIR: dataDir }, port);
    await waitReady(first);
    const started = Date.now();
    const email = `durable-${Date.now()}@process.test`;
    const registered = await post(`${first.url}/api/users/register`, {
      email,
      password: 'Durable-pass-1',
      firstName: 'Dura',
      lastName: 'Ble',
      username: `durable_${Date.now()}`,
    });
    expect(registered.status).toBe(201);
    const session = await post(`${first.url}/api/auth/signin`, { email, password: 'Durable-pass-1' });
    expect(session.status).toBe(200);

    first.child.kill('SIGKILL');
    await first.exited;

    const second = start({ DATA_DIR: dataDir }, port);
    await waitReady(second);
    console.log(`restart after kill -9 ready in ${Date.now() - started} ms (including the writes)`);
    const again = await post(`${second.url}/api/auth/signin`, { email, password: 'Durable-pass-1' });
    expect(again.status).toBe(200);
    expect(again.body.data.user.id).toBe(registered.body.data.id);
    // the JWT secret was kept in DATA_DIR, so the old access token still verifies
    const check = await fetch(`${second.url}/api/auth/check`, {
      headers: { authorization: `Bearer ${session.body.data.accessToken}` },
    });
    expect(((await check.json()) as any).authenticated).toBe(true);
    expect(await stopServer(second)).toBe(0);
  });

  it('`npm start` (scripts/start.mjs) builds what is stale, then serves the API and the web app from the builds', async () => {
    const port = await freePort();
    const started = Date.now();
    const server = start({ DATA_DIR: dataDir }, port, 'scripts/start.mjs');
    await waitReady(server, 110_000);
    console.log(`npm start on an existing data directory ready in ${Date.now() - started} ms`);
    const signin = await post(`${server.url}/api/auth/signin`, { email: 'student@skilled.dev', password: 'Student-demo-2026' });
    expect(signin.status).toBe(200);
    // The web app's page, not the plain home page served when there is no build.
    const home = await fetch(`${server.url}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toMatch(/<div id="root">/);
    expect(await isFresh(BUILDS.server)).toBe(true);
    expect(await isFresh(BUILDS.web)).toBe(true);
    expect(await stopServer(server)).toBe(0);
  }, 120_000);
});

describe('configuration is validated once, with clear messages', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ['a port that is not a number', { PORT: 'eighty' }, /PORT/],
    ['production without JWT_SECRET', { NODE_ENV: 'production', PORT: '3999' }, /JWT_SECRET: is required when NODE_ENV=production/],
    ['ADMIN_EMAIL without ADMIN_PASSWORD', { ADMIN_EMAIL: 'a@b.co', PORT: '3999' }, /ADMIN_EMAIL and ADMIN_PASSWORD go together/],
    ['a DATABASE_URL that is not PostgreSQL', { DATABASE_URL: 'mysql://x', PORT: '3999' }, /DATABASE_URL/],
  ];
  for (const [name, env, message] of cases) {
    it(`refuses ${name}`, async () => {
      const server = start({ DATA_DIR: mkdtempSync(join(tmpdir(), 'skilled-config-')), ...env }, undefined as unknown as number);
      expect(await server.exited).toBe(1);
      expect(server.output()).toMatch(/Invalid configuration/);
      expect(server.output()).toMatch(message);
    });
  }
});

describe.runIf(process.env.DATABASE_URL)('PostgreSQL', () => {
  it('two instances starting at once on a new database both migrate safely and serve', async () => {
    const adminUrl = new URL(process.env.DATABASE_URL!);
    const name = `skilled_twostart_${Date.now()}`;
    const client = new pg.Client({ connectionString: adminUrl.toString() });
    await client.connect();
    await client.query(`CREATE DATABASE "${name}"`);
    try {
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      const env = { DATABASE_URL: url.toString(), DATA_DIR: mkdtempSync(join(tmpdir(), 'skilled-pg-')) };
      const [a, b] = [start(env, await freePort()), start(env, await freePort())];
      await Promise.all([waitReady(a), waitReady(b)]);
      // no demo data on PostgreSQL unless asked
      const demo = await post(`${a.url}/api/auth/signin`, { email: 'student@skilled.dev', password: 'Student-demo-2026' });
      expect(demo.status).toBe(401);
      // a write on one instance is read on the other
      const email = `pg-${Date.now()}@process.test`;
      const created = await post(`${a.url}/api/users/register`, {
        email,
        password: 'Postgres-pass-1',
        firstName: 'Pg',
        lastName: 'User',
        username: `pg_${Date.now()}`,
      });
      expect(created.status).toBe(201);
      expect((await post(`${b.url}/api/auth/signin`, { email, password: 'Postgres-pass-1' })).status).toBe(200);
      expect(await stopServer(a)).toBe(0);
      expect(await stopServer(b)).toBe(0);
    } finally {
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    }
  });
});

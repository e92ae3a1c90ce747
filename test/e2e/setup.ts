// The browser tests' own platform: the web app built if its sources changed, and a server process
// on a fresh database with the demo data (the embedded one in a new directory, or a new PostgreSQL
// database when DATABASE_URL is set), so that the catalogue, the demo accounts and real-time
// events are all there.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { ensureWebBuild } from '../../scripts/build-web.js';
import { freePort, spawnServer, stopServer, waitReady } from '../support/process.js';

declare module 'vitest' {
  export interface ProvidedContext {
    e2eBaseUrl: string;
    webBuildId: string;
  }
}

/** A new database on the PostgreSQL server of DATABASE_URL, and the way to drop it. */
async function freshPostgresDatabase(url: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `skilled_e2e_${Date.now()}_${process.pid}`;
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

export default async function setup(project: TestProject) {
  const build = await ensureWebBuild();
  const dataDir = mkdtempSync(join(tmpdir(), 'skilled-e2e-'));
  const database = process.env.DATABASE_URL ? await freshPostgresDatabase(process.env.DATABASE_URL) : undefined;
  const port = await freePort();
  const server = spawnServer(
    {
      DATA_DIR: dataDir,
      SEED_DEMO: 'true',
      LOG_LEVEL: 'warn',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      // A suspended user's open tab hears of it at the next heartbeat.
      WS_HEARTBEAT_SECONDS: '2',
      // Every test signs people in from 127.0.0.1.
      RATE_LIMIT_AUTH_MAX: '1000',
      RATE_LIMIT_IP_MAX: '100000',
      ...(database ? { DATABASE_URL: database.url } : {}),
      ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    },
    port,
  );
  await waitReady(server, 120_000);
  project.provide('e2eBaseUrl', server.url);
  project.provide('webBuildId', build.buildId);
  return async () => {
    await stopServer(server);
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}

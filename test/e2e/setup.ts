// The browser tests' own platform: the web app built if its sources changed, and a server process
// on a fresh database with the demo data (the embedded one in a new directory, or a new PostgreSQL
// database when DATABASE_URL is set), so that the catalogue, the demo accounts and real-time
// events are all there.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureServerBuild } from '../../scripts/build-server.js';
import { ensureWebBuild } from '../../scripts/build-web.js';
import { freePort, freshPostgresDatabase, spawnServer, stopServer, waitReady } from '../support/process.js';

declare module 'vitest' {
  export interface ProvidedContext {
    e2eBaseUrl: string;
    webBuildId: string;
  }
}

export default async function setup(project: TestProject) {
  const [build] = await Promise.all([ensureWebBuild(), ensureServerBuild()]);
  const dataDir = mkdtempSync(join(tmpdir(), 'skilled-e2e-'));
  const database = process.env.DATABASE_URL ? await freshPostgresDatabase(process.env.DATABASE_URL, 'skilled_e2e') : undefined;
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
  // A server that dies under the tests says why: its last output goes to the test log.
  let stopping = false;
  void server.exited.then((code) => {
    if (!stopping) console.error(`the e2e server exited unexpectedly (code ${code}); its last output:\n${server.output().slice(-6000)}`);
  });
  project.provide('e2eBaseUrl', server.url);
  project.provide('webBuildId', build.buildId);
  return async () => {
    stopping = true;
    await stopServer(server);
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}

// One real server for the whole run, listening on a free port: every test file talks to it over
// HTTP, as any client would. Embedded PGlite in memory by default; PostgreSQL when DATABASE_URL is set.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureServerBuild } from '../../scripts/build-server.js';
import { buildApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';
import { openDatabase } from '../../src/server/db/client.js';
import { ensureAdminAccount } from '../../src/server/features/auth/service.js';
import { TEST_ADMIN, TEST_JWT_SECRET } from './constants.js';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    databaseKind: 'pglite' | 'postgres';
  }
}

export default async function setup(project: TestProject) {
  // The tests that start server processes of their own run the build `npm start` runs.
  await ensureServerBuild();
  const dataDir = mkdtempSync(join(tmpdir(), 'skilled-test-'));
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
    JWT_SECRET: process.env.JWT_SECRET ?? TEST_JWT_SECRET,
    // Every test file signs in from 127.0.0.1: the shared server's limits are generous, and the
    // security tests start servers of their own with tight ones.
    RATE_LIMIT_IP_MAX: process.env.RATE_LIMIT_IP_MAX ?? '1000000',
    RATE_LIMIT_USER_MAX: process.env.RATE_LIMIT_USER_MAX ?? '1000000',
    RATE_LIMIT_AUTH_MAX: process.env.RATE_LIMIT_AUTH_MAX ?? '1000000',
    RATE_LIMIT_API_KEY_MAX: process.env.RATE_LIMIT_API_KEY_MAX ?? '1000000',
  });
  const database = await openDatabase({ databaseUrl: config.databaseUrl, poolSize: 20 });
  await ensureAdminAccount(database.db, TEST_ADMIN);
  const app = await buildApp({ config, database });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  project.provide('baseUrl', address);
  project.provide('databaseKind', database.kind);
  return async () => {
    await app.close();
    await database.close();
  };
}

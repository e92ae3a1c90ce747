// Helpers for the admin tests: calls of the admin routes on the shared server, polling, and a private
// server on its own empty database, for figures that must be exact (no other test writes there) and
// for rows that cannot be made through the API (backdated activity, direct SQL against the audit log).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';
import { type DatabaseHandle, openDatabase } from '../../src/server/db/client.js';
import { ensureAdminAccount } from '../../src/server/features/auth/service.js';
import { accountThrough, api, type ApiResponse, type TestUser } from './api.js';
import { TEST_ADMIN, TEST_PASSWORD } from './constants.js';
import { freshPostgresDatabase } from './process.js';

export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const ADMIN_ACCOUNT_KEYS = [
  'avatarUrl',
  'createdAt',
  'currentStreak',
  'email',
  'emailVerified',
  'firstName',
  'id',
  'lastLearned',
  'lastName',
  'notificationPreference',
  'preferredStudyTime',
  'role',
  'status',
  'suspendedAt',
  'suspensionReason',
  'updatedAt',
  'username',
  'weeklyLearningGoal',
];

export const listUsers = (user: TestUser | undefined, query: Record<string, string | number | undefined> = {}) =>
  api('GET', '/api/users', { token: user?.token, query });
export const setRole = (user: TestUser | undefined, userId: string, body: unknown) =>
  api('PUT', `/api/users/${userId}/role`, { token: user?.token, body });
export const suspend = (user: TestUser | undefined, userId: string, body?: unknown) =>
  api('POST', `/api/users/${userId}/suspend`, { token: user?.token, body });
export const unsuspend = (user: TestUser | undefined, userId: string) =>
  api('POST', `/api/users/${userId}/unsuspend`, { token: user?.token });
export const activity = (user: TestUser | undefined, userId: string, query: Record<string, string | number | undefined> = {}) =>
  api('GET', `/api/users/${userId}/activity`, { token: user?.token, query });
export const auditLog = (user: TestUser | undefined, query: Record<string, string | number | undefined> = {}) =>
  api('GET', '/api/admin/audit-log', { token: user?.token, query });

/** Calls `probe` until `done` holds or the time is up; returns the last response and the time taken. */
export async function poll(
  probe: () => Promise<ApiResponse>,
  done: (res: ApiResponse) => boolean,
  timeoutMs: number,
): Promise<{ res: ApiResponse; elapsedMs: number }> {
  const started = Date.now();
  for (;;) {
    const res = await probe();
    const elapsedMs = Date.now() - started;
    if (done(res) || elapsedMs > timeoutMs) return { res, elapsedMs };
    await sleep(100);
  }
}

export interface OwnServer {
  app: FastifyInstance;
  database: DatabaseHandle;
  call(method: string, url: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<ApiResponse>;
  /** Registers (unless admin) and signs in. */
  account(role: 'student' | 'instructor' | 'admin', names?: { firstName?: string; lastName?: string }): Promise<TestUser>;
  /** Another instance on the same database, with its own cache of session validity. */
  sibling(): Promise<{ call: OwnServer['call']; close(): Promise<void> }>;
  close(): Promise<void>;
}

type Call = OwnServer['call'];

function injector(app: FastifyInstance): Call {
  return async (method, url, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const res = await app.inject({
      method: method as 'GET',
      url,
      headers,
      ...(options.body !== undefined ? { payload: options.body as object } : {}),
    });
    const isJson = String(res.headers['content-type'] ?? '').includes('json') && res.body;
    return { status: res.statusCode, body: isJson ? res.json() : res.body, headers: new Headers(res.headers as Record<string, string>) };
  };
}

/** A server of its own on an empty database (PGlite in memory, or a throwaway PostgreSQL database). */
export async function ownServer(): Promise<OwnServer> {
  const fresh = process.env.DATABASE_URL ? await freshPostgresDatabase(process.env.DATABASE_URL, 'skilled_adm') : undefined;
  const databaseUrl = fresh?.url;
  const dropDatabase = fresh?.drop ?? (async () => undefined);
  const database = await openDatabase({ databaseUrl, poolSize: 5 });
  await ensureAdminAccount(database.db, TEST_ADMIN);
  const config = loadConfig({
    DATA_DIR: mkdtempSync(join(tmpdir(), 'skilled-adm-')),
    NODE_ENV: 'test',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  });
  const app = await buildApp({ config, database, logger: false });
  await app.ready();

  const call = injector(app);

  const account: OwnServer['account'] = (role, names = {}) =>
    accountThrough(call, role, { domain: 'own.test', lastNamePrefix: 'Own', ...names, admin: TEST_ADMIN, password: TEST_PASSWORD });

  return {
    app,
    database,
    call,
    account,
    async sibling() {
      const other = await buildApp({ config, database, logger: false });
      await other.ready();
      return { call: injector(other), close: () => other.close() };
    },
    async close() {
      await app.close();
      await database.close();
      await dropDatabase();
    },
  };
}

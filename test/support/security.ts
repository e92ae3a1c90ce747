// Servers of the security tests' own, with tight limits or other settings than the shared server's,
// and clients that pose as distinct addresses (X-Forwarded-For, trusted by these servers).
import { randomInt } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';
import { type DatabaseHandle, openDatabase } from '../../src/server/db/client.js';
import { ensureAdminAccount } from '../../src/server/features/auth/service.js';
import { accountThrough, api, type ApiResponse, type RequestOptions, type TestUser } from './api.js';
import { TEST_ADMIN, TEST_JWT_SECRET, TEST_PASSWORD } from './constants.js';

export interface OwnServer {
  url: string;
  app: FastifyInstance;
  database: DatabaseHandle;
  close(): Promise<void>;
}

/**
 * A server on its own port. It uses the test run's database (PostgreSQL when DATABASE_URL is set, else
 * its own in-memory one, or `database` when given) and no Redis unless `REDIS_URL` is passed in `env`.
 */
export async function startServer(
  env: Record<string, string> = {},
  options: { database?: DatabaseHandle; beforeListen?: (app: FastifyInstance) => void } = {},
): Promise<OwnServer> {
  const database = options.database ?? (await openDatabase({ databaseUrl: process.env.DATABASE_URL, poolSize: 5 }));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'skilled-security-')),
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    JWT_SECRET: TEST_JWT_SECRET,
    TRUST_PROXY: 'true',
    // the machine running the tests may be busy: these servers do not shed load
    OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
    ...env,
  });
  await ensureAdminAccount(database.db, TEST_ADMIN);
  const app = await buildApp({ config, database, logger: false });
  options.beforeListen?.(app);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    app,
    database,
    close: async () => {
      await app.close();
      if (!options.database) await database.close();
    },
  };
}

/** An address no other test uses, so that per-IP counters start from zero. */
export const randomIp = (): string => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

/** Requests to `url`, all from one address. */
export function clientAt(url: string, ip = randomIp()) {
  const call = <T = any>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> =>
    api<T>(method, path, { ...options, baseUrl: url, headers: { 'x-forwarded-for': ip, ...options.headers } });
  return { ip, url, call };
}

export type Client = ReturnType<typeof clientAt>;

/** Registers and signs in a user on the client's server. */
export const registerOn = (client: Client, role: 'student' | 'instructor' = 'student'): Promise<TestUser> =>
  accountThrough(client.call, role, { domain: 'security.skilled', firstName: 'Sec', lastNamePrefix: 'Test', admin: TEST_ADMIN, password: TEST_PASSWORD });

export async function adminOn(client: Client): Promise<TestUser> {
  const session = await client.call('POST', '/api/auth/signin', { body: TEST_ADMIN });
  if (session.status !== 200) throw new Error(`admin sign-in failed: ${session.status} ${JSON.stringify(session.body)}`);
  return {
    id: session.body.data.user.id,
    email: TEST_ADMIN.email,
    username: 'admin',
    password: TEST_ADMIN.password,
    role: 'admin',
    token: session.body.data.accessToken,
    refreshToken: session.body.data.refreshToken,
    firstName: 'Platform',
    lastName: 'Admin',
  };
}

/** The Set-Cookie values of a response, by cookie name. */
export function cookiesOf(response: ApiResponse): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const line of response.headers.getSetCookie()) {
    const name = line.split('=')[0]!.trim();
    cookies.set(name, line);
  }
  return cookies;
}

export const cookieValue = (setCookie: string | undefined): string => setCookie?.split(';')[0]!.split('=').slice(1).join('=') ?? '';

// Webhook tests' tools: platform instances of their own with a fast retry schedule (on an in-memory
// database, or on a throwaway PostgreSQL database shared by several instances when DATABASE_URL is set),
// a small HTTP client and factories for any instance, and a real HTTP receiver on loopback that records
// every request and answers as the test says.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';
import { type DatabaseHandle, openDatabase } from '../../src/server/db/client.js';
import { ensureAdminAccount } from '../../src/server/features/auth/service.js';
import { uniqueSuffix } from './api.js';
import { TEST_ADMIN, TEST_PASSWORD } from './constants.js';

/** Fast enough for tests, slow enough to see the backoff: 200 ms, 400 ms, 800 ms, then 1 s; 4 s window. */
export const FAST_WEBHOOKS = {
  WEBHOOK_POLL_INTERVAL_MS: '50',
  WEBHOOK_TIMEOUT_SECONDS: '2',
  WEBHOOK_RETRY_BASE_SECONDS: '0.2',
  WEBHOOK_RETRY_MAX_DELAY_SECONDS: '1',
  WEBHOOK_RETRY_WINDOW_HOURS: String(4 / 3600),
  WEBHOOK_PAUSE_AFTER_FAILURES: '10',
};

export interface Instance {
  app: FastifyInstance;
  url: string;
  /** Every log line this instance wrote, parsed. */
  logs: Record<string, any>[];
}

export interface Cluster {
  instances: Instance[];
  database: DatabaseHandle;
  kind: 'pglite' | 'postgres';
  close(): Promise<void>;
}

/** A database of its own: in-memory PGlite, or a new PostgreSQL database when DATABASE_URL is set. */
async function ownDatabase(): Promise<{ database: DatabaseHandle; drop: () => Promise<void> }> {
  const server = process.env.DATABASE_URL;
  if (!server) return { database: await openDatabase({}), drop: async () => undefined };
  const name = `skilled_webhooks_${uniqueSuffix()}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), poolSize: 10 });
  return {
    database,
    drop: async () => {
      const cleanup = new pg.Client({ connectionString: server });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

/** `count` instances on one database (PostgreSQL only: PGlite is one process's database, so one instance). */
export async function startCluster(count: number, env: Record<string, string> = {}): Promise<Cluster> {
  const { database, drop } = await ownDatabase();
  await ensureAdminAccount(database.db, TEST_ADMIN);
  const jwtSecret = `webhook-tests-${uniqueSuffix()}-${uniqueSuffix()}-${uniqueSuffix()}`;
  const instances: Instance[] = [];
  const total = database.kind === 'postgres' ? count : 1;
  for (let i = 0; i < total; i++) {
    const config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'skilled-webhooks-')),
      JWT_SECRET: jwtSecret,
      SEED_DEMO: 'false',
      // Every test here registers its own accounts, from one address.
      RATE_LIMIT_ENABLED: 'false',
      ...FAST_WEBHOOKS,
      ...env,
    });
    const logs: Record<string, any>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(JSON.parse(line));
        done();
      },
    });
    const app = await buildApp({ config, database, logger: { level: 'info', stream } });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    instances.push({ app, url, logs });
  }
  return {
    instances,
    database,
    kind: database.kind,
    async close() {
      await Promise.all(instances.map((instance) => instance.app.close()));
      await database.close();
      await drop();
    },
  };
}

// ---- a client for any instance

export interface Reply {
  status: number;
  body: any;
}

export async function call(
  root: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; query?: Record<string, string | number | undefined> } = {},
): Promise<Reply> {
  const url = new URL(path, root);
  for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
  const res = await fetch(url, {
    method,
    headers: {
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export interface Account {
  id: string;
  email: string;
  token: string;
}

async function expectOk(reply: Promise<Reply>, status: number, what: string): Promise<any> {
  const res = await reply;
  if (res.status !== status) throw new Error(`${what} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function account(root: string, role: 'student' | 'instructor'): Promise<Account> {
  const suffix = uniqueSuffix();
  const email = `${role}-${suffix}@webhooks.test`;
  const body = { email, password: TEST_PASSWORD, firstName: 'Web', lastName: `Hook${suffix.slice(0, 4)}`, username: `wh_${role.slice(0, 3)}_${suffix}`, role };
  await expectOk(call(root, 'POST', '/api/users/register', { body }), 201, 'register');
  const session = await expectOk(call(root, 'POST', '/api/auth/signin', { body: { email, password: TEST_PASSWORD } }), 200, 'sign in');
  return { id: session.data.user.id, email, token: session.data.accessToken };
}

export async function adminAccount(root: string): Promise<Account> {
  const session = await expectOk(call(root, 'POST', '/api/auth/signin', { body: TEST_ADMIN }), 200, 'admin sign in');
  return { id: session.data.user.id, email: TEST_ADMIN.email, token: session.data.accessToken };
}

/** An instructor's course with `lessons` lessons and an enrolled student: each completion is a lesson.completed event. */
export async function courseWithLessons(root: string, lessons: number) {
  const instructor = await account(root, 'instructor');
  const course = await expectOk(
    call(root, 'POST', '/api/courses', {
      token: instructor.token,
      body: { title: `Webhook course ${uniqueSuffix()}`, description: 'd', thumbnailUrl: 'https://example.com/t.png', category: 'science', difficultyLevel: 'beginner' },
    }),
    201,
    'create course',
  );
  const courseId = course.data.courseId as string;
  const lessonIds: string[] = [];
  for (let i = 0; i < lessons; i++) {
    const lesson = await expectOk(
      call(root, 'POST', `/api/courses/${courseId}/lessons`, { token: instructor.token, body: { title: `L${i}`, description: 'x', estimatedTime: 5 } }),
      201,
      'create lesson',
    );
    lessonIds.push(lesson.data.lessonId);
  }
  const student = await account(root, 'student');
  await expectOk(call(root, 'POST', `/api/courses/${courseId}/enroll`, { token: student.token }), 201, 'enroll');
  return { instructor, student, courseId, lessonIds };
}

export async function completeLesson(root: string, student: Account, lessonId: string): Promise<void> {
  await expectOk(call(root, 'POST', '/api/lessons/complete', { token: student.token, body: { lessonId } }), 201, 'complete lesson');
}

export async function registerWebhook(root: string, owner: Account, body: Record<string, unknown>) {
  const created = await expectOk(call(root, 'POST', '/api/webhooks', { token: owner.token, body }), 201, 'register webhook');
  return created.data as { webhookId: string; secret: string } & Record<string, any>;
}

export async function deliveries(root: string, owner: Account, webhookId: string, query: Record<string, string | number> = {}) {
  const page = await expectOk(call(root, 'GET', `/api/webhooks/${webhookId}/deliveries`, { token: owner.token, query: { limit: 100, ...query } }), 200, 'list deliveries');
  return page.data as any[];
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// ---- the receiver

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  /** The body exactly as it arrived. */
  rawBody: string;
  at: number;
}

export interface Receiver {
  url: string;
  requests: Received[];
  /** How the next request is answered (default 200); null leaves it unanswered. */
  respond: (request: Received, index: number) => { status: number; body?: string } | null;
  waitFor(predicate: (requests: Received[]) => boolean, timeoutMs?: number, what?: string): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const requests: Received[] = [];
  const receiver: Receiver = {
    url: '',
    requests,
    respond: () => ({ status: 200, body: 'ok' }),
    waitFor: (predicate, timeoutMs = 10_000, what = 'webhook requests') =>
      eventually(async () => (predicate(requests) ? requests : undefined), timeoutMs, what),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const received: Received = { path: request.url ?? '', headers: request.headers, rawBody: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      requests.push(received);
      const answer = receiver.respond(received, requests.length - 1);
      if (!answer) return;
      response.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}

// ---- the verification recipe, exactly as README.md documents it

export type Verifier = (rawBody: string, signatureHeader: string, secret: string, toleranceSeconds?: number) => boolean;

/** Takes the README's Node snippet (the code block defining verifySkilledSignature) and runs it as a module. */
export async function documentedVerifier(): Promise<Verifier> {
  const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
  const block = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1]!).find((code) => code.includes('function verifySkilledSignature'));
  if (!block) throw new Error('README.md has no verifySkilledSignature snippet');
  const file = join(mkdtempSync(join(tmpdir(), 'skilled-recipe-')), 'verify.mjs');
  writeFileSync(file, `${block}\nexport { verifySkilledSignature };\n`);
  const module = (await import(pathToFileURL(file).href)) as { verifySkilledSignature: Verifier };
  return module.verifySkilledSignature;
}

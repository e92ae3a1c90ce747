// Helpers for the communication tests: calls of the announcement, message and notification routes; a
// platform of its own (on its own empty database, listening on a port) configured to send mail through an
// SMTP server that the test runs on loopback; and that SMTP server, which keeps what it received.
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { buildApp } from '../../src/server/app.js';
import { type Config, loadConfig } from '../../src/server/config.js';
import { type DatabaseHandle, openDatabase } from '../../src/server/db/client.js';
import { ensureAdminAccount } from '../../src/server/features/auth/service.js';
import { accountThrough, api, type ApiResponse, type TestUser, uniqueSuffix } from './api.js';
import { TEST_ADMIN, TEST_PASSWORD } from './constants.js';
import { freshPostgresDatabase } from './process.js';

type Query = Record<string, string | number | boolean | undefined>;

// ---- The routes, on the shared test server

export const postAnnouncement = (user: Pick<TestUser, 'token'> | undefined, body: unknown) =>
  api('POST', '/api/announcements', { token: user?.token, body });
export const listAnnouncements = (user: Pick<TestUser, 'token'> | undefined, query: Query = {}) =>
  api('GET', '/api/announcements', { token: user?.token, query });
export const sendMessage = (user: Pick<TestUser, 'token'> | undefined, body: unknown) =>
  api('POST', '/api/messages', { token: user?.token, body });
export const listMessages = (user: Pick<TestUser, 'token'> | undefined, query: Query = {}) =>
  api('GET', '/api/messages', { token: user?.token, query });
export const listConversations = (user: Pick<TestUser, 'token'> | undefined, query: Query = {}) =>
  api('GET', '/api/messages/conversations', { token: user?.token, query });
export const markConversationRead = (user: Pick<TestUser, 'token'> | undefined, conversationId: string) =>
  api('POST', `/api/messages/conversations/${conversationId}/read`, { token: user?.token });
export const getNotifications = (user: Pick<TestUser, 'token'> | undefined, query: Query = {}) =>
  api('GET', '/api/notifications', { token: user?.token, query });
export const markNotificationsRead = (user: Pick<TestUser, 'token'> | undefined, body: unknown) =>
  api('POST', '/api/notifications/read', { token: user?.token, body });
export const getPreferences = (user: Pick<TestUser, 'token'> | undefined) =>
  api('GET', '/api/notifications/preferences', { token: user?.token });
export const setPreferences = (user: Pick<TestUser, 'token'> | undefined, body: unknown) =>
  api('PUT', '/api/notifications/preferences', { token: user?.token, body });

/** The user's notifications of one type, newest first (up to 100). */
export async function notificationsOfType(user: Pick<TestUser, 'token'>, type: string): Promise<any[]> {
  const res = await getNotifications(user, { type, limit: 100 });
  if (res.status !== 200) throw new Error(`notifications: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data;
}

/**
 * The user's notifications of one type once one matching `wanted` is there. Notifications to a whole course
 * or platform are written just after the change commits (the notification queue), so they are waited for.
 */
export async function notificationsOnceThere(
  user: Pick<TestUser, 'token'>,
  type: string,
  wanted: (notification: any) => boolean,
  timeoutMs = 8_000,
): Promise<any[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await notificationsOfType(user, type);
    if (found.some(wanted)) return found;
    if (Date.now() > deadline) throw new Error(`no ${type} notification as wanted within ${timeoutMs} ms: ${JSON.stringify(found)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

// ---- An SMTP server on loopback

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
}

export interface TestSmtpServer {
  url: string;
  received: ReceivedMail[];
  /** Messages refused so far. */
  refused: ReceivedMail[];
  /** The next `n` messages that match are refused with a temporary error (451), after being read. */
  refuseNext(n: number, matches?: (mail: ReceivedMail) => boolean): void;
  /** Messages that match are always refused. */
  refuseAlways(matches: (mail: ReceivedMail) => boolean): void;
  /** Messages are held (not answered) until the returned function is called. */
  hold(): () => void;
  /** Messages received and held, not yet answered. */
  held(): ReceivedMail[];
  waitFor(predicate: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

export async function startSmtpServer(): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const waiters = new Set<{ predicate: (mail: ReceivedMail) => boolean; resolve: (mail: ReceivedMail) => void }>();
  // Accounts get mail of their own (address verification), so refusals pick the messages they apply to.
  let refusals = { left: 0, matches: (_mail: ReceivedMail) => true };
  const alwaysRefused: ((mail: ReceivedMail) => boolean)[] = [];
  const refused: ReceivedMail[] = [];
  let gate: Promise<void> | null = null;
  const holding = new Set<ReceivedMail>();

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then(async (parsed) => {
          const mail: ReceivedMail = {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
          };
          if (gate) {
            holding.add(mail);
            await gate;
            holding.delete(mail);
          }
          const refuseOnce = refusals.left > 0 && refusals.matches(mail);
          if (refuseOnce || alwaysRefused.some((matches) => matches(mail))) {
            if (refuseOnce) refusals.left--;
            refused.push(mail);
            callback(Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 }));
            return;
          }
          received.push(mail);
          for (const waiter of waiters) {
            if (waiter.predicate(mail)) {
              waiters.delete(waiter);
              waiter.resolve(mail);
            }
          }
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;

  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    refused,
    refuseNext: (n, matches = () => true) => (refusals = { left: n, matches }),
    refuseAlways: (matches) => alwaysRefused.push(matches),
    hold() {
      let release!: () => void;
      gate = new Promise((resolve) => (release = resolve));
      return () => {
        gate = null;
        release();
      };
    },
    held: () => [...holding],
    waitFor(predicate, timeoutMs = 10_000) {
      const found = received.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = {
          predicate,
          resolve: (mail: ReceivedMail) => {
            clearTimeout(timer);
            resolve(mail);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching mail within ${timeoutMs} ms; received: ${JSON.stringify(received.map((m) => [m.to, m.subject]))}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

// ---- A platform of its own

export interface OwnPlatform {
  app: FastifyInstance;
  config: Config;
  database: DatabaseHandle;
  url: string;
  /** Log lines (JSON) the platform wrote at warn level and above. */
  logs: string[];
  call(method: string, path: string, options?: { token?: string; body?: unknown; query?: Query }): Promise<ApiResponse>;
  account(role: 'student' | 'instructor' | 'admin'): Promise<TestUser>;
  /** Another instance on the same database (PostgreSQL only: the embedded database has one owner). */
  sibling(): Promise<{ database: DatabaseHandle; close(): Promise<void> }>;
  close(): Promise<void>;
}

/** A platform on an empty database (PGlite in memory, or a throwaway PostgreSQL database), listening on loopback. */
export async function ownPlatform(env: Record<string, string>): Promise<OwnPlatform> {
  const fresh = process.env.DATABASE_URL ? await freshPostgresDatabase(process.env.DATABASE_URL, 'skilled_comm') : undefined;
  const databaseUrl = fresh?.url;
  const dropDatabase = fresh?.drop ?? (async () => undefined);
  const database = await openDatabase({ databaseUrl, poolSize: 5 });
  await ensureAdminAccount(database.db, TEST_ADMIN);
  const config = loadConfig({
    DATA_DIR: mkdtempSync(join(tmpdir(), 'skilled-comm-')),
    NODE_ENV: 'test',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...env,
  });
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const app = await buildApp({ config, database, logger: { level: 'warn', stream } });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });

  const call: OwnPlatform['call'] = async (method, path, options = {}) => {
    const url = new URL(path, address);
    for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(url, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    const text = await res.text();
    const body = (res.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : text;
    return { status: res.status, body, headers: res.headers };
  };

  const account: OwnPlatform['account'] = (role) =>
    accountThrough(call, role, { domain: 'comm.test', lastNamePrefix: 'Comm', admin: TEST_ADMIN, password: TEST_PASSWORD });

  return {
    app,
    config,
    database,
    url: address,
    logs,
    call,
    account,
    async sibling() {
      if (!databaseUrl) throw new Error('a second instance needs PostgreSQL');
      const other = await openDatabase({ databaseUrl, poolSize: 3 });
      return { database: other, close: () => other.close() };
    },
    async close() {
      await app.close();
      await database.close();
      await dropDatabase();
    },
  };
}

/** On a platform of its own: a course taught by a new instructor, with one lesson and enrolled students. */
export async function ownCourse(platform: OwnPlatform, students = 1, assignment?: { dueDate: string }) {
  const instructor = await platform.account('instructor');
  const created = await platform.call('POST', '/api/courses', {
    token: instructor.token,
    body: { title: `Course ${uniqueSuffix()}`, description: 'd', thumbnailUrl: 'https://example.com/t.png', category: 'science', difficultyLevel: 'beginner' },
  });
  if (created.status !== 201) throw new Error(`create course: ${created.status} ${JSON.stringify(created.body)}`);
  const courseId = created.body.data.courseId as string;
  await platform.call('POST', `/api/courses/${courseId}/lessons`, { token: instructor.token, body: { title: 'L1', description: 'x', estimatedTime: 5 } });
  const enrolled: TestUser[] = [];
  for (let i = 0; i < students; i++) {
    const student = await platform.account('student');
    const res = await platform.call('POST', `/api/courses/${courseId}/enroll`, { token: student.token });
    if (res.status !== 201) throw new Error(`enroll: ${res.status} ${JSON.stringify(res.body)}`);
    enrolled.push(student);
  }
  let assignmentId: string | undefined;
  if (assignment) {
    const res = await platform.call('POST', '/api/assignments', {
      token: instructor.token,
      body: { courseId, title: `Essay ${uniqueSuffix()}`, description: 'Write', points: 10, dueDate: assignment.dueDate },
    });
    if (res.status !== 201) throw new Error(`create assignment: ${res.status} ${JSON.stringify(res.body)}`);
    assignmentId = res.body.data.assignmentId;
  }
  return { instructor, courseId, students: enrolled, assignmentId };
}

// The SDK's real-time side in Node, with the `ws` package's WebSocket as a script passes it: typed
// listeners, subscriptions (refused ones surfaced), resync, the spec's subscribeToUpdates, and, on a
// server of its own that it restarts on the same port and database: resume without gaps or repeats,
// re-subscription, a fresh access token before reconnecting, and the answers to a 4401.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { RealtimeEvent } from '../src/contract/events.js';
import { buildApp } from '../src/server/app.js';
import { loadConfig } from '../src/server/config.js';
import { type DatabaseHandle, openDatabase } from '../src/server/db/client.js';
import { ensureAdminAccount } from '../src/server/features/auth/service.js';
import { ELearningApiClient } from '../src/sdk/elearning-client.js';
import { RealtimeError } from '../src/sdk/errors.js';
import type { RealtimeClient, RealtimeOptions, ResyncInfo, StateChange } from '../src/sdk/realtime-client.js';
import { baseUrl, createCourse, createInstructor, createStudent, signInAdmin, uniqueSuffix, type TestUser } from './support/api.js';
import { TEST_ADMIN, TEST_PASSWORD } from './support/constants.js';
import { RESUME_GRACE_MS } from '../src/server/realtime/websocket.js';
import { completeLesson, connectWs, courseForEvents, isEvent } from './support/realtime.js';
import { record, sdkFor } from './support/sdk.js';

const FAST_RECONNECT = { reconnectBaseDelayMs: 100, reconnectMaxDelayMs: 400 };

const running: RealtimeClient[] = [];
const sockets: WebSocket[] = [];
afterEach(() => {
  for (const client of running.splice(0)) client.close();
  for (const socket of sockets.splice(0)) socket.terminate();
});

/** Everything a RealtimeClient reports, as a test reads it. */
function watch(realtime: RealtimeClient) {
  running.push(realtime);
  const seen = {
    events: [] as RealtimeEvent[],
    states: [] as StateChange[],
    errors: [] as RealtimeError[],
    resyncs: [] as ResyncInfo[],
    lessons: () => seen.events.filter((e) => e.type === 'lesson.completed').map((e) => e.data.lessonId),
    opened: () => seen.states.filter((s) => s.state === 'open').length,
  };
  realtime.on('*', (event) => seen.events.push(event));
  realtime.on('state', (change) => seen.states.push(change));
  realtime.on('error', (error) => seen.errors.push(error));
  realtime.on('resync', (info) => seen.resyncs.push(info));
  return seen;
}

/** A script's client of the shared test server: bearer tokens, and `ws` for the real-time side. */
const scriptFor = (user: TestUser | undefined) =>
  new ELearningApiClient({
    baseUrl: baseUrl(),
    authMode: 'bearer',
    WebSocket,
    ...(user ? { tokens: { accessToken: user.token, refreshToken: user.refreshToken } } : {}),
  });

const realtimeFor = (user: TestUser, options: RealtimeOptions = {}) => scriptFor(user).realtime(options);

const increasing = (events: RealtimeEvent[]) => events.every((e, i) => i === 0 || BigInt(e.id) > BigInt(events[i - 1]!.id));

describe('RealtimeClient on the shared server', () => {
  it('hands the events of a subscribed course to a listener typed by the contract, and none before the subscription', async () => {
    const setup = await courseForEvents(2);
    const realtime = realtimeFor(await signInAdmin());
    const seen = watch(realtime);
    const typed: { lessonId: string; studentId: string; courseId: string; id: string }[] = [];
    realtime.on('lesson.completed', (data, event) => {
      // @ts-expect-error lesson.completed carries no grade
      void data.grade;
      typed.push({ ...data, id: event.id });
    });
    await realtime.connect();
    expect(realtime.state).toBe('open');

    // An admin sees a course's staff events only while subscribed to it. The instructor sees them
    // without subscribing: once one reached the instructor, the server has dealt with it for every
    // connection, the admin's included.
    const instructor = await connectWs({ token: setup.instructor.token });
    try {
      await completeLesson(setup.student, setup.lessonIds[0]!);
      await instructor.waitFor(isEvent('lesson.completed', { lessonId: setup.lessonIds[0] }));
    } finally {
      await instructor.close();
    }
    await realtime.subscribe(setup.courseId);
    expect(realtime.subscriptions).toEqual([setup.courseId]);
    await completeLesson(setup.student, setup.lessonIds[1]!);
    await expect.poll(() => typed.length).toBe(1);
    expect(typed[0]).toEqual({ lessonId: setup.lessonIds[1], studentId: setup.student.id, courseId: setup.courseId, id: expect.stringMatching(/^\d+$/) });
    expect(seen.lessons()).toEqual([setup.lessonIds[1]]);
    expect(realtime.lastEventId).toBe(typed[0]!.id);
    expect(seen.states.map((s) => s.state)).toEqual(['connecting', 'open']);
  });

  it('surfaces a refused subscription as a rejected promise and an error event, and stays open', async () => {
    const student = await createStudent();
    const foreign = await createCourse(await createInstructor());
    const realtime = realtimeFor(student);
    const seen = watch(realtime);

    const refused = await realtime.subscribe(foreign.courseId).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(RealtimeError);
    expect(refused).toMatchObject({ code: 'FORBIDDEN', courseId: foreign.courseId });
    const missing = '00000000-0000-4000-8000-000000000000';
    await expect(realtime.subscribe(missing)).rejects.toMatchObject({ code: 'COURSE_NOT_FOUND', courseId: missing });
    expect(seen.errors.map((e) => [e.code, e.courseId])).toEqual([
      ['FORBIDDEN', foreign.courseId],
      ['COURSE_NOT_FOUND', missing],
    ]);
    expect(realtime.subscriptions).toEqual([]);
    expect(realtime.state).toBe('open');

    // Still usable: a course the student belongs to is accepted.
    const setup = await courseForEvents(1);
    const member = realtimeFor(setup.student);
    await expect(member.subscribe(setup.courseId)).resolves.toBeUndefined();
    running.push(member);
  });

  it('emits resync for a position the server does not hold, then goes on from the server position', async () => {
    const setup = await courseForEvents(1);
    const realtime = realtimeFor(setup.student, { lastEventId: '987654321098' });
    const seen = watch(realtime);
    await realtime.connect();
    await expect.poll(() => seen.resyncs.length).toBe(1);
    const [resync] = seen.resyncs;
    expect(resync).toEqual({ lastEventId: expect.stringMatching(/^\d+$/), reason: expect.any(String) });
    expect(BigInt(resync!.lastEventId)).toBeLessThan(987654321098n);
    expect(realtime.lastEventId).toBe(resync!.lastEventId);

    // Newer events than the server position arrive, though their ids are below the one given at first.
    await completeLesson(setup.student, setup.lessonIds[0]!);
    await expect.poll(() => seen.lessons()).toEqual([setup.lessonIds[0]]);
  });

  it('needs a WebSocket constructor in Node 20, and a session', async () => {
    const student = await createStudent();
    if (typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'undefined') {
      expect(() => sdkFor(student).realtime()).toThrow(/No WebSocket here/);
    }
    const anonymous = scriptFor(undefined);
    expect(() => anonymous.subscribeToUpdates('00000000-0000-4000-8000-000000000000')).toThrow(RealtimeError);
    const realtime = anonymous.realtime();
    const seen = watch(realtime);
    await expect(realtime.connect()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(realtime.state).toBe('closed');
    expect(seen.errors.map((e) => e.code)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('the protocol the client relies on', () => {
  it('applies subscriptions sent before resume to what the resume delivers, including events since the connection started', async () => {
    const setup = await courseForEvents(3);
    const admin = await signInAdmin();
    // The event must be committed after `ready` and before the subscription, within the server's short
    // wait for a resume; on a machine too busy for that, try again with the next lesson.
    for (const lessonId of setup.lessonIds) {
      const raw = await connectWs({ token: admin.token });
      const readyAt = Date.now();
      try {
        await completeLesson(setup.student, lessonId);
        if (Date.now() - readyAt > RESUME_GRACE_MS * 0.8) continue;
        raw.send({ type: 'subscribe', courseId: setup.courseId });
        raw.send({ type: 'resume', lastEventId: raw.messages[0].lastEventId });
        await raw.waitFor((m) => m.type === 'resumed');
        expect(raw.events().map((e) => e.data.lessonId)).toEqual([lessonId]);
        expect(raw.messages.findIndex(isEvent('lesson.completed'))).toBeLessThan(raw.messages.findIndex((m) => m.type === 'resumed'));
        return;
      } finally {
        await raw.close();
      }
    }
    throw new Error('the server was too slow for the event to fall inside the wait for a resume');
  });
});

describe('subscribeToUpdates', () => {
  it("returns an open WebSocket, authenticated by its first message and subscribed to the course, that receives the course's events", async () => {
    const setup = await courseForEvents(1);
    const admin = scriptFor(await signInAdmin());
    // The spec's signature: the client was given `ws`'s constructor, so that is what comes back.
    const socket = admin.subscribeToUpdates(setup.courseId);
    if (!(socket instanceof WebSocket)) throw new Error('expected the WebSocket of the ws package');
    sockets.push(socket);
    expect(socket.url).toBe(`${baseUrl().replace(/^http/, 'ws')}/api/ws`);
    const messages: { type: string; [key: string]: unknown }[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(data.toString())));

    await expect.poll(() => messages.find((m) => m.type === 'subscribed')).toEqual({ type: 'subscribed', courseId: setup.courseId });
    expect(socket.readyState).toBe(WebSocket.OPEN);
    expect(messages[0]).toMatchObject({ type: 'ready' });

    await completeLesson(setup.student, setup.lessonIds[0]!);
    await expect
      .poll(() => messages.find((m) => m.type === 'lesson.completed'))
      .toMatchObject({ id: expect.any(String), data: { lessonId: setup.lessonIds[0], studentId: setup.student.id, courseId: setup.courseId } });
  });
});

describe('RealtimeClient across restarts of its own server (same port, same database)', () => {
  const ACCESS_TOKEN_TTL_SECONDS = 4;
  let dataDir: string;
  let database: DatabaseHandle;
  let config: ReturnType<typeof loadConfig>;
  let app: FastifyInstance;
  let root: string;

  const start = async (port = 0) => {
    const server = await buildApp({ config, database });
    const url = await server.listen({ port, host: '127.0.0.1' });
    return { server, url };
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'skilled-sdk-realtime-'));
    const loaded = loadConfig({
      ...process.env,
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
      RATE_LIMIT_ENABLED: 'false',
    });
    // Shorter than the environment allows, so that a token expires within the test.
    config = { ...loaded, accessTokenTtl: ACCESS_TOKEN_TTL_SECONDS };
    database = await openDatabase({ databaseUrl: config.databaseUrl });
    await ensureAdminAccount(database.db, TEST_ADMIN);
    ({ server: app, url: root } = await start());
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await database?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** Closes the server (its clients get 1012), lets `meanwhile` run against another instance, and starts it again on the same port. */
  async function restart(meanwhile?: (otherUrl: string) => Promise<void>) {
    await app.close();
    if (meanwhile) {
      const other = await start();
      try {
        await meanwhile(other.url);
      } finally {
        await other.server.close();
      }
    }
    ({ server: app } = await start(Number(new URL(root).port)));
  }

  const client = (url = root) =>
    new ELearningApiClient({ baseUrl: url, authMode: 'bearer', WebSocket, retryBaseDelayMs: 5, retryMaxDelayMs: 50 });

  async function account(role: 'student' | 'instructor') {
    const suffix = uniqueSuffix();
    const body = { email: `rt-${role}-${suffix}@sdk.test`, password: TEST_PASSWORD, firstName: 'Real', lastName: 'Time', username: `rt_${role.slice(0, 4)}_${suffix}`, role };
    const api = client();
    const user = await api.registerUser(body);
    await api.signIn(body.email, body.password);
    return { api, id: user.id, email: body.email, password: body.password };
  }

  async function courseWithLessons(lessons: number) {
    const instructor = await account('instructor');
    const course = await instructor.api.createCourse({ title: `Realtime ${uniqueSuffix()}`, category: 'science', difficultyLevel: 'beginner' });
    const lessonIds: string[] = [];
    for (let i = 0; i < lessons; i++) {
      lessonIds.push((await instructor.api.createLesson(course.courseId, { title: `Lesson ${i}`, description: 'x', estimatedTime: 5 })).lessonId);
    }
    const student = await account('student');
    await student.api.enrollInCourse(course.courseId);
    return { instructor, student, courseId: course.courseId, lessonIds };
  }

  it('resumes after a restart: re-subscribes, and delivers the missed events once each, in order, then live ones', async () => {
    const setup = await courseWithLessons(4);
    const admin = client();
    await admin.signIn(TEST_ADMIN.email, TEST_ADMIN.password);
    const realtime = admin.realtime(FAST_RECONNECT);
    const seen = watch(realtime);
    await realtime.subscribe(setup.courseId);
    await setup.student.api.completeLesson({ lessonId: setup.lessonIds[0]! });
    await expect.poll(() => seen.lessons()).toEqual([setup.lessonIds[0]]);

    await restart(async (otherUrl) => {
      // Written while the client's server is down: the admin sees them only through its subscription.
      const elsewhere = client(otherUrl);
      await elsewhere.signIn(setup.student.email, setup.student.password);
      await elsewhere.completeLesson({ lessonId: setup.lessonIds[1]! });
      await elsewhere.completeLesson({ lessonId: setup.lessonIds[2]! });
    });
    await expect.poll(() => seen.opened(), { timeout: 10_000 }).toBe(2);
    await setup.student.api.completeLesson({ lessonId: setup.lessonIds[3]! });

    await expect.poll(() => seen.lessons(), { timeout: 10_000 }).toEqual(setup.lessonIds);
    expect(increasing(seen.events)).toBe(true);
    expect(seen.states.find((s) => s.state === 'reconnecting')).toMatchObject({ previous: 'open', closeCode: 1012 });
    expect(realtime.subscriptions).toEqual([setup.courseId]);
    expect(realtime.lastEventId).toBe(seen.events.at(-1)!.id);

    // Another restart with nothing missed repeats nothing.
    await restart();
    await expect.poll(() => seen.opened(), { timeout: 10_000 }).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seen.lessons()).toEqual(setup.lessonIds);
    expect(seen.errors).toEqual([]);
  }, 60_000);

  it('refreshes an expired access token before reconnecting, instead of being refused with it', async () => {
    const setup = await courseWithLessons(1);
    const instructor = client();
    await instructor.signIn(setup.instructor.email, setup.instructor.password);
    const exchanges = record(instructor);
    const refreshes = () => exchanges.filter((x) => x.path === '/api/auth/refresh');
    const realtime = instructor.realtime(FAST_RECONNECT);
    const seen = watch(realtime);
    await realtime.connect();
    expect(refreshes()).toEqual([]);

    const expired = instructor.getTokens()!.accessToken;
    const expiresAt = Date.parse(instructor.getTokens()!.expiresAt!);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 1_100));
    const refused = await fetch(`${root}/api/analytics`, { headers: { authorization: `Bearer ${expired}` } });
    expect(refused.status).toBe(401);

    await restart();
    await expect.poll(() => seen.opened(), { timeout: 10_000 }).toBe(2);
    // One refresh succeeded (one that met the server while it was stopping may have had a 503 first).
    expect(refreshes().filter((x) => x.status === 200)).toHaveLength(1);
    expect(refreshes().filter((x) => x.status !== 200 && x.status !== 503)).toEqual([]);
    expect(instructor.getTokens()!.accessToken).not.toBe(expired);
    // The expired token was never offered: no connection was refused as unauthenticated.
    expect(seen.states.filter((s) => s.closeCode === 4401)).toEqual([]);

    await setup.student.api.completeLesson({ lessonId: setup.lessonIds[0]! });
    await expect.poll(() => seen.lessons()).toEqual(setup.lessonIds);
  }, 60_000);

  it('answers a 4401 by refreshing the session once and coming back without a gap', async () => {
    const setup = await courseWithLessons(2);
    const instructor = client();
    await instructor.signIn(setup.instructor.email, setup.instructor.password);
    const exchanges = record(instructor);
    const realtime = instructor.realtime(FAST_RECONNECT);
    const seen = watch(realtime);
    await realtime.connect();
    await setup.student.api.completeLesson({ lessonId: setup.lessonIds[0]! });
    await expect.poll(() => seen.lessons()).toEqual([setup.lessonIds[0]]);

    app.realtime.disconnectUser(setup.instructor.id);
    await expect.poll(() => seen.states.some((s) => s.closeCode === 4401)).toBe(true);
    await setup.student.api.completeLesson({ lessonId: setup.lessonIds[1]! });
    await expect.poll(() => seen.lessons(), { timeout: 10_000 }).toEqual(setup.lessonIds);
    expect(exchanges.filter((x) => x.path === '/api/auth/refresh').map((x) => x.status)).toEqual([200]);
    expect(realtime.state).toBe('open');
  }, 30_000);

  it('stops with UNAUTHENTICATED when the session has ended and cannot be refreshed', async () => {
    const setup = await courseWithLessons(1);
    const instructor = client();
    await instructor.signIn(setup.instructor.email, setup.instructor.password);
    const realtime = instructor.realtime(FAST_RECONNECT);
    const seen = watch(realtime);
    await realtime.connect();

    // Signed out elsewhere with the refresh token: the server ends the session and its connections.
    const signedOut = await fetch(`${root}/api/auth/signout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: instructor.getTokens()!.refreshToken }),
    });
    expect(signedOut.status).toBe(200);
    app.realtime.disconnectUser(setup.instructor.id);

    await expect.poll(() => realtime.state).toBe('closed');
    expect(seen.errors.map((e) => e.code)).toEqual(['UNAUTHENTICATED']);
    expect(instructor.getTokens()).toBeUndefined();
    expect(seen.states.at(-1)).toMatchObject({ state: 'closed', closeCode: 4401 });
  }, 30_000);
});

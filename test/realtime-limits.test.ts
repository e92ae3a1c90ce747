// The real-time limits, on dedicated server processes whose settings make them quick to observe: the
// retention window (resync), heartbeats, SSE keep-alive comments, a session that ends, a slow client,
// Redis being unreachable, and a restart (close code 1012).
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/server/db/client.js';
import { emitEvent } from '../src/server/realtime/events.js';
import { freePort, type ServerProcess, spawnServer, stopServer, waitReady } from './support/process.js';
import { completeLesson, connectWs, isEvent, openSse, settle } from './support/realtime.js';

const ADMIN = { ADMIN_EMAIL: 'ops@realtime.test', ADMIN_PASSWORD: 'Realtime-ops-42' };

async function call(root: string, method: string, path: string, options: { token?: string; body?: unknown } = {}) {
  const res = await fetch(new URL(path, root), {
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

let counter = 0;
async function user(root: string, role: 'student' | 'instructor') {
  const suffix = `${Date.now().toString(36)}${counter++}`;
  const body = { email: `${role}-${suffix}@realtime.test`, password: 'Realtime-pass-1', firstName: 'Real', lastName: 'Time', username: `rt_${role.slice(0, 3)}_${suffix}`, role };
  const registered = await call(root, 'POST', '/api/users/register', { body });
  if (registered.status !== 201) throw new Error(`register: ${registered.status} ${JSON.stringify(registered.body)}`);
  const session = await call(root, 'POST', '/api/auth/signin', { body: { email: body.email, password: body.password } });
  return { id: session.body.data.user.id as string, token: session.body.data.accessToken as string, refreshToken: session.body.data.refreshToken as string };
}

/** An instructor's course with lessons and an enrolled student, made through the API of `root`. */
async function course(root: string, lessons: number) {
  const instructor = await user(root, 'instructor');
  const created = await call(root, 'POST', '/api/courses', {
    token: instructor.token,
    body: { title: 'Realtime limits', description: 'd', thumbnailUrl: 'https://example.com/t.png', category: 'science', difficultyLevel: 'beginner' },
  });
  const courseId = created.body.data.courseId as string;
  const lessonIds: string[] = [];
  for (let i = 0; i < lessons; i++) {
    const lesson = await call(root, 'POST', `/api/courses/${courseId}/lessons`, { token: instructor.token, body: { title: `L${i}`, description: 'x', estimatedTime: 5 } });
    lessonIds.push(lesson.body.data.lessonId);
  }
  const student = await user(root, 'student');
  expect((await call(root, 'POST', `/api/courses/${courseId}/enroll`, { token: student.token })).status).toBe(201);
  return { instructor, student, courseId, lessonIds };
}

describe('one process with tiny retention, fast heartbeats and Redis unreachable', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = spawnServer(
      {
        DATA_DIR: mkdtempSync(join(tmpdir(), 'skilled-realtime-limits-')),
        SEED_DEMO: 'false',
        EVENT_RETENTION_HOURS: '0.0005', // 1.8 seconds
        WS_HEARTBEAT_SECONDS: '0.5',
        SSE_KEEPALIVE_SECONDS: '0.3',
        // Nothing listens there: the platform must serve anyway.
        REDIS_URL: 'redis://127.0.0.1:1',
        ...ADMIN,
      },
      await freePort(),
    );
    await waitReady(server);
  });
  afterAll(async () => {
    await stopServer(server, 'SIGKILL');
  });

  it('serves and delivers events while Redis is unreachable, and says so in its log', async () => {
    const setup = await course(server.url, 1);
    const client = await connectWs({ url: server.url, token: setup.student.token });
    await completeLesson(setup.student, setup.lessonIds[0]!, server.url);
    await client.waitFor(isEvent('lesson.completed', { lessonId: setup.lessonIds[0] }), 3_000);
    expect(server.output()).toMatch(/redis unavailable/);
    await client.close();
  });

  it('answers resync to a resume from beyond the retention window, on the socket and the stream', async () => {
    const setup = await course(server.url, 2);
    const first = await connectWs({ url: server.url, token: setup.student.token });
    await completeLesson(setup.student, setup.lessonIds[0]!, server.url);
    const old = await first.waitFor(isEvent('lesson.completed'));
    await first.close();
    await settle(2_500);
    await completeLesson(setup.student, setup.lessonIds[1]!, server.url);

    const late = await connectWs({ url: server.url, token: setup.student.token });
    late.send({ type: 'resume', lastEventId: old.id });
    const resync = await late.waitFor((m) => m.type === 'resync' || m.type === 'resumed');
    expect(resync).toMatchObject({ type: 'resync', lastEventId: late.messages[0].lastEventId });
    expect(late.events()).toEqual([]);

    const stream = await openSse('/api/events/course-progress', { url: server.url, token: setup.student.token, lastEventId: old.id });
    const frame = await stream.waitFor((f) => f.event === 'resync' || f.event === 'resumed');
    expect(frame.event).toBe('resync');
    stream.close();
    await late.close();
  });

  it('still resumes within the window', async () => {
    const setup = await course(server.url, 2);
    const first = await connectWs({ url: server.url, token: setup.student.token });
    await completeLesson(setup.student, setup.lessonIds[0]!, server.url);
    const seen = await first.waitFor(isEvent('lesson.completed'));
    await first.close();
    await completeLesson(setup.student, setup.lessonIds[1]!, server.url);
    const again = await connectWs({ url: server.url, token: setup.student.token, lastEventId: seen.id });
    await again.waitFor((m) => m.type === 'resumed' || m.type === 'resync');
    // The last lesson completed the course, which earned a badge: only the lesson events are compared.
    expect(again.events().filter((e) => e.type === 'lesson.completed').map((e) => e.data.lessonId)).toEqual([setup.lessonIds[1]]);
    await again.close();
  });

  it('terminates a peer that answers no ping, and keeps one that does', async () => {
    const setup = await course(server.url, 0);
    const dead = await connectWs({ url: server.url, token: setup.student.token, autoPong: false });
    const alive = await connectWs({ url: server.url, token: setup.student.token });
    const closed = await Promise.race([dead.closed, settle(4_000).then(() => null)]);
    expect(closed).not.toBeNull();
    expect(closed!.code).toBe(1006);
    expect(alive.ws.readyState).toBe(alive.ws.OPEN);
    await alive.close();
  });

  it('sends keep-alive comments on idle streams', async () => {
    const setup = await course(server.url, 0);
    const stream = await openSse('/api/events/notifications', { url: server.url, token: setup.student.token });
    await settle(1_200);
    expect(stream.comments.filter((c) => c === 'keep-alive').length).toBeGreaterThanOrEqual(2);
    stream.close();
  });

  it("closes a signed-out session's socket with 4401 and ends its streams", async () => {
    const setup = await course(server.url, 0);
    const client = await connectWs({ url: server.url, token: setup.student.token });
    const stream = await openSse('/api/events/notifications', { url: server.url, token: setup.student.token });
    const other = await user(server.url, 'student');
    const bystander = await connectWs({ url: server.url, token: other.token });
    expect((await call(server.url, 'POST', '/api/auth/signout', { body: { refreshToken: setup.student.refreshToken } })).status).toBe(200);
    // Within the session-check cache (5 s) plus a heartbeat.
    const closed = await Promise.race([client.closed, settle(9_000).then(() => null)]);
    expect(closed).toEqual({ code: 4401, reason: 'your session has ended' });
    await Promise.race([stream.ended, settle(3_000)]);
    expect(stream.raw()).toMatch(/event: error\ndata: .*UNAUTHENTICATED/);
    expect(bystander.ws.readyState).toBe(bystander.ws.OPEN);
    await bystander.close();
  }, 20_000);

  it("closes a suspended user's socket with 4401 at the next heartbeat", async () => {
    const student = await user(server.url, 'student');
    const client = await connectWs({ url: server.url, token: student.token });
    const admin = await call(server.url, 'POST', '/api/auth/signin', { body: { email: ADMIN.ADMIN_EMAIL, password: ADMIN.ADMIN_PASSWORD } });
    const suspended = await call(server.url, 'POST', `/api/users/${student.id}/suspend`, { token: admin.body.data.accessToken, body: { reason: 'test' } });
    expect(suspended.status).toBe(200);
    const closed = await Promise.race([client.closed, settle(3_000).then(() => null)]);
    expect(closed).toEqual({ code: 4401, reason: 'your session has ended' });
  });

  it('on SIGTERM closes sockets with 1012 (reconnect elsewhere), ends streams and exits cleanly', async () => {
    const setup = await course(server.url, 0);
    const client = await connectWs({ url: server.url, token: setup.student.token });
    const stream = await openSse('/api/events/notifications', { url: server.url, token: setup.student.token });
    const code = await stopServer(server, 'SIGTERM');
    expect(await client.closed).toEqual({ code: 1012, reason: 'server restarting: reconnect and resume' });
    await stream.ended;
    expect(code).toBe(0);
  });
});

describe('a slow client', () => {
  let server: ServerProcess;
  const total = 400;
  beforeAll(async () => {
    // A backlog of large events addressed to admins, written before the server starts, as services would.
    const dataDir = mkdtempSync(join(tmpdir(), 'skilled-realtime-slow-'));
    const database = await openDatabase({ dataDir });
    const filler = 'x'.repeat(16 * 1024);
    await database.db.transaction(async (tx) => {
      for (let i = 0; i < total; i++) {
        await emitEvent(tx, {
          type: 'course.updated',
          data: { courseId: '00000000-0000-4000-8000-000000000001', changes: { description: `${i} ${filler}` } },
          audience: { admins: true },
        });
      }
    });
    await database.close();
    server = spawnServer({ DATA_DIR: dataDir, SEED_DEMO: 'false', WS_MAX_BUFFERED_BYTES: '65536', ...ADMIN }, await freePort());
    await waitReady(server);
  }, 120_000);
  afterAll(async () => {
    await stopServer(server, 'SIGKILL');
  });

  it('is closed with 1013 once its send buffer passes the bound, and the server goes on', async () => {
    const signin = await call(server.url, 'POST', '/api/auth/signin', { body: { email: ADMIN.ADMIN_EMAIL, password: ADMIN.ADMIN_PASSWORD } });
    const token = signin.body.data.accessToken as string;
    const slow = await connectWs({ url: server.url, token });
    // Stop reading, then ask for the whole backlog (6 MB).
    const socket = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    slow.send({ type: 'resume', lastEventId: 0 });
    // A replay waits up to 5 seconds for the client to read.
    await settle(6_500);
    socket.resume();
    const closed = await slow.closed;
    expect(closed).toEqual({ code: 1013, reason: 'client too slow: reconnect and resume' });
    expect(slow.events().length).toBeLessThan(total);
    expect(server.output()).toMatch(/reads too slowly/);

    // A client that reads gets the whole backlog, in order.
    const reader = await connectWs({ url: server.url, token, lastEventId: 0 });
    await reader.waitFor((m) => m.type === 'resumed', 20_000);
    const received = reader.events().map((e) => Number(e.data.changes.description.split(' ')[0]));
    expect(received).toEqual(Array.from({ length: total }, (_, i) => i));
    await reader.close();
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  }, 60_000);

  it('has its event stream cut the same way, while a stream that reads gets everything', async () => {
    const signin = await call(server.url, 'POST', '/api/auth/signin', { body: { email: ADMIN.ADMIN_EMAIL, password: ADMIN.ADMIN_PASSWORD } });
    const token = signin.body.data.accessToken as string;
    // course.updated is on the course-progress topic; the backlog is addressed to admins.
    // A raw connection, so that not reading really means not reading (node:http reads the socket by itself).
    const url = new URL(server.url);
    const outcome = await new Promise<{ bytes: number; complete: boolean }>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write(
          `GET /api/events/course-progress HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${token}\r\nLast-Event-ID: 0\r\n\r\n`,
        );
        socket.pause();
        setTimeout(() => socket.resume(), 6_500);
      });
      let bytes = 0;
      let text = '';
      socket.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        text += chunk.toString();
      });
      socket.on('close', () => resolve({ bytes, complete: text.includes('event: resumed') }));
      socket.on('error', reject);
    });
    expect(outcome.complete).toBe(false);
    expect(outcome.bytes).toBeLessThan(total * 16 * 1024);

    const reader = await openSse('/api/events/course-progress', { url: server.url, token, lastEventId: 0 });
    await reader.waitFor((f) => f.event === 'resumed', 20_000);
    expect(reader.frames.filter((f) => f.event === 'course.updated')).toHaveLength(total);
    reader.close();
  }, 60_000);
});


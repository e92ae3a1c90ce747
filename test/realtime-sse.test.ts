// The Server-Sent Events streams under /api/events, read over plain HTTP: authentication, the stream format,
// topics, who receives what, Last-Event-ID resume, and a stream read through an HTTP/1.1 proxy.
import { createServer, request as httpRequest, Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { api, baseUrl, createStudent } from './support/api.js';
import { completeLesson, courseForEvents, isSseEvent, openSse, settle, type SseClient } from './support/realtime.js';

const open: SseClient[] = [];
afterEach(() => {
  for (const client of open.splice(0)) client.close();
});

async function stream(path: string, options: Parameters<typeof openSse>[1] = {}) {
  const client = await openSse(path, options);
  open.push(client);
  return client;
}

const lessonsOf = (client: SseClient) => client.frames.filter((f) => f.event === 'lesson.completed').map((f) => f.json.data.lessonId);

describe('SSE: authentication and format', () => {
  it('refuses a caller without a valid token with 401 and the error envelope', async () => {
    for (const path of ['/api/events/assignments', '/api/events/notifications', '/api/events/course-progress']) {
      const anonymous = await api('GET', path);
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', requestId: expect.any(String) });
      const invalid = await api('GET', path, { token: 'not-a-jwt' });
      expect(invalid.status).toBe(401);
      expect(invalid.body.code).toBe('INVALID_TOKEN');
    }
  });

  it('streams lesson.completed with id, event and data lines to the student and the instructor', async () => {
    const setup = await courseForEvents(1);
    const student = await stream('/api/events/course-progress', { token: setup.student.token });
    expect(student.status).toBe(200);
    expect(student.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(student.headers['cache-control']).toBe('no-cache, no-transform');
    expect(student.headers['x-accel-buffering']).toBe('no');
    expect(student.headers['x-request-id']).toEqual(expect.any(String));
    const instructor = await stream('/api/events/course-progress', { token: setup.instructor.token, cookie: true });
    expect(instructor.status).toBe(200);

    await completeLesson(setup.student, setup.lessonIds[0]!);
    const frame = await student.waitFor(isSseEvent('lesson.completed'));
    expect(frame.json).toEqual({
      id: frame.id,
      type: 'lesson.completed',
      data: { lessonId: setup.lessonIds[0], studentId: setup.student.id, courseId: setup.courseId },
      at: expect.any(String),
    });
    expect(frame.id).toMatch(/^\d+$/);
    expect(student.raw()).toMatch(/^retry: 2000\n: connected\n\n/);
    expect(student.raw()).toContain(`id: ${frame.id}\nevent: lesson.completed\ndata: ${frame.data}\n\n`);
    expect((await instructor.waitFor(isSseEvent('lesson.completed'))).json).toEqual(frame.json);
  });

  it('keeps each topic to its own event types and each event to its audience', async () => {
    const setup = await courseForEvents(1);
    const other = await courseForEvents(1);
    const progress = await stream('/api/events/course-progress', { token: setup.student.token });
    const assignments = await stream('/api/events/assignments', { token: setup.student.token });
    const notifications = await stream('/api/events/notifications', { token: setup.student.token });
    const stranger = await stream('/api/events/course-progress', { token: other.student.token });
    const strangerInstructor = await stream('/api/events/course-progress', { token: other.instructor.token });

    await completeLesson(setup.student, setup.lessonIds[0]!);
    await progress.waitFor(isSseEvent('lesson.completed'));
    // Markers for the others: their own course's completion arrives after the first one would have.
    await completeLesson(other.student, other.lessonIds[0]!);
    await stranger.waitFor(isSseEvent('lesson.completed'));
    await strangerInstructor.waitFor(isSseEvent('lesson.completed'));
    await settle();
    expect(lessonsOf(progress)).toEqual([setup.lessonIds[0]]);
    expect(lessonsOf(stranger)).toEqual([other.lessonIds[0]]);
    expect(lessonsOf(strangerInstructor)).toEqual([other.lessonIds[0]]);
    expect(assignments.frames.filter((f) => f.json)).toEqual([]);
    // Completing the course's only lesson earned the student a badge: its event and notification are
    // notification-topic events of the student's own; nothing else reaches that stream.
    const notificationFrames = notifications.frames.filter((f) => f.json);
    expect(notificationFrames.map((f) => f.event).sort()).toEqual(['achievement.earned', 'notification.new']);
    expect(notificationFrames.every((f) => (f.json.data.studentId ?? f.json.data.userId) === setup.student.id)).toBe(true);
  });
});

describe('SSE: resume', () => {
  it('sends what was missed after Last-Event-ID, in order, once each', async () => {
    const setup = await courseForEvents(4);
    const first = await stream('/api/events/course-progress', { token: setup.student.token });
    await completeLesson(setup.student, setup.lessonIds[0]!);
    const seen = await first.waitFor(isSseEvent('lesson.completed'));
    first.close();
    await completeLesson(setup.student, setup.lessonIds[1]!);
    await completeLesson(setup.student, setup.lessonIds[2]!);

    const again = await stream('/api/events/course-progress', { token: setup.student.token, lastEventId: seen.id });
    const resumed = await again.waitFor((f) => f.event === 'resumed');
    expect(lessonsOf(again)).toEqual([setup.lessonIds[1], setup.lessonIds[2]]);
    expect(again.frames.indexOf(resumed)).toBe(again.frames.length - 1);
    await completeLesson(setup.student, setup.lessonIds[3]!);
    await again.waitFor(isSseEvent('lesson.completed', { lessonId: setup.lessonIds[3] }));
    await settle(200);
    expect(lessonsOf(again)).toEqual(setup.lessonIds.slice(1));
    const numeric = again.frames.filter((f) => f.id && f.event === 'lesson.completed').map((f) => Number(f.id));
    expect(numeric).toEqual([...numeric].sort((x, y) => x - y));

    // The query parameter does the same, for clients that cannot set headers.
    const byQuery = await stream('/api/events/course-progress', { token: setup.student.token, query: { lastEventId: seen.id! } });
    await byQuery.waitFor((f) => f.event === 'resumed');
    expect(lessonsOf(byQuery)).toEqual(setup.lessonIds.slice(1));
  });

  it('answers resync (moving the id on) for an id it no longer holds; 400 for a malformed one', async () => {
    const student = await createStudent();
    const client = await stream('/api/events/notifications', { token: student.token, lastEventId: '987654321098' });
    const resync = await client.waitFor((f) => f.event === 'resync');
    expect(resync.id).toMatch(/^\d+$/);
    expect(resync.json).toEqual({ type: 'resync', lastEventId: resync.id, reason: expect.any(String) });

    const bad = await api('GET', '/api/events/notifications', { token: student.token, headers: { 'last-event-id': 'abc' } });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION_ERROR');
    expect(bad.body.details).toHaveProperty(['headers.last-event-id']);
  });
});

describe('SSE through an HTTP/1.1 proxy', () => {
  let proxy: Server;
  const agent = new Agent({ keepAlive: true });
  afterAll(async () => {
    agent.destroy();
    await new Promise((resolve) => proxy?.close(resolve));
  });

  /** A plain forwarding proxy, as a load balancer would be: HTTP/1.1 keep-alive to the upstream. */
  function startProxy(target: string): Promise<string> {
    const upstream = new URL(target);
    proxy = createServer((req, res) => {
      const forward = httpRequest(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, host: upstream.host }, agent },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.destroy());
      res.on('close', () => forward.destroy());
      req.pipe(forward);
    });
    return new Promise((resolve) => proxy.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`)));
  }

  it('delivers live events and resumes through the proxy', async () => {
    const proxyUrl = await startProxy(baseUrl());
    const setup = await courseForEvents(2);
    const client = await stream('/api/events/course-progress', { url: proxyUrl, token: setup.student.token });
    expect(client.status).toBe(200);
    expect(client.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    await completeLesson(setup.student, setup.lessonIds[0]!);
    const first = await client.waitFor(isSseEvent('lesson.completed'), 3_000);
    client.close();

    await completeLesson(setup.student, setup.lessonIds[1]!);
    const resumed = await stream('/api/events/course-progress', { url: proxyUrl, token: setup.student.token, lastEventId: first.id });
    await resumed.waitFor((f) => f.event === 'resumed');
    expect(lessonsOf(resumed)).toEqual([setup.lessonIds[1]]);
  });
});

describe('SSE in the OpenAPI document', () => {
  it('documents the three streams as text/event-stream', async () => {
    const doc = (await api('GET', '/api/docs/openapi.json')).body;
    for (const [path, operationId] of [
      ['/api/events/assignments', 'streamAssignmentEvents'],
      ['/api/events/notifications', 'streamNotificationEvents'],
      ['/api/events/course-progress', 'streamCourseProgressEvents'],
    ] as const) {
      const operation = doc.paths[path].get;
      expect(operation.operationId).toBe(operationId);
      expect(Object.keys(operation.responses[200].content)).toEqual(['text/event-stream']);
      expect(operation.responses[401]).toBeDefined();
      expect(operation.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['last-event-id', 'lastEventId']);
    }
  });
});

// The WebSocket at /api/ws, with real `ws` clients against the real server: authentication, who receives
// which event, course subscriptions, the protocol's small messages, and resume after a dropped connection.
// Events are caused the way users cause them: a student completing a lesson emits `lesson.completed`.
import { afterEach, describe, expect, it } from 'vitest';
import { api, createInstructor, createStudent, enroll, signInAdmin, type TestUser } from './support/api.js';
import { completeLesson, connectWs, courseForEvents, isEvent, settle, type WsClient } from './support/realtime.js';

const open: WsClient[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()));
});

async function connect(...args: Parameters<typeof connectWs>) {
  const client = await connectWs(...args);
  open.push(client);
  return client;
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const ids = (client: WsClient, type = 'lesson.completed') => client.events().filter((e) => e.type === type).map((e) => e.data.lessonId);

describe('WebSocket: authentication', () => {
  it('accepts an access token as the first message; ready names the user and the current position', async () => {
    const student = await createStudent();
    const client = await connect({ token: student.token });
    const ready = client.messages[0];
    expect(ready).toEqual({ type: 'ready', userId: student.id, lastEventId: expect.stringMatching(/^\d+$/) });
  });

  it('accepts the access cookie or a bearer header at the upgrade, without any message', async () => {
    const student = await createStudent();
    const byCookie = await connect({ token: student.token, auth: 'cookie' });
    expect(byCookie.messages[0]).toMatchObject({ type: 'ready', userId: student.id });
    const byHeader = await connect({ token: student.token, auth: 'header' });
    expect(byHeader.messages[0]).toMatchObject({ type: 'ready', userId: student.id });
  });

  it('closes a socket whose first message is not auth with 4401', async () => {
    const client = await connect({ auth: 'none' });
    client.send({ type: 'ping' });
    const closed = await client.closed;
    expect(closed.code).toBe(4401);
    expect(closed.reason).toMatch(/authentication required/);
    expect(client.messages).toEqual([]);
  });

  it('closes a socket with an invalid token with 4401, and one whose session ended', async () => {
    const bad = await connect({ auth: 'none' });
    bad.send({ type: 'auth', token: 'not-a-jwt' });
    expect(await bad.closed).toEqual({ code: 4401, reason: 'invalid or expired token' });

    const student = await createStudent();
    // Signed out by its refresh token alone, so that no earlier check of the access token is cached.
    const signedOut = await api('POST', '/api/auth/signout', { body: { refreshToken: student.refreshToken } });
    expect(signedOut.status).toBe(200);
    const stale = await connect({ auth: 'none' });
    stale.send({ type: 'auth', token: student.token });
    expect((await stale.closed).code).toBe(4401);
    expect(stale.messages).toEqual([]);
  });

  it('closes a socket that sends nothing within 5 seconds with 4401', async () => {
    const client = await connect({ auth: 'none' });
    const started = Date.now();
    const closed = await client.closed;
    expect(closed.code).toBe(4401);
    expect(Date.now() - started).toBeGreaterThan(4_000);
    expect(Date.now() - started).toBeLessThan(8_000);
  }, 15_000);

  it('refuses an upgrade with a malformed lastEventId with 400', async () => {
    const student = await createStudent();
    await expect(connectWs({ token: student.token, auth: 'cookie', query: { lastEventId: 'abc' } })).rejects.toThrow(/answered 400/);
  });

  it('ignores a token in the URL, and a cookie sent from another origin', async () => {
    const student = await createStudent();
    const inUrl = await connect({ auth: 'none', query: { token: student.token, access_token: student.token } });
    inUrl.send({ type: 'ping' });
    expect((await inUrl.closed).code).toBe(4401);

    const crossSite = await connect({ auth: 'none', headers: { cookie: `skilled_access=${student.token}`, origin: 'https://evil.example' } });
    crossSite.send({ type: 'ping' });
    expect((await crossSite.closed).code).toBe(4401);
    expect(crossSite.messages).toEqual([]);
  });
});

describe('WebSocket: who receives lesson.completed', () => {
  it('the student and the course instructor (and admins watching the course), nobody else', async () => {
    const a = await courseForEvents(2);
    const classmate = await createStudent();
    await enroll(classmate, a.courseId);
    const b = await courseForEvents(1);
    const admin = await signInAdmin();

    const student = await connect({ token: a.student.token });
    const peer = await connect({ token: classmate.token });
    const instructor = await connect({ token: a.instructor.token });
    const otherInstructor = await connect({ token: b.instructor.token });
    const otherStudent = await connect({ token: b.student.token });
    const adminWs = await connect({ token: admin.token });
    // Subscribing to the course does not open a student's view of another student's progress.
    peer.send({ type: 'subscribe', courseId: a.courseId });
    await peer.waitFor((m) => m.type === 'subscribed');
    adminWs.send({ type: 'subscribe', courseId: b.courseId });
    await adminWs.waitFor((m) => m.type === 'subscribed');

    await completeLesson(a.student, a.lessonIds[0]!);
    const event = await student.waitFor(isEvent('lesson.completed', { lessonId: a.lessonIds[0] }));
    expect(event).toEqual({
      id: expect.stringMatching(/^\d+$/),
      type: 'lesson.completed',
      data: { lessonId: a.lessonIds[0], studentId: a.student.id, courseId: a.courseId },
      at: expect.stringMatching(ISO),
    });
    expect(await instructor.waitFor(isEvent('lesson.completed', { lessonId: a.lessonIds[0] }))).toEqual(event);

    // Markers: later events each of them may see. Delivery is in id order, so once a marker arrived,
    // anything earlier that was going to arrive has arrived.
    const peerLesson = a.lessonIds[1]!;
    await completeLesson(classmate, peerLesson);
    await peer.waitFor(isEvent('lesson.completed', { lessonId: peerLesson }));
    await instructor.waitFor(isEvent('lesson.completed', { lessonId: peerLesson }));
    await completeLesson(b.student, b.lessonIds[0]!);
    await otherStudent.waitFor(isEvent('lesson.completed', { lessonId: b.lessonIds[0] }));
    await otherInstructor.waitFor(isEvent('lesson.completed', { lessonId: b.lessonIds[0] }));
    await adminWs.waitFor(isEvent('lesson.completed', { lessonId: b.lessonIds[0] }));
    await completeLesson(a.student, a.lessonIds[1]!);
    await student.waitFor(isEvent('lesson.completed', { lessonId: a.lessonIds[1] }));

    expect(ids(student)).toEqual([a.lessonIds[0], a.lessonIds[1]]);
    expect(ids(peer)).toEqual([peerLesson]);
    expect(ids(otherStudent)).toEqual([b.lessonIds[0]]);
    expect(ids(otherInstructor)).toEqual([b.lessonIds[0]]);
    // The admin watches course B only.
    expect(ids(adminWs)).toEqual([b.lessonIds[0]]);
    await instructor.waitFor(isEvent('lesson.completed', { lessonId: a.lessonIds[1], studentId: a.student.id }));
    expect(instructor.events().map((e) => [e.data.lessonId, e.data.studentId])).toEqual([
      [a.lessonIds[0], a.student.id],
      [peerLesson, classmate.id],
      [a.lessonIds[1], a.student.id],
    ]);
    // No event twice on any connection.
    for (const client of [student, peer, instructor, otherInstructor, otherStudent, adminWs]) {
      const seen = client.events().map((e) => e.id);
      expect(new Set(seen).size).toBe(seen.length);
    }
  });

  it('a repeated completion emits nothing; the completing request sees its event only after commit', async () => {
    const a = await courseForEvents(2);
    const student = await connect({ token: a.student.token });
    await completeLesson(a.student, a.lessonIds[0]!);
    const again = await api('POST', '/api/lessons/complete', { token: a.student.token, body: { lessonId: a.lessonIds[0] } });
    expect(again.status).toBe(200);
    // A refused completion (another course's lesson) rolls back and emits nothing either.
    const other = await courseForEvents(1);
    const refused = await api('POST', '/api/lessons/complete', { token: a.student.token, body: { lessonId: other.lessonIds[0] } });
    expect(refused.status).toBe(403);
    await completeLesson(a.student, a.lessonIds[1]!);
    await student.waitFor(isEvent('lesson.completed', { lessonId: a.lessonIds[1] }));
    expect(ids(student)).toEqual([a.lessonIds[0], a.lessonIds[1]]);
  });
});

describe('WebSocket: subscriptions', () => {
  it('members may subscribe to a course: its students, its instructor, admins', async () => {
    const a = await courseForEvents(1);
    const admin = await signInAdmin();
    for (const user of [a.student, a.instructor, admin]) {
      const client = await connect({ token: user.token });
      client.send({ type: 'subscribe', courseId: a.courseId });
      expect(await client.waitFor((m) => m.type === 'subscribed' || m.type === 'error')).toEqual({ type: 'subscribed', courseId: a.courseId });
      client.send({ type: 'unsubscribe', courseId: a.courseId });
      expect(await client.waitFor((m) => m.type === 'unsubscribed')).toEqual({ type: 'unsubscribed', courseId: a.courseId });
    }
  });

  it('refuses others with FORBIDDEN, an unknown course with COURSE_NOT_FOUND, a malformed id with VALIDATION_ERROR', async () => {
    const a = await courseForEvents(1);
    const outsider = await createStudent();
    const otherInstructor = await createInstructor();
    const leaver = await createStudent();
    await enroll(leaver, a.courseId);
    expect((await api('DELETE', `/api/courses/${a.courseId}/enroll`, { token: leaver.token })).status).toBe(200);

    for (const user of [outsider, otherInstructor, leaver]) {
      const client = await connect({ token: user.token });
      client.send({ type: 'subscribe', courseId: a.courseId });
      const answer = await client.waitFor((m) => m.type === 'subscribed' || m.type === 'error');
      expect(answer).toEqual({ type: 'error', code: 'FORBIDDEN', message: expect.any(String), courseId: a.courseId });
    }
    const client = await connect({ token: outsider.token });
    client.send({ type: 'subscribe', courseId: '00000000-0000-4000-8000-000000000000' });
    expect(await client.waitFor((m) => m.type === 'error')).toMatchObject({ code: 'COURSE_NOT_FOUND' });
    client.send({ type: 'subscribe', courseId: 'nope' });
    expect(await client.waitFor((m) => m.type === 'error' && m.code === 'VALIDATION_ERROR')).toMatchObject({
      message: expect.stringMatching(/courseId/),
    });
    client.send({ type: 'ping' });
    await client.waitFor((m) => m.type === 'pong');
    expect(client.messages.some((m) => m.type === 'subscribed')).toBe(false);
  });

  it("decides what an admin sees of a course's staff events: only while subscribed", async () => {
    const a = await courseForEvents(2);
    const b = await courseForEvents(1);
    const admin = await signInAdmin();
    const client = await connect({ token: admin.token });
    client.send({ type: 'subscribe', courseId: a.courseId });
    await client.waitFor((m) => m.type === 'subscribed');
    await completeLesson(a.student, a.lessonIds[0]!);
    await client.waitFor(isEvent('lesson.completed', { lessonId: a.lessonIds[0] }));

    client.send({ type: 'unsubscribe', courseId: a.courseId });
    await client.waitFor((m) => m.type === 'unsubscribed');
    client.send({ type: 'subscribe', courseId: b.courseId });
    await client.waitFor((m) => m.type === 'subscribed' && m.courseId === b.courseId);
    await completeLesson(a.student, a.lessonIds[1]!);
    await completeLesson(b.student, b.lessonIds[0]!);
    await client.waitFor(isEvent('lesson.completed', { lessonId: b.lessonIds[0] }));
    expect(ids(client)).toEqual([a.lessonIds[0], b.lessonIds[0]]);
  });
});

describe('WebSocket: protocol', () => {
  it('answers ping with pong, and malformed messages with an error without closing', async () => {
    const student = await createStudent();
    const client = await connect({ token: student.token });
    client.send({ type: 'ping' });
    expect(await client.waitFor((m) => m.type === 'pong')).toEqual({ type: 'pong' });
    client.ws.send('{not json');
    expect(await client.waitFor((m) => m.type === 'error')).toEqual({ type: 'error', code: 'INVALID_JSON', message: expect.any(String) });
    client.send({ type: 'shout' });
    expect(await client.waitFor((m) => m.code === 'VALIDATION_ERROR')).toMatchObject({ type: 'error' });
    client.send({ type: 'resume', lastEventId: 'abc' });
    expect(await client.waitFor((m) => m.code === 'VALIDATION_ERROR' && /lastEventId/.test(m.message))).toBeTruthy();
    client.send({ type: 'auth', token: student.token });
    expect(await client.waitFor((m) => m.code === 'BAD_REQUEST')).toMatchObject({ message: 'Already authenticated' });
    client.send({ type: 'ping' });
    await client.waitFor((m) => m.type === 'pong' && client.messages.filter((x) => x.type === 'pong').length === 2);
    expect(client.ws.readyState).toBe(client.ws.OPEN);
  });
});

describe('WebSocket: resume', () => {
  async function missedWhileAway(setup: Awaited<ReturnType<typeof courseForEvents>>, student: TestUser) {
    const first = await connect({ token: student.token });
    await completeLesson(student, setup.lessonIds[0]!);
    const seen = await first.waitFor(isEvent('lesson.completed', { lessonId: setup.lessonIds[0] }));
    await first.close();
    // Missed while away: three of the student's own events, and one of a classmate that is not theirs.
    const classmate = await createStudent();
    await enroll(classmate, setup.courseId);
    await completeLesson(student, setup.lessonIds[1]!);
    await completeLesson(classmate, setup.lessonIds[1]!);
    await completeLesson(student, setup.lessonIds[2]!);
    await completeLesson(student, setup.lessonIds[3]!);
    return { lastSeen: seen.id as string, classmate };
  }

  it('delivers every missed event once, in order, then goes on live', async () => {
    const setup = await courseForEvents(5);
    const { lastSeen } = await missedWhileAway(setup, setup.student);

    const client = await connect({ token: setup.student.token });
    client.send({ type: 'resume', lastEventId: lastSeen });
    const resumed = await client.waitFor((m) => m.type === 'resumed');
    expect(ids(client)).toEqual([setup.lessonIds[1], setup.lessonIds[2], setup.lessonIds[3]]);
    const events = client.events();
    expect(events.every((e) => e.data.studentId === setup.student.id)).toBe(true);
    const order = client.messages.indexOf(resumed);
    expect(client.messages.slice(1, order)).toEqual(events);
    expect(Number(resumed.lastEventId)).toBeGreaterThanOrEqual(Number(events.at(-1).id));
    const numeric = events.map((e) => Number(e.id));
    expect(numeric).toEqual([...numeric].sort((x, y) => x - y));
    expect(numeric[0]).toBeGreaterThan(Number(lastSeen));

    // Resuming again from the same point sends nothing twice.
    client.send({ type: 'resume', lastEventId: lastSeen });
    await client.waitFor((m) => m.type === 'resumed' && client.messages.filter((x) => x.type === 'resumed').length === 2);
    await completeLesson(setup.student, setup.lessonIds[4]!);
    await client.waitFor(isEvent('lesson.completed', { lessonId: setup.lessonIds[4] }));
    await settle(200);
    expect(ids(client)).toEqual(setup.lessonIds.slice(1));
  });

  it('resumes for the instructor too, and from the auth message or the upgrade URL', async () => {
    const setup = await courseForEvents(4);
    const { lastSeen, classmate } = await missedWhileAway(setup, setup.student);
    // The instructor's last seen event: the student's first completion.
    const viaAuth = await connect({ token: setup.instructor.token, lastEventId: lastSeen });
    await viaAuth.waitFor((m) => m.type === 'resumed');
    expect(ids(viaAuth)).toEqual([setup.lessonIds[1], setup.lessonIds[1], setup.lessonIds[2], setup.lessonIds[3]]);
    expect(viaAuth.events().map((e) => e.data.studentId)).toEqual([setup.student.id, classmate.id, setup.student.id, setup.student.id]);

    const viaUrl = await connect({ token: setup.student.token, auth: 'cookie', query: { lastEventId: lastSeen } });
    await viaUrl.waitFor((m) => m.type === 'resumed');
    expect(ids(viaUrl)).toEqual([setup.lessonIds[1], setup.lessonIds[2], setup.lessonIds[3]]);
  });

  it('sends the missed events before newer ones that happen between connecting and resume', async () => {
    const setup = await courseForEvents(5);
    const { lastSeen } = await missedWhileAway(setup, setup.student);
    const client = await connect({ token: setup.student.token });
    // A newer event committed after `ready`, before the client's resume arrives.
    await completeLesson(setup.student, setup.lessonIds[4]!);
    client.send({ type: 'resume', lastEventId: lastSeen });
    await client.waitFor(isEvent('lesson.completed', { lessonId: setup.lessonIds[4] }));
    await settle(200);
    expect(ids(client)).toEqual(setup.lessonIds.slice(1));
    const numeric = client.events().map((e) => Number(e.id));
    expect(numeric).toEqual([...numeric].sort((x, y) => x - y));
  });

  it('answers resync for an id the log does not hold, and resumed at once from the current position', async () => {
    const student = await createStudent();
    const client = await connect({ token: student.token });
    client.send({ type: 'resume', lastEventId: '987654321098' });
    expect(await client.waitFor((m) => m.type === 'resync')).toEqual({
      type: 'resync',
      lastEventId: client.messages[0].lastEventId,
      reason: expect.any(String),
    });
    client.send({ type: 'resume', lastEventId: client.messages[0].lastEventId });
    expect(await client.waitFor((m) => m.type === 'resumed')).toEqual({ type: 'resumed', lastEventId: client.messages[0].lastEventId });
    expect(client.events()).toEqual([]);
  });
});

describe('WebSocket: delivery latency on one instance', () => {
  it('measures the time from the completing response to the event (median and p99)', async () => {
    const rounds = 30;
    const setup = await courseForEvents(rounds);
    const client = await connect({ token: setup.instructor.token });
    // Any message ends the short wait for a `resume` after connecting: measure the steady state.
    client.send({ type: 'ping' });
    await client.waitFor((m) => m.type === 'pong');
    const afterResponse: number[] = [];
    const afterRequest: number[] = [];
    for (const lessonId of setup.lessonIds) {
      const sent = performance.now();
      const arrived = client.waitFor(isEvent('lesson.completed', { lessonId })).then(() => performance.now());
      await completeLesson(setup.student, lessonId);
      const answered = performance.now();
      const at = await arrived;
      afterResponse.push(Math.max(0, at - answered));
      afterRequest.push(at - sent);
    }
    const stat = (values: number[]) => {
      const sorted = [...values].sort((x, y) => x - y);
      const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
      return { median: Number(pick(0.5).toFixed(1)), p99: Number(pick(0.99).toFixed(1)) };
    };
    console.log(`one instance, ${rounds} events: after the response ${JSON.stringify(stat(afterResponse))} ms; ` +
      `after the request was sent ${JSON.stringify(stat(afterRequest))} ms`);
    expect(stat(afterResponse).median).toBeLessThan(100);
    expect(ids(client)).toEqual(setup.lessonIds);
  }, 60_000);
});

// Webhook deliveries end to end, against a real HTTP receiver on loopback: signed requests that verify with
// the README's recipe, retries with backoff, the delivery log, replays, pausing a failing endpoint, which
// events reach which endpoint, and (on PostgreSQL) two instances that never deliver the same thing twice.
// The platform runs here with a fast retry schedule (support/webhooks.ts FAST_WEBHOOKS: 200 ms doubling
// up to 1 s, a 4 s window, pause after 10 failures, 2 s timeout).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Account,
  adminAccount,
  call,
  type Cluster,
  completeLesson,
  courseWithLessons,
  deliveries,
  documentedVerifier,
  eventually,
  type Receiver,
  registerWebhook,
  startCluster,
  startReceiver,
  type Verifier,
} from './support/webhooks.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let cluster: Cluster;
let root: string;
let admin: Account;
let verify: Verifier;
const receivers: Receiver[] = [];

beforeAll(async () => {
  cluster = await startCluster(2);
  root = cluster.instances[0]!.url;
  admin = await adminAccount(root);
  verify = await documentedVerifier();
}, 120_000);

afterAll(async () => {
  await Promise.all(receivers.map((receiver) => receiver.close()));
  await cluster?.close();
});

async function receiver(): Promise<Receiver> {
  const started = await startReceiver();
  receivers.push(started);
  return started;
}

const bodyOf = (request: { rawBody: string }) => JSON.parse(request.rawBody);
const header = (request: { headers: Record<string, unknown> }, name: string) => request.headers[name] as string;

async function auditRows(query: Record<string, string>) {
  const res = await call(root, 'GET', '/api/admin/audit-log', { token: admin.token, query: { limit: 100, ...query } });
  expect(res.status).toBe(200);
  return res.body.data as any[];
}

describe('a delivery', () => {
  it('arrives signed: the README recipe verifies it, and the log records it as succeeded', async () => {
    const target = await receiver();
    const setup = await courseWithLessons(root, 1);
    const hook = await registerWebhook(root, setup.instructor, { url: `${target.url}/hooks/skilled`, eventTypes: ['lesson.completed'], courseId: setup.courseId });
    await completeLesson(root, setup.student, setup.lessonIds[0]!);

    const [request] = await target.waitFor((all) => all.length >= 1);
    expect(request!.path).toBe('/hooks/skilled');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(header(request!, 'x-skilled-event')).toBe('lesson.completed');
    expect(header(request!, 'user-agent')).toMatch(/^skillEd-Webhooks\//);
    const body = bodyOf(request!);
    expect(body).toEqual({
      id: expect.stringMatching(/^[1-9][0-9]*$/),
      type: 'lesson.completed',
      data: { lessonId: setup.lessonIds[0], studentId: setup.student.id, courseId: setup.courseId },
      at: expect.stringMatching(/Z$/),
    });
    const signature = header(request!, 'x-skilled-signature');
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verify(request!.rawBody, signature, hook.secret)).toBe(true);
    // The recipe refuses another secret, a changed body and an old timestamp.
    expect(verify(request!.rawBody, signature, `${hook.secret}x`)).toBe(false);
    expect(verify(request!.rawBody.replace('lesson.completed', 'lesson.completee'), signature, hook.secret)).toBe(false);
    expect(verify(request!.rawBody, signature, hook.secret, -1)).toBe(false);

    const [logged] = await eventually(async () => {
      const rows = await deliveries(root, setup.instructor, hook.webhookId);
      return rows[0]?.status === 'succeeded' ? rows : undefined;
    });
    expect(logged).toEqual({
      deliveryId: header(request!, 'x-skilled-delivery'),
      webhookId: hook.webhookId,
      kind: 'event',
      eventId: body.id,
      eventType: 'lesson.completed',
      status: 'succeeded',
      attempts: 1,
      responseStatus: 200,
      responseBody: 'ok',
      error: null,
      durationMs: expect.any(Number),
      replayOf: null,
      payload: body,
      createdAt: expect.any(String),
      lastAttemptAt: expect.any(String),
      nextAttemptAt: null,
      completedAt: expect.any(String),
    });
    const endpoint = await call(root, 'GET', `/api/webhooks/${hook.webhookId}`, { token: setup.instructor.token });
    expect(endpoint.body.data).toMatchObject({ status: 'active', consecutiveFailures: 0, lastSuccessAt: expect.any(String) });
  });

  it('is not made for events from before the endpoint existed', async () => {
    const target = await receiver();
    const setup = await courseWithLessons(root, 2);
    await completeLesson(root, setup.student, setup.lessonIds[0]!);
    const hook = await registerWebhook(root, setup.instructor, { url: target.url, eventTypes: ['lesson.completed'], courseId: setup.courseId });
    await completeLesson(root, setup.student, setup.lessonIds[1]!);
    await target.waitFor((all) => all.length >= 1);
    // Deliveries are made in event order, so the earlier event would have come first.
    expect(target.requests.map((r) => bodyOf(r).data.lessonId)).toEqual([setup.lessonIds[1]]);
    expect(await deliveries(root, setup.instructor, hook.webhookId)).toHaveLength(1);
  });

  it('carries a second signature with the old secret after a rotation, until its grace period ends', async () => {
    const target = await receiver();
    const setup = await courseWithLessons(root, 2);
    const hook = await registerWebhook(root, setup.instructor, { url: target.url, eventTypes: ['lesson.completed'], courseId: setup.courseId });
    const rotated = await call(root, 'POST', `/api/webhooks/${hook.webhookId}/rotate-secret`, { token: setup.instructor.token, body: {} });
    expect(rotated.status).toBe(200);
    const newSecret = rotated.body.data.secret as string;
    await completeLesson(root, setup.student, setup.lessonIds[0]!);
    const [first] = await target.waitFor((all) => all.length >= 1);
    const signature = header(first!, 'x-skilled-signature');
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    expect(verify(first!.rawBody, signature, newSecret)).toBe(true);
    expect(verify(first!.rawBody, signature, hook.secret)).toBe(true);

    const again = await call(root, 'POST', `/api/webhooks/${hook.webhookId}/rotate-secret`, {
      token: setup.instructor.token,
      body: { previousSecretValidHours: 0 },
    });
    await completeLesson(root, setup.student, setup.lessonIds[1]!);
    const [, second] = await target.waitFor((all) => all.length >= 2);
    const only = header(second!, 'x-skilled-signature');
    expect(only).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verify(second!.rawBody, only, again.body.data.secret)).toBe(true);
    expect(verify(second!.rawBody, only, newSecret)).toBe(false);
  });
});

describe('retries', () => {
  it('retries a failing receiver with growing delays until it answers 2xx, and logs each outcome', async () => {
    const target = await receiver();
    target.respond = (_request, index) => (index < 3 ? { status: 500, body: `broken ${index}` } : { status: 204 });
    const setup = await courseWithLessons(root, 1);
    const hook = await registerWebhook(root, setup.instructor, { url: target.url, eventTypes: ['lesson.completed'], courseId: setup.courseId });
    await completeLesson(root, setup.student, setup.lessonIds[0]!);

    // While it fails, the log shows the last answer and when it is tried next.
    const retrying = await eventually(async () => {
      const [row] = await deliveries(root, setup.instructor, hook.webhookId);
      return row?.status === 'retrying' ? row : undefined;
    });
    expect(retrying).toMatchObject({ responseStatus: 500, responseBody: expect.stringMatching(/^broken \d$/), error: 'the receiver answered 500' });
    expect(Date.parse(retrying.nextAttemptAt)).toBeGreaterThan(Date.parse(retrying.lastAttemptAt));

    const requests = await target.waitFor((all) => all.length >= 4);
    expect(new Set(requests.map((r) => header(r, 'x-skilled-delivery'))).size).toBe(1);
    expect(new Set(requests.map((r) => r.rawBody)).size).toBe(1);
    // Each wait is at least the nominal delay less the 20 % jitter: 200 ms, then 400, then 800.
    const gaps = requests.slice(1, 4).map((r, i) => r.at - requests[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(160);
    expect(gaps[1]).toBeGreaterThanOrEqual(320);
    expect(gaps[2]).toBeGreaterThanOrEqual(640);

    const done = await eventually(async () => {
      const [row] = await deliveries(root, setup.instructor, hook.webhookId);
      return row?.status === 'succeeded' ? row : undefined;
    });
    expect(done).toMatchObject({ attempts: 4, responseStatus: 204, responseBody: '', error: null, nextAttemptAt: null });
    const endpoint = await call(root, 'GET', `/api/webhooks/${hook.webhookId}`, { token: setup.instructor.token });
    expect(endpoint.body.data).toMatchObject({ consecutiveFailures: 0, lastFailureAt: expect.any(String), status: 'active' });
  });

  it('gives up when the retry window has passed; a replay sends the same body again as a new delivery', async () => {
    const target = await receiver();
    let healthy = false;
    target.respond = () => (healthy ? { status: 200, body: 'thanks' } : { status: 503, body: 'down' });
    const setup = await courseWithLessons(root, 1);
    const hook = await registerWebhook(root, setup.instructor, { url: target.url, eventTypes: ['lesson.completed'], courseId: setup.courseId });
    await completeLesson(root, setup.student, setup.lessonIds[0]!);

    const failed = await eventually(async () => {
      const [row] = await deliveries(root, setup.instructor, hook.webhookId);
      return row?.status === 'failed' ? row : undefined;
    }, 15_000);
    expect(failed).toMatchObject({ responseStatus: 503, responseBody: 'down', nextAttemptAt: null, completedAt: expect.any(String) });
    // 200 ms, 400, 800, then 1 s apart within 4 s: a handful of attempts, and no more after the last.
    expect(failed.attempts).toBeGreaterThanOrEqual(4);
    expect(failed.attempts).toBeLessThanOrEqual(8);
    expect(target.requests).toHaveLength(failed.attempts);
    expect(Date.parse(failed.lastAttemptAt) - Date.parse(failed.createdAt)).toBeLessThanOrEqual(4_000 + 1_000);

    healthy = true;
    const replay = await call(root, 'POST', `/api/webhooks/${hook.webhookId}/deliveries/${failed.deliveryId}/replay`, { token: setup.instructor.token });
    expect(replay.status).toBe(202);
    expect(replay.body).toEqual({
      message: expect.any(String),
      data: expect.objectContaining({ kind: 'replay', replayOf: failed.deliveryId, status: 'pending', eventId: failed.eventId, payload: failed.payload }),
    });
    const requests = await target.waitFor((all) => all.length === failed.attempts + 1);
    const last = requests.at(-1)!;
    expect(last.rawBody).toBe(requests[0]!.rawBody);
    expect(header(last, 'x-skilled-delivery')).toBe(replay.body.data.deliveryId);
    expect(verify(last.rawBody, header(last, 'x-skilled-signature'), hook.secret)).toBe(true);
    const replayed = await eventually(async () => {
      const rows = await deliveries(root, setup.instructor, hook.webhookId);
      const row = rows.find((r) => r.deliveryId === replay.body.data.deliveryId);
      return row?.status === 'succeeded' ? row : undefined;
    });
    expect(replayed).toMatchObject({ attempts: 1, responseStatus: 200, responseBody: 'thanks' });
    expect(await auditRows({ action: 'webhook.replay', targetId: hook.webhookId })).toHaveLength(1);
  });

  it('records a receiver that does not answer in time as a timeout', async () => {
    const target = await receiver();
    target.respond = () => null;
    const setup = await courseWithLessons(root, 0);
    const hook = await registerWebhook(root, setup.instructor, { url: target.url, eventTypes: ['course.updated'], courseId: setup.courseId });
    const ping = await call(root, 'POST', `/api/webhooks/${hook.webhookId}/ping`, { token: setup.instructor.token });
    expect(ping.status).toBe(200);
    expect(ping.body.data).toMatchObject({ kind: 'ping', status: 'failed', responseStatus: null, error: 'no answer within 2 s', attempts: 1 });
    expect(ping.body.data.durationMs).toBeGreaterThanOrEqual(1_900);
  });
});

describe('an endpoint that keeps failing', () => {
  it('is paused after 10 failed attempts in a row, its owner is told, and it resumes when switched on again', async () => {
    const target = await receiver();
    let healthy = false;
    target.respond = () => (healthy ? { status: 200 } : { status: 500 });
    const setup = await courseWithLessons(root, 3);
    const hook = await registerWebhook(root, setup.instructor, { url: target.url, eventTypes: ['lesson.completed'], courseId: setup.courseId });
    for (const lessonId of setup.lessonIds) await completeLesson(root, setup.student, lessonId);

    const paused = await eventually(async () => {
      const res = await call(root, 'GET', `/api/webhooks/${hook.webhookId}`, { token: setup.instructor.token });
      return res.body.data.status === 'paused' ? res.body.data : undefined;
    }, 15_000);
    expect(paused).toMatchObject({ active: true, pausedAt: expect.any(String), pauseReason: expect.stringMatching(/^1\d delivery attempts in a row failed$/) });
    expect(paused.consecutiveFailures).toBeGreaterThanOrEqual(10);

    const [audit] = await auditRows({ action: 'webhook.pause', targetId: hook.webhookId });
    expect(audit).toMatchObject({ actor: null, targetType: 'webhook', after: { status: 'paused', pauseReason: paused.pauseReason } });
    const mails = cluster.instances
      .flatMap((instance) => instance.logs)
      .filter((line) => line.mail?.to === setup.instructor.email && line.mail.subject === 'Your skillEd webhook endpoint was paused');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.mail.text).toContain(target.url);
    expect(mails[0]!.mail.text).toContain(paused.pauseReason);

    // Held: nothing more is sent while paused, and a replay is refused.
    const held = await deliveries(root, setup.instructor, hook.webhookId);
    expect(held.map((d) => d.status).sort()).toEqual(['retrying', 'retrying', 'retrying']);
    const sentWhilePaused = target.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(target.requests.length).toBe(sentWhilePaused);
    const refused = await call(root, 'POST', `/api/webhooks/${hook.webhookId}/deliveries/${held[0].deliveryId}/replay`, { token: setup.instructor.token });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('WEBHOOK_INACTIVE');

    healthy = true;
    const resumed = await call(root, 'PATCH', `/api/webhooks/${hook.webhookId}`, { token: setup.instructor.token, body: { active: true } });
    expect(resumed.status).toBe(200);
    expect(resumed.body.data).toMatchObject({ status: 'active', pausedAt: null, pauseReason: null, consecutiveFailures: 0 });
    const delivered = await eventually(async () => {
      const rows = await deliveries(root, setup.instructor, hook.webhookId);
      return rows.every((row) => row.status === 'succeeded') ? rows : undefined;
    });
    expect(delivered).toHaveLength(3);
    expect(new Set(delivered.map((d) => d.payload.data.lessonId))).toEqual(new Set(setup.lessonIds));
  });
});

describe('which events reach which endpoint', () => {
  it("never sends another course's events to an instructor's endpoint; an admin's all-courses endpoint gets both", async () => {
    const mine = await receiver();
    const everything = await receiver();
    const ours = await courseWithLessons(root, 1);
    const theirs = await courseWithLessons(root, 1);
    await registerWebhook(root, ours.instructor, { url: mine.url, eventTypes: ['lesson.completed'], courseId: ours.courseId });
    const adminHook = await registerWebhook(root, admin, { url: everything.url, eventTypes: ['lesson.completed'] });
    expect(adminHook.courseId).toBeNull();

    await completeLesson(root, theirs.student, theirs.lessonIds[0]!);
    await completeLesson(root, ours.student, ours.lessonIds[0]!);
    await mine.waitFor((all) => all.length >= 1);
    await everything.waitFor((all) => all.some((r) => bodyOf(r).data.courseId === ours.courseId));
    // The other course's event is older: had it been meant for this endpoint, it would have come first.
    expect(mine.requests.map((r) => bodyOf(r).data.courseId)).toEqual([ours.courseId]);
    const seenByAdmin = everything.requests.map((r) => bodyOf(r).data.courseId);
    expect(seenByAdmin).toEqual(expect.arrayContaining([theirs.courseId, ours.courseId]));
  });

  it('sends only the event types an endpoint asked for', async () => {
    const target = await receiver();
    const setup = await courseWithLessons(root, 1);
    await registerWebhook(root, setup.instructor, { url: target.url, eventTypes: ['course.updated'], courseId: setup.courseId });
    const probe = await receiver();
    await registerWebhook(root, setup.instructor, { url: probe.url, eventTypes: ['lesson.completed'], courseId: setup.courseId });
    await completeLesson(root, setup.student, setup.lessonIds[0]!);
    await probe.waitFor((all) => all.length >= 1);
    expect(target.requests).toHaveLength(0);
  });
});

describe.runIf(Boolean(process.env.DATABASE_URL))('two instances on one database', () => {
  // A pair of its own, where failures neither pause the endpoint nor run out the retry window: every
  // first attempt fails, and on a busy machine ten of them in a row (the suite's pause threshold) or a
  // late retry would otherwise end the test for reasons it is not about.
  let pair: Cluster;
  beforeAll(async () => {
    pair = await startCluster(2, { WEBHOOK_RETRY_WINDOW_HOURS: String(120 / 3600), WEBHOOK_PAUSE_AFTER_FAILURES: '1000' });
  }, 120_000);
  afterAll(async () => {
    await pair?.close();
  });

  it('deliver every event once: each delivery id arrives exactly once per attempt, never twice for one claim', async () => {
    expect(pair.instances).toHaveLength(2);
    const root = pair.instances[0]!.url;
    const target = await receiver();
    // The first request of each delivery fails, the second succeeds: retries cross instances too.
    const seen = new Map<string, number>();
    target.respond = (request) => {
      const id = header(request, 'x-skilled-delivery');
      seen.set(id, (seen.get(id) ?? 0) + 1);
      return seen.get(id) === 1 ? { status: 500 } : { status: 200 };
    };
    const events = 30;
    const setup = await courseWithLessons(root, events);
    const hook = await registerWebhook(root, setup.instructor, { url: target.url, eventTypes: ['lesson.completed'], courseId: setup.courseId });
    // Caused on both instances.
    for (const [index, lessonId] of setup.lessonIds.entries()) {
      await completeLesson(pair.instances[index % 2]!.url, setup.student, lessonId);
    }
    const rows = await eventually(async () => {
      const all = await deliveries(root, setup.instructor, hook.webhookId);
      return all.length === events && all.every((row) => row.status === 'succeeded') ? all : undefined;
    }, 40_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(rows.every((row) => row.attempts === 2)).toBe(true);
    expect(seen.size).toBe(events);
    expect([...seen.values()].every((count) => count === 2)).toBe(true);
    expect(target.requests).toHaveLength(events * 2);
    expect(new Set(target.requests.map((r) => bodyOf(r).data.lessonId))).toEqual(new Set(setup.lessonIds));
    for (const row of rows) expect(row.deliveryId).toMatch(UUID);
  }, 60_000);
});

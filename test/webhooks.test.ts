// Managing webhook endpoints on the shared server: registering (who may, for which course, which URLs and
// event types), listing, reading, changing, deleting, rotating the secret, the delivery log and its
// permissions, pings against a real receiver on loopback, and the same through the SDK.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../src/sdk/errors.js';
import { api, createCourse, createInstructor, createStudent, signInAdmin, type TestUser } from './support/api.js';
import { expectRoutesCalled, type Exchange, recordInto, sdkFor } from './support/sdk.js';
import { sdkRouteGroups } from './support/sdk-route-groups.js';
import { documentedVerifier, eventually, type Receiver, startReceiver, type Verifier } from './support/webhooks.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

let admin: TestUser;
let instructor: TestUser;
let courseId: string;
let receiver: Receiver;
let verify: Verifier;

beforeAll(async () => {
  admin = await signInAdmin();
  instructor = await createInstructor();
  courseId = (await createCourse(instructor)).courseId;
  receiver = await startReceiver();
  verify = await documentedVerifier();
});

afterAll(async () => {
  await receiver?.close();
});

const create = (user: TestUser | undefined, body: unknown) => api('POST', '/api/webhooks', { token: user?.token, body });
const hookBody = (overrides: Record<string, unknown> = {}) => ({
  url: `${receiver.url}/hook`,
  eventTypes: ['lesson.completed', 'assignment.submitted'],
  courseId,
  ...overrides,
});

async function auditRows(query: Record<string, string>) {
  const res = await api('GET', '/api/admin/audit-log', { token: admin.token, query: { limit: 100, ...query } });
  expect(res.status).toBe(200);
  return res.body.data as any[];
}

describe('POST /api/webhooks', () => {
  it("registers an instructor's endpoint for their course and shows the secret once", async () => {
    const res = await create(instructor, hookBody({ description: '  CRM sync  ' }));
    expect(res.status).toBe(201);
    const data = res.body.data;
    expect(data).toEqual({
      webhookId: expect.stringMatching(UUID),
      url: `${receiver.url}/hook`,
      description: 'CRM sync',
      eventTypes: ['lesson.completed', 'assignment.submitted'],
      courseId,
      owner: { id: instructor.id, firstName: instructor.firstName, lastName: instructor.lastName, username: instructor.username },
      active: true,
      status: 'active',
      pausedAt: null,
      pauseReason: null,
      consecutiveFailures: 0,
      lastSuccessAt: null,
      lastFailureAt: null,
      secretHint: `${data.secret.slice(0, 10)}…`,
      secretRotatedAt: null,
      createdAt: expect.stringMatching(ISO),
      updatedAt: expect.stringMatching(ISO),
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9_-]{43}$/),
    });
    expect(res.body.message).toMatch(/secret/);

    const read = await api('GET', `/api/webhooks/${data.webhookId}`, { token: instructor.token });
    expect(read.status).toBe(200);
    const { secret, ...withoutSecret } = data;
    expect(read.body.data).toEqual(withoutSecret);
    expect(JSON.stringify(read.body)).not.toContain(secret);

    const [audit] = await auditRows({ action: 'webhook.create', targetId: data.webhookId });
    expect(audit).toMatchObject({ actor: { id: instructor.id }, after: { url: data.url, eventTypes: data.eventTypes, courseId, description: 'CRM sync' } });
    expect(JSON.stringify(audit)).not.toContain(secret);
  });

  it('lets an admin register an endpoint for every course (no courseId), or for one course', async () => {
    // A closed loopback port: this server's other tests emit such events, and they must not go anywhere.
    const all = await create(admin, { url: 'http://127.0.0.1:9/all', eventTypes: ['notification.new', 'achievement.earned'] });
    expect(all.status).toBe(201);
    expect(all.body.data).toMatchObject({ courseId: null, owner: { id: admin.id }, eventTypes: ['notification.new', 'achievement.earned'] });
    expect((await api('DELETE', `/api/webhooks/${all.body.data.webhookId}`, { token: admin.token })).status).toBe(200);
    const one = await create(admin, hookBody());
    expect(one.status).toBe(201);
    expect(one.body.data.courseId).toBe(courseId);
  });

  it('refuses invalid bodies with 400 and the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ url: undefined }, 'body.url'],
      [{ url: 'not a url' }, 'body.url'],
      [{ url: 'ftp://example.com/hook' }, 'body.url'],
      [{ url: 'http://example.com/hook' }, 'body.url'],
      [{ url: 'https://user:pass@example.com/hook' }, 'body.url'],
      [{ url: 'https://example.com/hook#part' }, 'body.url'],
      [{ url: `https://example.com/${'a'.repeat(2050)}` }, 'body.url'],
      [{ eventTypes: [] }, 'body.eventTypes'],
      [{ eventTypes: ['lesson.started'] }, 'body.eventTypes.0'],
      [{ eventTypes: ['lesson.completed', 'lesson.completed'] }, 'body.eventTypes'],
      [{ eventTypes: ['lesson.completed', 'notification.new'] }, 'body.eventTypes'],
      [{ eventTypes: ['message.received'] }, 'body.eventTypes'],
      [{ courseId: undefined }, 'body.courseId'],
      [{ courseId: 'abc' }, 'body.courseId'],
      [{ description: 'x'.repeat(501) }, 'body.description'],
    ];
    for (const [overrides, field] of cases) {
      const res = await create(instructor, hookBody(overrides));
      expect(res.status, JSON.stringify(overrides)).toBe(400);
      expect(res.body.code).toBe('VALIDATION_ERROR');
      expect(Object.keys(res.body.details ?? {}), JSON.stringify(overrides)).toContain(field);
    }
    const http = await create(instructor, hookBody({ url: 'http://example.com/hook' }));
    expect(http.body.details['body.url']).toMatch(/https/);
    const privateTypes = await create(instructor, hookBody({ eventTypes: ['notification.new'] }));
    expect(privateTypes.body.details['body.eventTypes']).toMatch(/notification\.new.*private/);
    expect((await api('POST', '/api/webhooks', { token: instructor.token, rawBody: '{', headers: { 'content-type': 'application/json' } })).status).toBe(400);
  });

  it('accepts http:// to localhost outside production, https:// anywhere', async () => {
    for (const url of ['http://localhost:9/a', 'http://[::1]:9/a', 'https://127.0.0.1:9/a', 'https://hooks.example.org/skilled?x=1']) {
      const res = await create(instructor, hookBody({ url }));
      expect(res.status, url).toBe(201);
      await api('DELETE', `/api/webhooks/${res.body.data.webhookId}`, { token: instructor.token });
    }
  });

  it("refuses a course the instructor does not teach (403) and a course that doesn't exist (404)", async () => {
    const other = await createInstructor();
    const theirs = await createCourse(other);
    const forbidden = await create(instructor, hookBody({ courseId: theirs.courseId }));
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe('FORBIDDEN');
    const missing = await create(instructor, hookBody({ courseId: '00000000-0000-4000-8000-000000000000' }));
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('COURSE_NOT_FOUND');
  });

  it('is closed to students (403) and to anonymous callers (401)', async () => {
    const student = await createStudent();
    const res = await create(student, hookBody());
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
    expect((await create(undefined, hookBody())).status).toBe(401);
    // Nor anything else of the feature, even on an endpoint that exists.
    const hook = (await create(instructor, hookBody())).body.data;
    const zero = '00000000-0000-4000-8000-000000000000';
    for (const [method, path] of [
      ['GET', '/api/webhooks'],
      ['GET', `/api/webhooks/${hook.webhookId}`],
      ['PATCH', `/api/webhooks/${hook.webhookId}`],
      ['DELETE', `/api/webhooks/${hook.webhookId}`],
      ['POST', `/api/webhooks/${hook.webhookId}/rotate-secret`],
      ['GET', `/api/webhooks/${hook.webhookId}/deliveries`],
      ['POST', `/api/webhooks/${hook.webhookId}/deliveries/${zero}/replay`],
      ['POST', `/api/webhooks/${hook.webhookId}/ping`],
    ] as const) {
      const body = method === 'PATCH' ? { active: false } : undefined;
      const res = await api(method, path, { token: student.token, body });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN');
    }
    expect((await api('GET', `/api/webhooks/${hook.webhookId}`, { token: instructor.token })).body.data.active).toBe(true);
  });

  it('allows at most 25 endpoints per account (409)', async () => {
    const busy = await createInstructor();
    const course = await createCourse(busy);
    for (let i = 0; i < 25; i++) {
      expect((await create(busy, hookBody({ courseId: course.courseId, url: `https://example.com/${i}` }))).status).toBe(201);
    }
    const refused = await create(busy, hookBody({ courseId: course.courseId }));
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('WEBHOOK_LIMIT_REACHED');
  });
});

describe('GET /api/webhooks and GET /api/webhooks/:webhookId', () => {
  it("lists the caller's own endpoints; admins see everyone's; others' endpoints are 404", async () => {
    const mine = await createInstructor();
    const myCourse = (await createCourse(mine)).courseId;
    const other = await createInstructor();
    const otherCourse = (await createCourse(other)).courseId;
    const first = (await create(mine, hookBody({ courseId: myCourse }))).body.data;
    const second = (await create(mine, hookBody({ courseId: myCourse, url: 'https://example.com/2' }))).body.data;
    const theirs = (await create(other, hookBody({ courseId: otherCourse }))).body.data;

    const list = await api('GET', '/api/webhooks', { token: mine.token });
    expect(list.status).toBe(200);
    expect(list.body.data.map((w: any) => w.webhookId)).toEqual([second.webhookId, first.webhookId]);
    expect(list.body.pagination).toEqual({ page: 1, limit: 10, totalCount: 2, totalPages: 1, hasNext: false, hasPrev: false });
    const paged = await api('GET', '/api/webhooks', { token: mine.token, query: { limit: 1, page: 2 } });
    expect(paged.body.data.map((w: any) => w.webhookId)).toEqual([first.webhookId]);
    expect(paged.body.pagination).toMatchObject({ page: 2, totalPages: 2, hasPrev: true, hasNext: false });

    const byAdmin = await api('GET', '/api/webhooks', { token: admin.token, query: { courseId: otherCourse } });
    expect(byAdmin.body.data.map((w: any) => w.webhookId)).toEqual([theirs.webhookId]);
    expect((await api('GET', `/api/webhooks/${theirs.webhookId}`, { token: admin.token })).status).toBe(200);

    const hidden = await api('GET', `/api/webhooks/${theirs.webhookId}`, { token: mine.token });
    expect(hidden.status).toBe(404);
    expect(hidden.body.code).toBe('WEBHOOK_NOT_FOUND');
    const filtered = await api('GET', '/api/webhooks', { token: mine.token, query: { courseId: otherCourse } });
    expect(filtered.body.data).toEqual([]);
  });

  it('answers 400 for a bad id or query, 404 for an unknown endpoint', async () => {
    expect((await api('GET', '/api/webhooks/not-a-uuid', { token: instructor.token })).status).toBe(400);
    expect((await api('GET', '/api/webhooks', { token: instructor.token, query: { limit: 101 } })).status).toBe(400);
    const unknown = await api('GET', '/api/webhooks/00000000-0000-4000-8000-000000000000', { token: instructor.token });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('WEBHOOK_NOT_FOUND');
  });
});

describe('PATCH and DELETE /api/webhooks/:webhookId', () => {
  it('changes the URL, event types, description and switch, and audits the change', async () => {
    const hook = (await create(instructor, hookBody())).body.data;
    const res = await api('PATCH', `/api/webhooks/${hook.webhookId}`, {
      token: instructor.token,
      body: { url: 'https://example.com/new', eventTypes: ['course.updated'], description: 'new', active: false },
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ url: 'https://example.com/new', eventTypes: ['course.updated'], description: 'new', active: false, status: 'disabled' });
    const [audit] = await auditRows({ action: 'webhook.update', targetId: hook.webhookId });
    expect(audit.before).toMatchObject({ url: hook.url, active: true, description: '' });
    expect(audit.after).toMatchObject({ url: 'https://example.com/new', active: false, description: 'new' });

    const on = await api('PATCH', `/api/webhooks/${hook.webhookId}`, { token: instructor.token, body: { active: true } });
    expect(on.body.data.status).toBe('active');
  });

  it('refuses bad changes (400), others (404) and students (403)', async () => {
    const hook = (await create(instructor, hookBody())).body.data;
    const patch = (user: TestUser, body: unknown) => api('PATCH', `/api/webhooks/${hook.webhookId}`, { token: user.token, body });
    for (const body of [{}, { url: 'http://example.com' }, { eventTypes: [] }, { eventTypes: ['message.received'] }, { active: 'yes' }]) {
      const res = await patch(instructor, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe('VALIDATION_ERROR');
    }
    // An admin may give an admin endpoint private events, not an instructor's.
    expect((await patch(admin, { eventTypes: ['notification.new'] })).status).toBe(400);
    const other = await createInstructor();
    expect((await patch(other, { active: false })).status).toBe(404);
    expect((await patch(await createStudent(), { active: false })).status).toBe(403);
    expect((await patch(admin, { description: 'checked by an admin' })).status).toBe(200);
  });

  it('deletes an endpoint with its log; others get 404', async () => {
    const hook = (await create(instructor, hookBody())).body.data;
    const other = await createInstructor();
    expect((await api('DELETE', `/api/webhooks/${hook.webhookId}`, { token: other.token })).status).toBe(404);
    const res = await api('DELETE', `/api/webhooks/${hook.webhookId}`, { token: instructor.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Webhook endpoint deleted' });
    expect((await api('GET', `/api/webhooks/${hook.webhookId}`, { token: instructor.token })).status).toBe(404);
    expect((await api('GET', `/api/webhooks/${hook.webhookId}/deliveries`, { token: instructor.token })).status).toBe(404);
    const [audit] = await auditRows({ action: 'webhook.delete', targetId: hook.webhookId });
    expect(audit.before).toMatchObject({ url: hook.url, courseId });
  });
});

describe('POST /api/webhooks/:webhookId/rotate-secret', () => {
  it('replaces the secret, shows the new one once, and audits without it', async () => {
    const hook = (await create(instructor, hookBody())).body.data;
    const res = await api('POST', `/api/webhooks/${hook.webhookId}/rotate-secret`, { token: instructor.token });
    expect(res.status).toBe(200);
    const rotated = res.body.data;
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(hook.secret);
    expect(rotated.secretHint).toBe(`${rotated.secret.slice(0, 10)}…`);
    expect(rotated.secretRotatedAt).toMatch(ISO);
    const [audit] = await auditRows({ action: 'webhook.rotate_secret', targetId: hook.webhookId });
    expect(audit.after).toEqual({ secretHint: rotated.secretHint, previousSecretValidHours: 24 });
    expect(JSON.stringify(audit)).not.toContain(rotated.secret);

    // The next ping is signed with both: the new secret, and the old one during its grace period.
    const ping = await api('POST', `/api/webhooks/${hook.webhookId}/ping`, { token: instructor.token });
    expect(ping.body.data.status).toBe('succeeded');
    const request = receiver.requests.find((r) => r.headers['x-skilled-delivery'] === ping.body.data.deliveryId)!;
    expect(verify(request.rawBody, request.headers['x-skilled-signature'] as string, rotated.secret)).toBe(true);
    expect(verify(request.rawBody, request.headers['x-skilled-signature'] as string, hook.secret)).toBe(true);
  });

  it('refuses a bad grace period (400), others (404) and students (403)', async () => {
    const hook = (await create(instructor, hookBody())).body.data;
    const path = `/api/webhooks/${hook.webhookId}/rotate-secret`;
    expect((await api('POST', path, { token: instructor.token, body: { previousSecretValidHours: 200 } })).status).toBe(400);
    expect((await api('POST', path, { token: instructor.token, body: { previousSecretValidHours: -1 } })).status).toBe(400);
    expect((await api('POST', path, { token: (await createInstructor()).token })).status).toBe(404);
    expect((await api('POST', path, { token: (await createStudent()).token })).status).toBe(403);
  });
});

describe('POST /api/webhooks/:webhookId/ping and the delivery log', () => {
  it('sends a signed ping to the receiver, answers the outcome and logs it', async () => {
    const hook = (await create(instructor, hookBody())).body.data;
    const res = await api('POST', `/api/webhooks/${hook.webhookId}/ping`, { token: instructor.token });
    expect(res.status).toBe(200);
    expect(res.body.message).toBe('The endpoint accepted the ping');
    const delivery = res.body.data;
    expect(delivery).toMatchObject({ kind: 'ping', eventType: 'webhook.ping', eventId: null, status: 'succeeded', attempts: 1, responseStatus: 200 });
    expect(delivery.payload).toEqual({ id: delivery.deliveryId, type: 'webhook.ping', data: { webhookId: hook.webhookId }, at: expect.stringMatching(ISO) });

    const request = receiver.requests.find((r) => r.headers['x-skilled-delivery'] === delivery.deliveryId)!;
    expect(request.headers['x-skilled-event']).toBe('webhook.ping');
    expect(JSON.parse(request.rawBody)).toEqual(delivery.payload);
    expect(verify(request.rawBody, request.headers['x-skilled-signature'] as string, hook.secret)).toBe(true);

    const log = await api('GET', `/api/webhooks/${hook.webhookId}/deliveries`, { token: instructor.token });
    expect(log.status).toBe(200);
    expect(log.body.data).toEqual([delivery]);
    expect(log.body.pagination).toMatchObject({ totalCount: 1 });
    expect(await auditRows({ action: 'webhook.ping', targetId: hook.webhookId })).toHaveLength(1);
    // A ping says nothing about the endpoint's health.
    const after = await api('GET', `/api/webhooks/${hook.webhookId}`, { token: instructor.token });
    expect(after.body.data.lastSuccessAt).toBeNull();
  });

  it('records a failing receiver and a refused connection as failed, without retrying a ping', async () => {
    const failing = await startReceiver();
    failing.respond = () => ({ status: 500, body: 'x'.repeat(5000) });
    try {
      const hook = (await create(instructor, hookBody({ url: failing.url }))).body.data;
      const res = await api('POST', `/api/webhooks/${hook.webhookId}/ping`, { token: instructor.token });
      expect(res.body.message).toBe('The ping failed');
      expect(res.body.data).toMatchObject({ status: 'failed', responseStatus: 500, error: 'the receiver answered 500', nextAttemptAt: null });
      expect(res.body.data.responseBody).toBe('x'.repeat(1024));
      const failedOnly = await api('GET', `/api/webhooks/${hook.webhookId}/deliveries`, { token: instructor.token, query: { status: 'failed' } });
      expect(failedOnly.body.data).toHaveLength(1);
      const succeededOnly = await api('GET', `/api/webhooks/${hook.webhookId}/deliveries`, { token: instructor.token, query: { status: 'succeeded' } });
      expect(succeededOnly.body.data).toHaveLength(0);
      expect(failing.requests).toHaveLength(1);
    } finally {
      await failing.close();
    }
    const closed = (await create(instructor, hookBody({ url: 'http://127.0.0.1:9/closed' }))).body.data;
    const refused = await api('POST', `/api/webhooks/${closed.webhookId}/ping`, { token: instructor.token });
    expect(refused.body.data).toMatchObject({ status: 'failed', responseStatus: null, error: expect.stringContaining('ECONNREFUSED') });
  });

  it('keeps the log and pings to the owner and admins', async () => {
    const hook = (await create(instructor, hookBody())).body.data;
    const other = await createInstructor();
    const student = await createStudent();
    for (const [path, method] of [
      [`/api/webhooks/${hook.webhookId}/deliveries`, 'GET'],
      [`/api/webhooks/${hook.webhookId}/ping`, 'POST'],
      [`/api/webhooks/${hook.webhookId}/deliveries/00000000-0000-4000-8000-000000000000/replay`, 'POST'],
    ] as const) {
      expect((await api(method, path, { token: other.token })).status, `${method} ${path}`).toBe(404);
      expect((await api(method, path, { token: student.token })).status, `${method} ${path}`).toBe(403);
      expect((await api(method, path)).status, `${method} ${path}`).toBe(401);
    }
    expect((await api('GET', `/api/webhooks/${hook.webhookId}/deliveries`, { token: admin.token })).status).toBe(200);
    expect((await api('GET', `/api/webhooks/${hook.webhookId}/deliveries`, { token: instructor.token, query: { status: 'lost' } })).status).toBe(400);
    const unknown = await api('POST', `/api/webhooks/${hook.webhookId}/deliveries/00000000-0000-4000-8000-000000000000/replay`, { token: instructor.token });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('WEBHOOK_DELIVERY_NOT_FOUND');
    // A delivery of another endpoint is not found through this one.
    const second = (await create(instructor, hookBody())).body.data;
    const ping = await api('POST', `/api/webhooks/${second.webhookId}/ping`, { token: instructor.token });
    const crossed = await api('POST', `/api/webhooks/${hook.webhookId}/deliveries/${ping.body.data.deliveryId}/replay`, { token: instructor.token });
    expect(crossed.status).toBe(404);
  });
});

describe('the SDK', () => {
  it('covers the whole feature with typed methods', async () => {
    const logs: Exchange[][] = [];
    const client = recordInto(logs, sdkFor(instructor));
    const created = await client.createWebhook({ url: `${receiver.url}/sdk`, eventTypes: ['course.updated'], courseId });
    expect(created.secret).toMatch(/^whsec_/);
    expect((await client.getWebhook(created.webhookId)).url).toBe(`${receiver.url}/sdk`);
    const listed = await client.listWebhooks({ courseId, limit: 100 });
    expect(listed.data.some((hook) => hook.webhookId === created.webhookId)).toBe(true);
    expect((await client.updateWebhook(created.webhookId, { description: 'via sdk' })).description).toBe('via sdk');
    const rotated = await client.rotateWebhookSecret(created.webhookId, { previousSecretValidHours: 0 });
    expect(rotated.secret).not.toBe(created.secret);

    const ping = await client.pingWebhook(created.webhookId);
    expect(ping.status).toBe('succeeded');
    const log = await client.listWebhookDeliveries(created.webhookId, { status: 'succeeded' });
    expect(log.data.map((d) => d.deliveryId)).toEqual([ping.deliveryId]);
    const replay = await client.replayWebhookDelivery(created.webhookId, ping.deliveryId);
    expect(replay).toMatchObject({ kind: 'replay', replayOf: ping.deliveryId });
    // The server's own worker sends the replay.
    const resent = await eventually(async () => receiver.requests.find((r) => r.headers['x-skilled-delivery'] === replay.deliveryId));
    expect(resent.rawBody).toBe(receiver.requests.find((r) => r.headers['x-skilled-delivery'] === ping.deliveryId)!.rawBody);
    expect(verify(resent.rawBody, resent.headers['x-skilled-signature'] as string, rotated.secret)).toBe(true);

    expect(await client.deleteWebhook(created.webhookId)).toEqual({ message: 'Webhook endpoint deleted' });
    const missing = await client.getWebhook(created.webhookId).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(ApiError);
    expect((missing as ApiError).code).toBe('WEBHOOK_NOT_FOUND');
    expectRoutesCalled(logs, sdkRouteGroups.webhooks);
  });
});

// Named API keys: creation (own, or by an admin for a user) with scopes within the owner's role, shown
// once and stored hashed; use by Bearer or X-API-Key as the owner limited to the scopes; last use;
// rotation with a grace period; revocation; audit rows; a rate-limit bucket per key.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/server/db/client.js';
import { api, createCourse, createInstructor, createStudent, signInAdmin, type TestUser } from './support/api.js';
import { clientAt, type OwnServer, registerOn, startServer } from './support/security.js';

const STUDENT_PERMISSIONS = ['profile:edit', 'courses:enroll', 'courses:rate', 'lessons:complete', 'assignments:submit', 'quizzes:take'];

async function createKey(owner: TestUser, body: Record<string, unknown>) {
  const res = await api('POST', '/api/api-keys', { token: owner.token, body: { name: 'ci', ...body } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data as { id: string; key: string; prefix: string; scopes: string[]; status: string; userId: string; createdBy: string };
}

const withKey = (key: string, method: string, path: string, body?: unknown, header: 'bearer' | 'x-api-key' = 'bearer') =>
  api(method, path, {
    ...(body === undefined ? {} : { body }),
    headers: header === 'bearer' ? { authorization: `Bearer ${key}` } : { 'x-api-key': key },
  });

const courseBody = () => ({
  title: `Key course ${Date.now()}`,
  description: 'Made with an API key',
  thumbnailUrl: 'https://example.com/t.png',
  category: 'programming',
  difficultyLevel: 'beginner',
});

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 8_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await sleep(150);
  }
}

let admin: TestUser;
let instructor: TestUser;
let student: TestUser;

beforeAll(async () => {
  [admin, instructor, student] = await Promise.all([signInAdmin(), createInstructor(), createStudent()]);
});

describe('POST /api/api-keys', () => {
  it('creates a key for the caller, shown once as sk_live_…, with a prefix to recognise it', async () => {
    const created = await createKey(instructor, { name: 'grading bot', scopes: ['courses:create'] });
    expect(created.key).toMatch(/^sk_live_[A-Za-z0-9_-]{43}$/);
    expect(created.key.startsWith(created.prefix)).toBe(true);
    expect(created).toMatchObject({ userId: instructor.id, createdBy: instructor.id, scopes: ['courses:create'], status: 'active' });
    const listed = await api('GET', '/api/api-keys', { token: instructor.token });
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toContain(created.key);
    const one = await api('GET', `/api/api-keys/${created.id}`, { token: instructor.token });
    expect(one.body.data).toMatchObject({ id: created.id, name: 'grading bot', prefix: created.prefix });
    expect(one.body.data.key).toBeUndefined();
  });

  it("refuses scopes outside the owner's role, malformed, repeated or none, and past or far expiries", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ scopes: ['courses:create'] }, 'body.scopes.0'],
      [{ scopes: ['profile:edit', 'users:manage'] }, 'body.scopes.1'],
      [{ scopes: ['DROP TABLE'] }, 'body.scopes.0'],
      [{ scopes: [] }, 'body.scopes'],
      [{ scopes: ['profile:edit', 'profile:edit'] }, 'body.scopes'],
      [{ scopes: ['profile:edit'], expiresAt: new Date(Date.now() - 60_000).toISOString() }, 'body.expiresAt'],
      [{ scopes: ['profile:edit'], expiresAt: new Date(Date.now() + 3 * 366 * 86_400_000).toISOString() }, 'body.expiresAt'],
      [{ scopes: ['profile:edit'], name: '' }, 'body.name'],
    ];
    for (const [body, field] of cases) {
      const res = await api('POST', '/api/api-keys', { token: student.token, body: { name: 'k', ...body } });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe('VALIDATION_ERROR');
      expect(Object.keys(res.body.details), JSON.stringify(body)).toContain(field);
    }
    expect((await api('POST', '/api/api-keys', { body: { name: 'k', scopes: ['profile:edit'] } })).status).toBe(401);
  });

  it('lets an admin create a key for a user, within that user\'s role; others may not name a user', async () => {
    const created = await createKey(admin, { userId: student.id, scopes: ['courses:enroll'] });
    expect(created).toMatchObject({ userId: student.id, createdBy: admin.id });
    const tooWide = await api('POST', '/api/api-keys', { token: admin.token, body: { name: 'k', userId: student.id, scopes: ['users:manage'] } });
    expect(tooWide.status).toBe(400);
    const other = await api('POST', '/api/api-keys', { token: instructor.token, body: { name: 'k', userId: student.id, scopes: ['profile:edit'] } });
    expect(other.status).toBe(403);
    const missing = await api('POST', '/api/api-keys', {
      token: admin.token,
      body: { name: 'k', userId: '00000000-0000-4000-8000-000000000000', scopes: ['profile:edit'] },
    });
    expect(missing.status).toBe(404);
    const listed = await api('GET', '/api/api-keys', { token: admin.token, query: { userId: student.id } });
    expect(listed.body.data.map((k: { id: string }) => k.id)).toContain(created.id);
    expect((await api('GET', '/api/api-keys', { token: instructor.token, query: { userId: student.id } })).status).toBe(403);
  });
});

describe('requests made with a key', () => {
  it('act as the owner, by Bearer or X-API-Key, limited to the scopes', async () => {
    const { key } = await createKey(instructor, { scopes: ['courses:create'] });
    for (const header of ['bearer', 'x-api-key'] as const) {
      const check = await withKey(key, 'GET', '/api/auth/check', undefined, header);
      expect(check.body).toMatchObject({ authenticated: true, user: { id: instructor.id } });
    }
    const created = await withKey(key, 'POST', '/api/courses', courseBody());
    expect(created.status).toBe(201);
    expect(created.body.data.instructor.id).toBe(instructor.id);
    // managing the course needs courses:manage-own, which the key lacks
    const update = await withKey(key, 'PUT', `/api/courses/${created.body.data.courseId}`, { title: 'Changed by a key' });
    expect(update.status).toBe(403);
    expect(update.body.code).toBe('INSUFFICIENT_SCOPE');
    // reads that need only sign-in are allowed
    expect((await withKey(key, 'GET', `/api/analytics/${instructor.id}`)).status).toBe(200);
  });

  it('make changes through routes without a declared permission only with every permission of the role', async () => {
    const course = await createCourse(instructor);
    const narrow = await createKey(student, { scopes: ['courses:enroll'] });
    const refused = await withKey(narrow.key, 'POST', `/api/courses/${course.courseId}/enroll`);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('INSUFFICIENT_SCOPE');
    const full = await createKey(student, { scopes: STUDENT_PERMISSIONS });
    expect((await withKey(full.key, 'POST', `/api/courses/${course.courseId}/enroll`)).status).toBe(201);
    // a batch passes each of its requests through the same checks
    const batch = await withKey(narrow.key, 'POST', '/api/batch', {
      requests: [
        { method: 'GET', path: `/api/courses/${course.courseId}/progress` },
        { method: 'DELETE', path: `/api/courses/${course.courseId}/enroll` },
      ],
    });
    expect(batch.status).toBe(200);
    expect(batch.body.data.map((r: { status: number }) => r.status)).toEqual([200, 403]);
  });

  it('never reach sign-in, session, API-key or event-stream endpoints', async () => {
    const { key } = await createKey(student, { scopes: STUDENT_PERMISSIONS });
    for (const [method, path] of [
      ['GET', '/api/api-keys'],
      ['POST', '/api/auth/signout'],
      ['GET', '/api/events/notifications'],
    ] as const) {
      const res = await withKey(key, method, path);
      expect(res.status, path).toBe(403);
      expect(res.body.code, path).toBe('INSUFFICIENT_SCOPE');
    }
  });

  it('fail with INVALID_API_KEY for an unknown, malformed or expired key', async () => {
    const unknown = await withKey(`sk_live_${'A'.repeat(43)}`, 'GET', '/api/analytics');
    expect(unknown.status).toBe(401);
    expect(unknown.body.code).toBe('INVALID_API_KEY');
    expect((await withKey('sk_live_short', 'GET', '/api/analytics', undefined, 'x-api-key')).body.code).toBe('INVALID_API_KEY');
    const soon = await createKey(student, { scopes: ['profile:edit'], expiresAt: new Date(Date.now() + 1_500).toISOString() });
    expect((await withKey(soon.key, 'GET', '/api/analytics')).status).toBe(200);
    await sleep(1_600);
    expect((await withKey(soon.key, 'GET', '/api/analytics')).body.code).toBe('INVALID_API_KEY');
    const listed = await api('GET', '/api/api-keys', { token: student.token, query: { status: 'expired' } });
    expect(listed.body.data.map((k: { id: string }) => k.id)).toContain(soon.id);
  });

  it('are recorded as the last use (time and address) and audited once per new address', async () => {
    const created = await createKey(instructor, { scopes: ['courses:create'] });
    await withKey(created.key, 'GET', '/api/auth/check');
    const used = await eventually(
      () => api('GET', `/api/api-keys/${created.id}`, { token: instructor.token }),
      (res) => res.body.data.lastUsedAt !== null,
    );
    expect(used.body.data.lastUsedAt).not.toBeNull();
    expect(used.body.data.lastUsedIp).toMatch(/127\.0\.0\.1/);
    const audit = await eventually(
      () => api('GET', '/api/admin/audit-log', { token: admin.token, query: { action: 'api_key.*', targetId: created.id } }),
      (res) => res.body.data.length >= 2,
    );
    expect(audit.body.data.map((row: { action: string }) => row.action).sort()).toEqual(['api_key.create', 'api_key.use']);
  });

  it('follow the owner: a role change narrows the scopes and a suspension stops the key, within seconds', async () => {
    const owner = await createInstructor();
    const { key } = await createKey(owner, { scopes: ['courses:create'] });
    // (an instructor without courses can be made a student)
    expect((await withKey(key, 'GET', '/api/auth/check')).body.user.role).toBe('instructor');
    expect((await api('PUT', `/api/users/${owner.id}/role`, { token: admin.token, body: { role: 'student' } })).status).toBe(200);
    const demoted = await eventually(() => withKey(key, 'POST', '/api/courses', courseBody()), (res) => res.status === 403);
    expect(demoted.status).toBe(403);
    expect((await api('POST', `/api/users/${owner.id}/suspend`, { token: admin.token, body: { reason: 'test' } })).status).toBe(200);
    const suspended = await eventually(() => withKey(key, 'GET', '/api/analytics'), (res) => res.status === 401);
    expect(suspended.body.code).toBe('INVALID_API_KEY');
  });
});

describe('rotation and revocation', () => {
  it('issues a new key while the old one works through the grace period; a key is rotated once', async () => {
    const old = await createKey(instructor, { scopes: ['courses:create'] });
    const rotated = await api('POST', `/api/api-keys/${old.id}/rotate`, { token: instructor.token, body: { gracePeriodHours: 1 } });
    expect(rotated.status).toBe(201);
    const fresh = rotated.body.data;
    expect(fresh.key).toMatch(/^sk_live_/);
    expect(fresh.key).not.toBe(old.key);
    expect(fresh).toMatchObject({ name: 'ci', scopes: ['courses:create'], status: 'active' });
    expect(fresh.previous).toMatchObject({ id: old.id, replacedBy: fresh.id, status: 'active' });
    const graceEnds = Date.parse(fresh.previous.expiresAt);
    expect(graceEnds).toBeGreaterThan(Date.now() + 55 * 60_000);
    expect(graceEnds).toBeLessThanOrEqual(Date.now() + 60 * 60_000);
    expect((await withKey(fresh.key, 'GET', '/api/auth/check')).body.authenticated).toBe(true);
    expect((await withKey(old.key, 'GET', '/api/auth/check')).body.authenticated).toBe(true);
    const again = await api('POST', `/api/api-keys/${old.id}/rotate`, { token: instructor.token });
    expect(again.status).toBe(409);
  });

  it('with no grace period, stops the old key at once', async () => {
    const old = await createKey(student, { scopes: ['profile:edit'] });
    const rotated = await api('POST', `/api/api-keys/${old.id}/rotate`, { token: student.token, body: { gracePeriodHours: 0 } });
    expect(rotated.status).toBe(201);
    expect((await withKey(old.key, 'GET', '/api/analytics')).body.code).toBe('INVALID_API_KEY');
    expect((await withKey(rotated.body.data.key, 'GET', '/api/analytics')).status).toBe(200);
  });

  it('revokes at once, twice harmlessly; only the owner and admins see or change a key', async () => {
    const created = await createKey(student, { scopes: ['profile:edit'] });
    expect((await withKey(created.key, 'GET', '/api/analytics')).status).toBe(200);
    const other = await createStudent();
    for (const [method, path] of [
      ['GET', `/api/api-keys/${created.id}`],
      ['DELETE', `/api/api-keys/${created.id}`],
      ['POST', `/api/api-keys/${created.id}/rotate`],
    ] as const) {
      const res = await api(method, path, { token: other.token });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.code).toBe('API_KEY_NOT_FOUND');
    }
    expect((await api('GET', `/api/api-keys/${created.id}`, { token: admin.token })).status).toBe(200);
    const revoked = await api('DELETE', `/api/api-keys/${created.id}`, { token: student.token });
    expect(revoked.status).toBe(200);
    expect(revoked.body.data).toMatchObject({ id: created.id, status: 'revoked' });
    expect((await withKey(created.key, 'GET', '/api/analytics')).body.code).toBe('INVALID_API_KEY');
    expect((await api('DELETE', `/api/api-keys/${created.id}`, { token: student.token })).status).toBe(200);
    expect((await api('POST', `/api/api-keys/${created.id}/rotate`, { token: student.token })).status).toBe(409);
    const audit = await api('GET', '/api/admin/audit-log', { token: admin.token, query: { action: 'api_key.revoke', targetId: created.id } });
    expect(audit.body.data).toHaveLength(1);
    expect((await api('GET', '/api/api-keys/not-a-uuid', { token: student.token })).status).toBe(400);
  });
});

describe('storage and rate limit (own server)', () => {
  let server: OwnServer;

  beforeAll(async () => {
    server = await startServer({ RATE_LIMIT_API_KEY_MAX: '3', RATE_LIMIT_USER_MAX: '100', RATE_LIMIT_IP_MAX: '100' });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('keeps only the SHA-256 of a key', async () => {
    const client = clientAt(server.url);
    const owner = await registerOn(client);
    const created = await client.call('POST', '/api/api-keys', { token: owner.token, body: { name: 'hashed', scopes: ['profile:edit'] } });
    const key: string = created.body.data.key;
    const rows = await queryRows<Record<string, unknown>>(server.database.db, sql`select * from api_keys where id = ${created.body.data.id}`);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.key_hash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(JSON.stringify(rows[0])).not.toContain(key);
  });

  it('counts a key in a bucket of its own, apart from its owner\'s sessions', async () => {
    const client = clientAt(server.url);
    const owner = await registerOn(client);
    const created = await client.call('POST', '/api/api-keys', { token: owner.token, body: { name: 'bucket', scopes: ['profile:edit'] } });
    const key: string = created.body.data.key;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await client.call('GET', '/api/analytics', { headers: { 'x-api-key': key } })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await client.call('GET', '/api/analytics', { headers: { 'x-api-key': key } });
    expect(refused.body.error).toMatch(/with this API key/);
    expect((await client.call('GET', '/api/analytics', { token: owner.token })).status).toBe(200);
  });
});

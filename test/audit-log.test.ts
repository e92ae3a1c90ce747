import { randomUUID } from 'node:crypto';
import { type SQL, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createCourse, createInstructor, createStudent, signInAdmin, type TestUser, uniqueSuffix } from './support/api.js';
import { auditLog, ISO, type OwnServer, ownServer, sleep } from './support/admin.js';

let admin: TestUser;
beforeAll(async () => {
  admin = await signInAdmin();
});

const requestId = (what: string) => `audit-${what}-${uniqueSuffix()}`;
const LOCAL_IP = /^(::ffff:)?127\.0\.0\.1$|^::1$/;
const ROW_KEYS = ['action', 'actor', 'after', 'before', 'createdAt', 'id', 'ip', 'requestId', 'targetId', 'targetType'];

describe('GET /api/admin/audit-log: what is recorded', () => {
  it('records a course creation with its actor, IP and the request id the client sent', async () => {
    const instructor = await createInstructor();
    const rid = requestId('course');
    const title = `Audited ${uniqueSuffix()}`;
    const created = await api('POST', '/api/courses', {
      token: instructor.token,
      headers: { 'x-request-id': rid },
      body: { title, description: 'd', thumbnailUrl: 'https://e.com/t.png', category: 'science', difficultyLevel: 'beginner' },
    });
    expect(created.status).toBe(201);
    const courseId = created.body.data.courseId;

    const res = await auditLog(admin, { targetType: 'course', targetId: courseId });
    expect(res.status).toBe(200);
    expect(res.body.pagination).toEqual({ page: 1, limit: 10, totalCount: 1, totalPages: 1, hasNext: false, hasPrev: false });
    const [row] = res.body.data;
    expect(Object.keys(row).sort()).toEqual(ROW_KEYS);
    expect(row).toMatchObject({
      id: expect.any(Number),
      actor: { id: instructor.id, firstName: instructor.firstName, lastName: instructor.lastName, role: 'instructor' },
      action: 'course.create',
      targetType: 'course',
      targetId: courseId,
      before: null,
      after: expect.objectContaining({ title }),
      ip: expect.stringMatching(LOCAL_IP),
      requestId: rid,
      createdAt: expect.stringMatching(ISO),
    });
  });

  it('records a suspension and its reversal, by the admin, with the request id', async () => {
    const student = await createStudent();
    const rid = requestId('suspend');
    const suspended = await api('POST', `/api/users/${student.id}/suspend`, {
      token: admin.token,
      headers: { 'x-request-id': rid },
      body: { reason: 'Cheating' },
    });
    expect(suspended.status).toBe(200);
    expect((await api('POST', `/api/users/${student.id}/unsuspend`, { token: admin.token })).status).toBe(200);

    const res = await auditLog(admin, { targetType: 'user', targetId: student.id, action: 'user.*' });
    expect(res.body.data.map((r: any) => r.action)).toEqual(['user.unsuspend', 'user.suspend', 'user.signin', 'user.register']);
    expect(res.body.data[1]).toMatchObject({
      actor: { id: admin.id, role: 'admin' },
      before: { status: 'active' },
      after: { status: 'suspended', reason: 'Cheating', sessionsRevoked: 1 },
      ip: expect.stringMatching(LOCAL_IP),
      requestId: rid,
    });
    expect(res.body.data[0]).toMatchObject({ before: { status: 'suspended', reason: 'Cheating' }, after: { status: 'active' } });
  });

  it('records registration and sign-in with the new user as actor', async () => {
    const student = await createStudent();
    const res = await auditLog(admin, { actorId: student.id });
    expect(res.body.data.map((r: any) => [r.action, r.targetId])).toEqual([
      ['user.signin', student.id],
      ['user.register', student.id],
    ]);
    expect(res.body.data[1].after).toEqual({
      email: student.email,
      username: student.username,
      firstName: student.firstName,
      lastName: student.lastName,
      role: 'student',
    });
    for (const row of res.body.data) {
      expect(row.actor).toEqual({ id: student.id, firstName: student.firstName, lastName: student.lastName, role: 'student' });
      expect(row.ip).toMatch(LOCAL_IP);
      expect(row.requestId).toEqual(expect.any(String));
    }
  });

  it('records profile changes without any password or hash, only that the password changed', async () => {
    const student = await createStudent();
    const rid = requestId('profile');
    const newPassword = 'Audit-new-pass-42';
    const updated = await api('PUT', '/api/profile/update', {
      token: student.token,
      headers: { 'x-request-id': rid },
      body: { firstName: 'Renamed', currentPassword: student.password, newPassword },
    });
    expect(updated.status).toBe(200);
    const prefs = await api('PUT', '/api/profile/preferences', {
      token: student.token,
      body: { userId: student.id, preferredStudyTime: 'night', weeklyLearningGoal: 120 },
    });
    expect(prefs.status).toBe(200);

    const res = await auditLog(admin, { actorId: student.id, action: 'profile.*' });
    expect(res.body.data.map((r: any) => r.action)).toEqual(['profile.preferences', 'profile.update']);
    expect(res.body.data[1]).toMatchObject({
      actor: { id: student.id, firstName: 'Renamed' },
      targetType: 'user',
      targetId: student.id,
      before: { firstName: student.firstName },
      after: { firstName: 'Renamed', passwordChanged: true },
      ip: expect.stringMatching(LOCAL_IP),
      requestId: rid,
    });
    expect(Object.keys(res.body.data[1].after).sort()).toEqual(['firstName', 'passwordChanged']);
    expect(res.body.data[0]).toMatchObject({
      before: { preferredStudyTime: 'morning', weeklyLearningGoal: 300 },
      after: { preferredStudyTime: 'night', weeklyLearningGoal: 120 },
    });
    const text = JSON.stringify(res.body);
    expect(text).not.toMatch(/argon2|passwordHash/i);
    expect(text).not.toContain(newPassword);
    expect(text).not.toContain(student.password);
  });

  it('records the assignment repair', async () => {
    const rid = requestId('repair');
    expect((await api('POST', '/api/admin/fix-assignments', { token: admin.token, headers: { 'x-request-id': rid } })).status).toBe(200);
    const res = await auditLog(admin, { action: 'admin.fix_assignments', actorId: admin.id, limit: 100 });
    const row = res.body.data.find((r: any) => r.requestId === rid);
    expect(row).toMatchObject({
      actor: { id: admin.id, role: 'admin' },
      targetType: 'assignment_submissions',
      targetId: null,
      after: { createdSubmissions: expect.any(Number), fixedStatuses: expect.any(Number) },
    });
  });
});

describe('GET /api/admin/audit-log: filters, pagination, validation, permissions', () => {
  it('filters by actor, action, domain, target and time, newest first', async () => {
    const instructor = await createInstructor();
    await sleep(50);
    const before = new Date().toISOString();
    await sleep(50);
    const course = await createCourse(instructor);
    const updated = await api('PUT', `/api/courses/${course.courseId}`, { token: instructor.token, body: { title: `Renamed ${uniqueSuffix()}` } });
    expect(updated.status).toBe(200);

    const mine = await auditLog(admin, { actorId: instructor.id, limit: 100 });
    expect(mine.body.data.map((r: any) => r.action)).toEqual(['course.update', 'course.create', 'user.signin', 'user.register']);
    const ids = mine.body.data.map((r: any) => r.id);
    expect([...ids].sort((a: number, b: number) => b - a)).toEqual(ids);

    expect((await auditLog(admin, { actorId: instructor.id, action: 'course.*' })).body.data.map((r: any) => r.action)).toEqual([
      'course.update',
      'course.create',
    ]);
    expect((await auditLog(admin, { actorId: instructor.id, action: 'course.create' })).body.data).toHaveLength(1);
    expect((await auditLog(admin, { actorId: instructor.id, action: 'course' })).body.data).toHaveLength(0);
    expect((await auditLog(admin, { actorId: instructor.id, targetType: 'user' })).body.data).toHaveLength(2);
    expect((await auditLog(admin, { targetId: course.courseId })).body.pagination.totalCount).toBe(2);
    const since = await auditLog(admin, { actorId: instructor.id, from: before });
    expect(since.body.data.map((r: any) => r.action)).toEqual(['course.update', 'course.create']);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    expect((await auditLog(admin, { actorId: instructor.id, to: yesterday })).body.data).toHaveLength(0);
    const today = new Date().toISOString().slice(0, 10);
    // a plain date as `to` includes that whole day
    expect((await auditLog(admin, { actorId: instructor.id, from: today, to: today })).body.pagination.totalCount).toBe(4);

    const page = await auditLog(admin, { actorId: instructor.id, limit: 3, page: 2 });
    expect(page.body.data.map((r: any) => r.action)).toEqual(['user.register']);
    expect(page.body.pagination).toEqual({ page: 2, limit: 3, totalCount: 4, totalPages: 2, hasNext: false, hasPrev: true });
    expect((await auditLog(admin, { actorId: randomUUID() })).body.data).toEqual([]);
  });

  it('refuses bad filters with 400 and details', async () => {
    const res = await auditLog(admin, { actorId: 'nope', action: 'DROP TABLE', from: 'yesterday', limit: 500 });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.details).sort()).toEqual(['querystring.action', 'querystring.actorId', 'querystring.from', 'querystring.limit']);
    const reversed = await auditLog(admin, { from: '2026-03-02', to: '2026-03-01' });
    expect(reversed.status).toBe(400);
    expect(reversed.body.details).toEqual({ 'querystring.to': 'must be after from' });
    for (const action of ['user.%', 'user_*', '*']) {
      expect((await auditLog(admin, { action })).status, action).toBe(400);
    }
  });

  it('is for admins only', async () => {
    const anonymous = await auditLog(undefined);
    expect(anonymous.status).toBe(401);
    for (const user of [await createStudent(), await createInstructor()]) {
      const res = await auditLog(user);
      expect(res.status, user.role).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN');
    }
  });

  it('offers no way to change or delete entries', async () => {
    const [row] = (await auditLog(admin, { limit: 1 })).body.data;
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      for (const path of ['/api/admin/audit-log', `/api/admin/audit-log/${row.id}`]) {
        const res = await api(method, path, { token: admin.token, ...(method === 'DELETE' ? {} : { body: { action: 'x' } }) });
        expect([404, 405], `${method} ${path}`).toContain(res.status);
      }
    }
    const again = (await auditLog(admin, { limit: 100 })).body.data.find((r: any) => r.id === row.id);
    expect(again).toEqual(row);
    const openapi = await api('GET', '/api/docs/openapi.json');
    const operations = Object.entries(openapi.body.paths as Record<string, object>)
      .filter(([path]) => path.startsWith('/api/admin/audit-log'))
      .flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`));
    expect(operations).toEqual(['get /api/admin/audit-log']);
  });
});

describe('the audit log in the database (own database)', () => {
  let own: OwnServer;
  beforeAll(async () => {
    own = await ownServer();
  });
  afterAll(async () => {
    await own?.close();
  });

  it('refuses UPDATE, DELETE and TRUNCATE, but lets a deleted actor’s link become null', async () => {
    const root = await own.account('admin');
    const student = await own.account('student');
    const db = own.database.db;
    const refused = async (statement: SQL) => {
      const error = await db.execute(statement).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(String((error as { cause?: unknown })?.cause ?? error)).toMatch(/append-only/);
    };
    await refused(sql`update audit_log set action = 'tampered' where actor_id = ${student.id}`);
    await refused(sql`update audit_log set actor_id = null, ip = '10.0.0.1' where actor_id = ${student.id}`);
    await refused(sql`delete from audit_log where actor_id = ${student.id}`);
    await refused(sql`truncate audit_log`);
    const rows = async () => (await own.call('GET', '/api/admin/audit-log?limit=100', { token: root.token })).body.data;
    const studentRows = (await rows()).filter((r: any) => r.targetId === student.id);
    expect(studentRows.map((r: any) => r.action)).toEqual(['user.signin', 'user.register']);
    expect(studentRows.every((r: any) => r.actor?.id === student.id)).toBe(true);

    // deleting the account nulls the actor (ON DELETE SET NULL) and keeps the rows
    await db.execute(sql`delete from users where id = ${student.id}`);
    const kept = (await rows()).filter((r: any) => r.targetId === student.id);
    expect(kept).toEqual(studentRows.map((r: any) => ({ ...r, actor: null })));
  });
});

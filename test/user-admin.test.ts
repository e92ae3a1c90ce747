import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  courseWithStudent,
  createCourse,
  createInstructor,
  createStudent,
  signIn,
  signInAdmin,
  type TestUser,
  uniqueSuffix,
} from './support/api.js';
import {
  ADMIN_ACCOUNT_KEYS,
  activity,
  auditLog,
  ISO,
  listUsers,
  type OwnServer,
  ownServer,
  poll,
  setRole,
  suspend,
  unsuspend,
} from './support/admin.js';

let admin: TestUser;
beforeAll(async () => {
  admin = await signInAdmin();
});

async function refuses(call: (user: TestUser | undefined) => Promise<{ status: number; body: any }>) {
  const anonymous = await call(undefined);
  expect(anonymous.status).toBe(401);
  expect(anonymous.body.code).toBe('UNAUTHENTICATED');
  for (const user of [await createStudent(), await createInstructor()]) {
    const res = await call(user);
    expect(res.status, user.role).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
  }
}

describe('GET /api/users', () => {
  it('lists accounts with their status, never a password hash, paginated', async () => {
    const tag = `Zq${uniqueSuffix()}`;
    const first = await createStudent({ lastName: tag });
    const second = await createInstructor({ lastName: tag });
    const res = await listUsers(admin, { search: tag });
    expect(res.status).toBe(200);
    expect(res.body.pagination).toEqual({ page: 1, limit: 10, totalCount: 2, totalPages: 1, hasNext: false, hasPrev: false });
    // newest first
    expect(res.body.data.map((u: any) => u.id)).toEqual([second.id, first.id]);
    const [row] = res.body.data;
    expect(Object.keys(row).sort()).toEqual(ADMIN_ACCOUNT_KEYS);
    expect(row).toMatchObject({
      id: second.id,
      email: second.email,
      username: second.username,
      firstName: second.firstName,
      lastName: tag,
      role: 'instructor',
      status: 'active',
      suspendedAt: null,
      suspensionReason: null,
      createdAt: expect.stringMatching(ISO),
    });
    expect(JSON.stringify(res.body)).not.toMatch(/password|argon2/i);

    const page2 = await listUsers(admin, { search: tag, limit: 1, page: 2 });
    expect(page2.body.data.map((u: any) => u.id)).toEqual([first.id]);
    expect(page2.body.pagination).toEqual({ page: 2, limit: 1, totalCount: 2, totalPages: 2, hasNext: false, hasPrev: true });
  });

  it('searches name, full name, email and username ignoring case, and filters by role and status', async () => {
    const tag = `Qx${uniqueSuffix()}`;
    const student = await createStudent({ firstName: 'Ottilie', lastName: tag });
    const instructor = await createInstructor({ lastName: tag });
    const ids = async (query: Record<string, string>) => (await listUsers(admin, { limit: 100, ...query })).body.data.map((u: any) => u.id);

    expect(await ids({ search: tag.toUpperCase() })).toEqual([instructor.id, student.id]);
    expect(await ids({ search: `ottilie ${tag.toLowerCase()}` })).toEqual([student.id]);
    expect(await ids({ search: student.email.toUpperCase() })).toEqual([student.id]);
    expect(await ids({ search: student.username.slice(2).toUpperCase() })).toEqual([student.id]);
    expect(await ids({ search: tag, role: 'instructor' })).toEqual([instructor.id]);
    expect(await ids({ search: tag, role: 'student', status: 'active' })).toEqual([student.id]);
    expect(await ids({ search: tag, status: 'suspended' })).toEqual([]);
    // LIKE wildcards in the search match themselves
    expect((await listUsers(admin, { search: `${tag.slice(0, 3)}%${tag.slice(4)}` })).body.pagination.totalCount).toBe(0);
    expect((await listUsers(admin, { search: `${tag.slice(0, 3)}_${tag.slice(4)}` })).body.pagination.totalCount).toBe(0);
    // a blank search is no search
    const blank = await listUsers(admin, { search: '  ', role: 'admin' });
    expect(blank.status).toBe(200);
    expect(blank.body.pagination.totalCount).toBe((await listUsers(admin, { role: 'admin' })).body.pagination.totalCount);
    expect(blank.body.data.map((u: any) => u.id)).toContain(admin.id);
  });

  it('refuses bad filters with 400 and details', async () => {
    const res = await listUsers(admin, { role: 'superuser', status: 'gone', limit: 101, page: 0, search: 'x'.repeat(101) });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
    expect(Object.keys(res.body.details).sort()).toEqual(
      ['querystring.limit', 'querystring.page', 'querystring.role', 'querystring.search', 'querystring.status'].sort(),
    );
  });

  it('is for admins only', async () => {
    await refuses((user) => listUsers(user));
  });
});

describe('PUT /api/users/:userId/role', () => {
  it('changes the role; the user’s existing token carries the new role at once', async () => {
    const student = await createStudent();
    expect((await createCourseAs(student)).status).toBe(403);
    const res = await setRole(admin, student.id, { role: 'instructor' });
    expect(res.status).toBe(200);
    expect(res.body.message).toBe('Role updated successfully');
    expect(Object.keys(res.body.data).sort()).toEqual(ADMIN_ACCOUNT_KEYS);
    expect(res.body.data).toMatchObject({ id: student.id, role: 'instructor', status: 'active' });
    // no new sign-in needed (the bound is 5 s; this instance forgets its cached view at once)
    const { res: created } = await poll(() => createCourseAs(student), (r) => r.status === 201, 6_000);
    expect(created.status).toBe(201);
    expect((await listUsers(admin, { search: student.username })).body.data[0].role).toBe('instructor');

    // the same role again changes nothing and writes no second audit row
    expect((await setRole(admin, student.id, { role: 'instructor' })).status).toBe(200);
    const rows = await auditLog(admin, { action: 'user.role', targetId: student.id });
    expect(rows.body.data).toHaveLength(1);
    expect(rows.body.data[0]).toMatchObject({ before: { role: 'student' }, after: { role: 'instructor' }, actor: { id: admin.id } });
  });

  it('refuses to make a student of an instructor who still teaches (409)', async () => {
    const instructor = await createInstructor();
    await createCourse(instructor);
    const res = await setRole(admin, instructor.id, { role: 'student' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('INSTRUCTOR_HAS_COURSES');
    expect((await listUsers(admin, { search: instructor.username })).body.data[0].role).toBe('instructor');
  });

  it('validates (400), finds the user (404) and is for admins only', async () => {
    const badId = await setRole(admin, 'nope', { role: 'student' });
    expect(badId.status).toBe(400);
    expect(badId.body.details).toEqual({ 'params.userId': 'must be a valid id' });
    for (const body of [{ role: 'superuser' }, {}]) {
      const bad = await setRole(admin, randomUUID(), body);
      expect(bad.status).toBe(400);
      expect(Object.keys(bad.body.details)).toEqual(['body.role']);
    }
    const missing = await setRole(admin, randomUUID(), { role: 'student' });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('USER_NOT_FOUND');
    const target = await createStudent();
    await refuses((user) => setRole(user, target.id, { role: 'admin' }));
    // a student cannot promote themself either
    const self = await setRole(target, target.id, { role: 'admin' });
    expect(self.status).toBe(403);
    expect((await listUsers(admin, { search: target.username })).body.data[0].role).toBe('student');
  });
});

const createCourseAs = (user: TestUser) =>
  api('POST', '/api/courses', {
    token: user.token,
    body: { title: `Course ${uniqueSuffix()}`, description: 'x', thumbnailUrl: 'https://e.com/t.png', category: 'art', difficultyLevel: 'beginner' },
  });

describe('POST /api/users/:userId/suspend and /unsuspend', () => {
  it('ends the user’s tokens within the cache bound, refuses sign-in and refresh; unsuspending restores sign-in', async () => {
    const student = await createStudent();
    const otherDevice = await signIn(student.email, student.password);
    expect((await activity(student, student.id)).status).toBe(200);

    const res = await suspend(admin, student.id, { reason: '  Posting spam  ' });
    expect(res.status).toBe(200);
    expect(res.body.message).toBe('User suspended');
    expect(res.body.data).toMatchObject({
      id: student.id,
      status: 'suspended',
      suspendedAt: expect.stringMatching(ISO),
      suspensionReason: 'Posting spam',
    });

    // existing access tokens stop working within 5 seconds (polled up to 6)
    const { res: refused, elapsedMs } = await poll(() => activity(student, student.id), (r) => r.status === 401, 6_000);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('INVALID_TOKEN');
    expect(elapsedMs).toBeLessThanOrEqual(6_000);
    const other = await api('GET', `/api/users/${student.id}/activity`, { token: otherDevice.accessToken });
    expect(other.status).toBe(401);
    expect((await api('GET', '/api/auth/check', { token: student.token })).body).toEqual({ authenticated: false });

    const signin = await api('POST', '/api/auth/signin', { body: { email: student.email, password: student.password } });
    expect(signin.status).toBe(403);
    expect(signin.body.code).toBe('ACCOUNT_SUSPENDED');
    const refreshed = await api('POST', '/api/auth/refresh', { body: { refreshToken: otherDevice.refreshToken } });
    expect(refreshed.status).toBe(401);

    const listed = await listUsers(admin, { search: student.username, status: 'suspended' });
    expect(listed.body.data.map((u: any) => u.id)).toEqual([student.id]);

    // suspending again changes nothing
    const again = await suspend(admin, student.id);
    expect(again.status).toBe(200);
    expect(again.body.data.suspendedAt).toBe(res.body.data.suspendedAt);
    expect((await auditLog(admin, { action: 'user.suspend', targetId: student.id })).body.data).toHaveLength(1);

    const back = await unsuspend(admin, student.id);
    expect(back.status).toBe(200);
    expect(back.body.message).toBe('User re-activated');
    expect(back.body.data).toMatchObject({ status: 'active', suspendedAt: null, suspensionReason: null });
    const fresh = await signIn(student.email, student.password);
    expect((await api('GET', `/api/users/${student.id}/activity`, { token: fresh.accessToken })).status).toBe(200);
    // the sessions that were ended stay ended
    expect((await activity(student, student.id)).status).toBe(401);
    expect((await unsuspend(admin, student.id)).status).toBe(200);
  });

  it('validates (400), finds the user (404) and is for admins only', async () => {
    expect((await suspend(admin, 'nope')).body.details).toEqual({ 'params.userId': 'must be a valid id' });
    const bad = await suspend(admin, randomUUID(), { reason: 'x'.repeat(501) });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.details)).toEqual(['body.reason']);
    expect((await suspend(admin, randomUUID())).status).toBe(404);
    expect((await unsuspend(admin, randomUUID())).body.code).toBe('USER_NOT_FOUND');
    const target = await createStudent();
    await refuses((user) => suspend(user, target.id));
    await refuses((user) => unsuspend(user, target.id));
    // nothing was suspended by the refused calls
    expect((await activity(target, target.id)).status).toBe(200);
  });
});

describe('the last active admin (own database: its only admin is the test admin)', () => {
  let own: OwnServer;
  beforeAll(async () => {
    own = await ownServer();
  });
  afterAll(async () => {
    await own?.close();
  });

  it('cannot be demoted or suspended (409 LAST_ADMIN); a second active admin makes it possible', async () => {
    const root = await own.account('admin');
    const list = async (query: string) => (await own.call('GET', `/api/users?${query}`, { token: root.token })).body;
    expect((await list('role=admin&status=active')).data.map((u: any) => u.id)).toEqual([root.id]);

    const demote = await own.call('PUT', `/api/users/${root.id}/role`, { token: root.token, body: { role: 'instructor' } });
    expect(demote.status).toBe(409);
    expect(demote.body).toMatchObject({ status: 409, code: 'LAST_ADMIN' });
    const selfSuspend = await own.call('POST', `/api/users/${root.id}/suspend`, { token: root.token });
    expect(selfSuspend.status).toBe(409);
    expect(selfSuspend.body.code).toBe('LAST_ADMIN');

    // a suspended admin does not count as another admin
    const second = await own.account('student');
    expect((await own.call('PUT', `/api/users/${second.id}/role`, { token: root.token, body: { role: 'admin' } })).status).toBe(200);
    expect((await own.call('POST', `/api/users/${second.id}/suspend`, { token: root.token })).status).toBe(200);
    expect((await own.call('PUT', `/api/users/${root.id}/role`, { token: root.token, body: { role: 'student' } })).body.code).toBe(
      'LAST_ADMIN',
    );

    // with a second active admin, the first may step down; then the second is the last
    expect((await own.call('POST', `/api/users/${second.id}/unsuspend`, { token: root.token })).status).toBe(200);
    const secondSession = await own.call('POST', '/api/auth/signin', { body: { email: second.email, password: second.password } });
    const secondToken = secondSession.body.data.accessToken as string;
    const stepDown = await own.call('PUT', `/api/users/${root.id}/role`, { token: root.token, body: { role: 'instructor' } });
    expect(stepDown.status).toBe(200);
    expect(stepDown.body.data.role).toBe('instructor');
    // the former admin's token lost admin rights
    expect((await own.call('GET', '/api/users', { token: root.token })).status).toBe(403);
    const last = await own.call('POST', `/api/users/${second.id}/suspend`, { token: secondToken });
    expect(last.body.code).toBe('LAST_ADMIN');
    expect((await own.call('PUT', `/api/users/${root.id}/role`, { token: secondToken, body: { role: 'admin' } })).status).toBe(200);
    const admins = (await own.call('GET', '/api/users?role=admin&status=active', { token: secondToken })).body.data;
    expect(admins.map((u: any) => u.id).sort()).toEqual([root.id, second.id].sort());
  });

  it('a suspension reaches another instance within its 5-second cache bound', async () => {
    const root = await own.account('admin');
    const student = await own.account('student');
    const other = await own.sibling();
    try {
      const read = (call: OwnServer['call']) => call('GET', `/api/users/${student.id}/activity`, { token: student.token });
      expect((await read(other.call)).status).toBe(200);
      expect((await own.call('POST', `/api/users/${student.id}/suspend`, { token: root.token })).status).toBe(200);
      // the instance that suspended knows at once
      expect((await read(own.call)).status).toBe(401);
      // the other one trusts what it read for a few seconds (no database read per request), then refuses
      expect((await read(other.call)).status).toBe(200);
      const { res, elapsedMs } = await poll(() => read(other.call), (r) => r.status === 401, 6_000);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('INVALID_TOKEN');
      expect(elapsedMs).toBeLessThanOrEqual(6_000);
    } finally {
      await other.close();
    }
  });
});

describe('GET /api/users/:userId/activity', () => {
  it('gives the user their log, newest first, paginated and filtered by type', async () => {
    const { student, course, lessons } = await courseWithStudent({ lessons: 2, assignments: 0 });
    const done = await api('POST', '/api/lessons/complete', { token: student.token, body: { lessonId: lessons[0]!.lessonId } });
    expect([200, 201]).toContain(done.status);

    const res = await activity(student, student.id, { limit: 100 });
    expect(res.status).toBe(200);
    const types = res.body.data.map((a: any) => a.type);
    expect(types[0]).toBe('lesson_completed');
    expect(types).toContain('course_enrolled');
    expect(types.at(-1)).toBe('signed_in');
    const stamps = res.body.data.map((a: any) => Date.parse(a.timestamp));
    expect([...stamps].sort((a, b) => b - a)).toEqual(stamps);
    expect(res.body.data[0]).toEqual({
      activityId: expect.any(String),
      type: 'lesson_completed',
      title: expect.any(String),
      courseId: course.courseId,
      courseTitle: course.title,
      entityId: lessons[0]!.lessonId,
      timestamp: expect.stringMatching(ISO),
    });
    expect(res.body.data.at(-1)).toMatchObject({ type: 'signed_in', courseId: null, courseTitle: null });
    expect(res.body.pagination.totalCount).toBe(res.body.data.length);

    await signIn(student.email, student.password);
    const signIns = await activity(student, student.id, { type: 'signed_in' });
    expect(signIns.body.data.map((a: any) => a.type)).toEqual(['signed_in', 'signed_in']);
    const page = await activity(student, student.id, { limit: 1, page: 2 });
    expect(page.body.data).toHaveLength(1);
    expect(page.body.pagination).toMatchObject({ page: 2, limit: 1, totalCount: res.body.pagination.totalCount + 1, hasPrev: true });

    // admins read anyone's log
    const byAdmin = await activity(admin, student.id, { limit: 100 });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.pagination.totalCount).toBe(res.body.pagination.totalCount + 1);
  });

  it('is refused to other users, the user’s instructor included (403), without a token (401); 404 and 400', async () => {
    const { student, instructor } = await courseWithStudent({ lessons: 1, assignments: 0 });
    const other = await createStudent();
    for (const user of [other, instructor]) {
      const res = await activity(user, student.id);
      expect(res.status, user.role).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN');
    }
    expect((await activity(undefined, student.id)).status).toBe(401);
    // non-admins learn nothing about whether an id exists
    expect((await activity(other, randomUUID())).status).toBe(403);
    const missing = await activity(admin, randomUUID());
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('USER_NOT_FOUND');
    const bad = await activity(student, student.id, { type: 'browsing', limit: 0 });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.details).sort()).toEqual(['querystring.limit', 'querystring.type']);
    expect((await activity(admin, 'nope')).status).toBe(400);
  });
});

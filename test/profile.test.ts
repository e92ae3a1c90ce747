import { describe, expect, it } from 'vitest';
import {
  api,
  createInstructor,
  createStudent,
  signIn,
  signInAdmin,
  type TestUser,
  uniqueSuffix,
} from './support/api.js';

const PROFILE_USER_KEYS = [
  'id',
  'firstName',
  'lastName',
  'email',
  'username',
  'weeklyLearningGoal',
  'role',
  'avatarUrl',
  'notificationPreference',
  'preferredStudyTime',
  'currentStreak',
  'createdAt',
  'updatedAt',
  'emailVerified',
].sort();

const updateProfile = (user: TestUser, body: Record<string, unknown>) =>
  api('PUT', '/api/profile/update', { token: user.token, body });
const readProfile = (viewer: TestUser, userId: string) => api('GET', `/api/users/${userId}/profile`, { token: viewer.token });
const refresh = (refreshToken: string) => api('POST', '/api/auth/refresh', { body: { refreshToken } });

describe('PUT /api/profile/update', () => {
  it("updates name, email, username and weekly goal and answers with the spec's user", async () => {
    const student = await createStudent();
    const before = (await readProfile(student, student.id)).body;
    const suffix = uniqueSuffix();
    const res = await updateProfile(student, {
      userId: student.id,
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: `Ada-${suffix}@Test.Skilled`,
      username: `ada_${suffix}`,
      weeklyLearningGoal: 600,
      currentPassword: student.password,
    });
    expect(res.status).toBe(200);
    expect(res.body.message).toBe('Profile updated successfully');
    expect(Object.keys(res.body).sort()).toEqual(['message', 'user']);
    expect(Object.keys(res.body.user).sort()).toEqual(PROFILE_USER_KEYS);
    expect(res.body.user).toEqual({
      id: student.id,
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: `ada-${suffix}@test.skilled`,
      username: `ada_${suffix}`,
      weeklyLearningGoal: 600,
      role: 'student',
      avatarUrl: before.avatarUrl,
      notificationPreference: true,
      preferredStudyTime: 'morning',
      currentStreak: 0,
      createdAt: before.createdAt,
      updatedAt: expect.any(String),
      emailVerified: false,
    });
    expect(new Date(res.body.user.updatedAt).getTime()).toBeGreaterThan(new Date(before.updatedAt).getTime());
    expect(JSON.stringify(res.body)).not.toMatch(/password|argon2/i);

    // read back, and the new email signs in
    const after = await readProfile(student, student.id);
    expect(after.body).toMatchObject({
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: `ada-${suffix}@test.skilled`,
      username: `ada_${suffix}`,
      weeklyLearningGoal: 600,
      updatedAt: res.body.user.updatedAt,
    });
    expect((await signIn(`ada-${suffix}@test.skilled`, student.password)).user.id).toBe(student.id);
    expect((await api('POST', '/api/auth/signin', { body: { email: student.email, password: student.password } })).status).toBe(401);
  });

  it('changes only the fields sent; userId may be left out', async () => {
    const student = await createStudent();
    const res = await updateProfile(student, { lastName: 'Only' });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({
      id: student.id,
      firstName: student.firstName,
      lastName: 'Only',
      email: student.email,
      username: student.username,
      weeklyLearningGoal: 300,
    });
  });

  it('ignores role, streak, id and other fields it does not own (no mass assignment)', async () => {
    const student = await createStudent();
    const other = await createStudent();
    const res = await updateProfile(student, {
      firstName: 'Sneaky',
      role: 'admin',
      id: other.id,
      currentStreak: 99,
      longestStreak: 99,
      status: 'suspended',
      passwordHash: 'x',
      avatarUrl: 'https://evil.example/a.png',
    });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: student.id, firstName: 'Sneaky', role: 'student', currentStreak: 0, avatarUrl: '' });
    const check = await api('GET', '/api/auth/check', { token: (await signIn(student.email, student.password)).accessToken });
    expect(check.body.user).toMatchObject({ id: student.id, role: 'student' });
    // the other account is untouched
    expect((await readProfile(other, other.id)).body.firstName).toBe(other.firstName);
  });

  it('refuses an email or username held by another account with 409, whatever the case', async () => {
    const student = await createStudent();
    const other = await createStudent();
    const email = await updateProfile(student, { email: other.email.toUpperCase(), currentPassword: student.password });
    expect(email.status).toBe(409);
    expect(email.body).toMatchObject({ status: 409, code: 'EMAIL_TAKEN' });
    const username = await updateProfile(student, { username: other.username.toUpperCase() });
    expect(username.status).toBe(409);
    expect(username.body).toMatchObject({ status: 409, code: 'USERNAME_TAKEN' });
    // nothing changed
    const after = await readProfile(student, student.id);
    expect(after.body).toMatchObject({ email: student.email, username: student.username });
    // the caller's own email and username, in another case, are fine
    const own = await updateProfile(student, { email: student.email.toUpperCase(), username: student.username.toUpperCase() });
    expect(own.status).toBe(200);
    expect(own.body.user).toMatchObject({ email: student.email, username: student.username.toUpperCase() });
  });

  it('validates the body field by field', async () => {
    const student = await createStudent();
    const res = await updateProfile(student, {
      email: 'not-an-email',
      username: 'a b',
      weeklyLearningGoal: 10081,
      newPassword: 'short',
      firstName: '',
      userId: 'nope',
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, code: 'VALIDATION_ERROR' });
    expect(Object.keys(res.body.details).sort()).toEqual(
      ['body.email', 'body.firstName', 'body.newPassword', 'body.userId', 'body.username', 'body.weeklyLearningGoal'].sort(),
    );
    for (const weeklyLearningGoal of [-1, 1.5, '60']) {
      const goal = await updateProfile(student, { weeklyLearningGoal });
      expect(goal.status).toBe(400);
      expect(Object.keys(goal.body.details)).toEqual(['body.weeklyLearningGoal']);
    }
    // the boundaries are accepted
    expect((await updateProfile(student, { weeklyLearningGoal: 0 })).body.user.weeklyLearningGoal).toBe(0);
    expect((await updateProfile(student, { weeklyLearningGoal: 10080 })).body.user.weeklyLearningGoal).toBe(10080);
  });

  it('needs a token (401) and the caller or an admin as userId (403)', async () => {
    const student = await createStudent();
    const other = await createStudent();
    const anonymous = await api('PUT', '/api/profile/update', { body: { firstName: 'X' } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('UNAUTHENTICATED');
    const forOther = await updateProfile(student, { userId: other.id, firstName: 'Hacked' });
    expect(forOther.status).toBe(403);
    expect(forOther.body.code).toBe('FORBIDDEN');
    expect((await readProfile(other, other.id)).body.firstName).toBe(other.firstName);
  });

  it('lets instructors edit their profile and admins edit anyone (404 for an unknown user)', async () => {
    const instructor = await createInstructor();
    const own = await updateProfile(instructor, { firstName: 'Prof' });
    expect(own.status).toBe(200);
    expect(own.body.user).toMatchObject({ id: instructor.id, firstName: 'Prof', role: 'instructor' });

    const admin = await signInAdmin();
    const student = await createStudent();
    const forStudent = await updateProfile(admin, { userId: student.id, firstName: 'Renamed' });
    expect(forStudent.status).toBe(200);
    expect(forStudent.body.user).toMatchObject({ id: student.id, firstName: 'Renamed', role: 'student' });
    expect((await readProfile(student, student.id)).body.firstName).toBe('Renamed');

    const unknown = await updateProfile(admin, { userId: '00000000-0000-4000-8000-000000000000', firstName: 'Ghost' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('USER_NOT_FOUND');
  });
});

describe('PUT /api/profile/update: changing the password', () => {
  it('needs the current password: 400 when missing, 403 when wrong, and nothing changes', async () => {
    const student = await createStudent();
    const missing = await updateProfile(student, { newPassword: 'Brand-new-pass-1', firstName: 'Changed' });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({
      status: 400,
      code: 'VALIDATION_ERROR',
      details: { 'body.currentPassword': 'is required to change the password' },
    });
    const wrong = await updateProfile(student, { currentPassword: 'Not-my-password-1', newPassword: 'Brand-new-pass-1', firstName: 'Changed' });
    expect(wrong.status).toBe(403);
    expect(wrong.body).toMatchObject({ status: 403, code: 'WRONG_PASSWORD' });
    expect(wrong.body.error).toMatch(/current password/i);
    // the old password still works, and the other fields of the refused requests were not applied
    expect((await signIn(student.email, student.password)).user.id).toBe(student.id);
    expect((await readProfile(student, student.id)).body.firstName).toBe(student.firstName);
  });

  it('with the right current password: the new one signs in, the old does not, other sessions end', async () => {
    const student = await createStudent();
    const otherDevice = await signIn(student.email, student.password);
    const newPassword = 'Brand-new-pass-1';
    const res = await updateProfile(student, { currentPassword: student.password, newPassword });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.user).sort()).toEqual(PROFILE_USER_KEYS);

    expect((await api('POST', '/api/auth/signin', { body: { email: student.email, password: student.password } })).status).toBe(401);
    expect((await signIn(student.email, newPassword)).user.id).toBe(student.id);
    // the other device's session is over; the session that made the change goes on
    const otherRefresh = await refresh(otherDevice.refreshToken);
    expect(otherRefresh.status).toBe(401);
    expect(otherRefresh.body.code).toBe('INVALID_REFRESH_TOKEN');
    expect((await refresh(student.refreshToken)).status).toBe(200);
  });

  it("an admin changes another user's password by confirming the admin's own password", async () => {
    const admin = await signInAdmin();
    const student = await createStudent();
    const wrong = await updateProfile(admin, { userId: student.id, currentPassword: student.password, newPassword: 'Reset-by-admin-1' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.code).toBe('WRONG_PASSWORD');
    const res = await updateProfile(admin, { userId: student.id, currentPassword: admin.password, newPassword: 'Reset-by-admin-1' });
    expect(res.status).toBe(200);
    expect((await signIn(student.email, 'Reset-by-admin-1')).user.id).toBe(student.id);
    // every session of the student ends; the admin's own goes on
    expect((await refresh(student.refreshToken)).status).toBe(401);
    expect((await refresh(admin.refreshToken)).status).toBe(200);
  });
});

describe('PUT /api/profile/preferences', () => {
  it("updates the preferences and answers with the spec's user", async () => {
    const student = await createStudent();
    const res = await api('PUT', '/api/profile/preferences', {
      token: student.token,
      body: { userId: student.id, notificationPreference: false, preferredStudyTime: 'night', weeklyLearningGoal: 120 },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      message: 'Preferences updated successfully',
      user: { id: student.id, notificationPreference: false, preferredStudyTime: 'night', weeklyLearningGoal: 120 },
    });
    const after = await readProfile(student, student.id);
    expect(after.body).toMatchObject({ notificationPreference: false, preferredStudyTime: 'night', weeklyLearningGoal: 120 });

    // a partial update keeps the rest
    const partial = await api('PUT', '/api/profile/preferences', {
      token: student.token,
      body: { userId: student.id, preferredStudyTime: 'afternoon' },
    });
    expect(partial.body.user).toEqual({ id: student.id, notificationPreference: false, preferredStudyTime: 'afternoon', weeklyLearningGoal: 120 });
  });

  it('refuses an unknown study time, an out-of-range goal, a non-boolean and a missing userId with 400', async () => {
    const student = await createStudent();
    const put = (body: Record<string, unknown>) => api('PUT', '/api/profile/preferences', { token: student.token, body });
    const badEnum = await put({ userId: student.id, preferredStudyTime: 'noon' });
    expect(badEnum.status).toBe(400);
    expect(badEnum.body.code).toBe('VALIDATION_ERROR');
    expect(Object.keys(badEnum.body.details)).toEqual(['body.preferredStudyTime']);
    for (const weeklyLearningGoal of [-5, 10081, 2.5]) {
      const range = await put({ userId: student.id, weeklyLearningGoal });
      expect(range.status).toBe(400);
      expect(Object.keys(range.body.details)).toEqual(['body.weeklyLearningGoal']);
    }
    const notBoolean = await put({ userId: student.id, notificationPreference: 'yes' });
    expect(Object.keys(notBoolean.body.details)).toEqual(['body.notificationPreference']);
    const noUser = await put({ preferredStudyTime: 'night' });
    expect(noUser.status).toBe(400);
    expect(noUser.body.details).toEqual({ 'body.userId': 'is required' });
    // nothing changed
    expect((await readProfile(student, student.id)).body).toMatchObject({ preferredStudyTime: 'morning', weeklyLearningGoal: 300 });
  });

  it("401 without a token, 403 for another user's id; an admin may set anyone's, 404 for an unknown user", async () => {
    const student = await createStudent();
    const other = await createStudent();
    expect((await api('PUT', '/api/profile/preferences', { body: { userId: student.id } })).status).toBe(401);
    const forOther = await api('PUT', '/api/profile/preferences', {
      token: student.token,
      body: { userId: other.id, preferredStudyTime: 'night' },
    });
    expect(forOther.status).toBe(403);
    expect(forOther.body.code).toBe('FORBIDDEN');
    expect((await readProfile(other, other.id)).body.preferredStudyTime).toBe('morning');

    const admin = await signInAdmin();
    const byAdmin = await api('PUT', '/api/profile/preferences', {
      token: admin.token,
      body: { userId: other.id, preferredStudyTime: 'evening' },
    });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.user).toMatchObject({ id: other.id, preferredStudyTime: 'evening' });
    const unknown = await api('PUT', '/api/profile/preferences', {
      token: admin.token,
      body: { userId: '00000000-0000-4000-8000-000000000000', preferredStudyTime: 'evening' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('USER_NOT_FOUND');
  });
});

describe('POST /api/profile/check-username', () => {
  const check = (username: unknown, token?: string) => api('POST', '/api/profile/check-username', { token, body: { username } });

  it('says whether a username is free, case-insensitively', async () => {
    const student = await createStudent();
    const free = `free_${uniqueSuffix()}`;
    expect((await check(free)).body).toEqual({ data: { username: free, available: true } });
    const taken = await check(student.username.toUpperCase());
    expect(taken.status).toBe(200);
    expect(taken.body).toEqual({ data: { username: student.username.toUpperCase(), available: false } });
  });

  it("counts the signed-in caller's own username as available to them only", async () => {
    const student = await createStudent();
    const other = await createStudent();
    expect((await check(student.username, student.token)).body.data.available).toBe(true);
    expect((await check(student.username, other.token)).body.data.available).toBe(false);
    // a stale token on a public form is ignored, not refused
    expect((await check(student.username, 'not.a.jwt')).status).toBe(200);
  });

  it('validates the username format with 400', async () => {
    for (const username of ['ab', 'has space', 'x'.repeat(31), 'bad/char', 42]) {
      const res = await check(username);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_ERROR');
      expect(Object.keys(res.body.details)).toEqual(['body.username']);
    }
    const missing = await api('POST', '/api/profile/check-username', { body: {} });
    expect(missing.body.details).toEqual({ 'body.username': 'is required' });
  });

  it('follows a change of username', async () => {
    const student = await createStudent();
    const other = await createStudent();
    const renamed = `renamed_${uniqueSuffix()}`;
    expect((await updateProfile(student, { username: renamed })).status).toBe(200);
    expect((await check(renamed, other.token)).body.data.available).toBe(false);
    expect((await check(student.username, other.token)).body.data.available).toBe(true);
  });
});

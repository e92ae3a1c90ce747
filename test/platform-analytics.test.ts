import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createInstructor, createStudent, signInAdmin, type TestUser } from './support/api.js';
import { type OwnServer, ownServer } from './support/admin.js';

const DAY = 86_400_000;
/** `YYYY-MM-DD` (UTC) of `n` days ago. */
const day = (n: number) => new Date(Date.now() - n * DAY).toISOString().slice(0, 10);

const CATEGORIES = ['programming', 'design', 'business', 'marketing', 'science', 'language', 'music', 'art', 'other'];

describe('GET /api/admin/analytics: exact figures (own database, backdated rows)', () => {
  let own: OwnServer;
  let admin: TestUser;
  const course: Record<'c1' | 'c2' | 'c3', string> = { c1: '', c2: '', c3: '' };

  const ok = async (res: Promise<{ status: number; body: any }>, ...statuses: number[]) => {
    const done = await res;
    if (!(statuses.length ? statuses : [200]).includes(done.status)) throw new Error(`${done.status} ${JSON.stringify(done.body)}`);
    return done.body;
  };
  const analytics = (query = '') => ok(own.call('GET', `/api/admin/analytics${query}`, { token: admin.token }));

  beforeAll(async () => {
    own = await ownServer();
    admin = await own.account('admin');
    const [i1, i2] = [await own.account('instructor'), await own.account('instructor')];
    const [s1, s2, s3, s4] = [
      await own.account('student'),
      await own.account('student'),
      await own.account('student'),
      await own.account('student'),
    ];
    const newCourse = async (by: TestUser, title: string, category: string) =>
      (
        await ok(
          own.call('POST', '/api/courses', {
            token: by.token,
            body: { title, description: 'd', thumbnailUrl: 'https://e.com/t.png', category, difficultyLevel: 'beginner' },
          }),
          201,
        )
      ).data.courseId as string;
    course.c1 = await newCourse(i1, 'Alpha programming', 'programming');
    course.c2 = await newCourse(i2, 'Bravo art', 'art');
    course.c3 = await newCourse(i1, 'Charlie science', 'science');
    const lesson = async (courseId: string) =>
      (await ok(own.call('POST', `/api/courses/${courseId}/lessons`, { token: admin.token, body: { title: 'L', estimatedTime: 5 } }), 201)).data
        .lessonId as string;
    const assignment = async (courseId: string, points: number) =>
      (await ok(own.call('POST', '/api/assignments', { token: admin.token, body: { courseId, title: 'A', points } }), 201)).data
        .assignmentId as string;
    const l1 = await lesson(course.c1);
    await lesson(course.c2);
    const a2 = await assignment(course.c2, 50);
    const a3 = await assignment(course.c3, 100);

    const enroll = (student: TestUser, courseId: string) => ok(own.call('POST', `/api/courses/${courseId}/enroll`, { token: student.token }), 201);
    const complete = (student: TestUser, lessonId: string) =>
      ok(own.call('POST', '/api/lessons/complete', { token: student.token, body: { lessonId } }), 201);
    const submitAndGrade = async (student: TestUser, assignmentId: string, grade: number) => {
      const submitted = await ok(
        own.call('POST', '/api/assignments/submit', { token: student.token, body: { assignmentId, submissionContent: 'work' } }),
        201,
      );
      await ok(own.call('POST', `/api/assignments/${assignmentId}/grade`, { token: admin.token, body: { submissionId: submitted.data.submissionId, grade, feedback: 'ok' } }));
    };
    const rate = (student: TestUser, courseId: string, rating: number) =>
      ok(own.call('POST', `/api/courses/${courseId}/ratings`, { token: student.token, body: { rating } }), 200, 201);

    await enroll(s1, course.c1);
    await complete(s1, l1); // completes C1 (one lesson, nothing else)
    await enroll(s1, course.c2);
    await submitAndGrade(s1, a2, 40); // 40/50 in art; C2 still has a lesson to do
    await enroll(s2, course.c1);
    await complete(s2, l1);
    await enroll(s2, course.c3);
    await submitAndGrade(s2, a3, 55); // 55/100 in science; completes C3
    await enroll(s3, course.c1);
    await complete(s3, l1);
    await rate(s1, course.c1, 5);
    await rate(s2, course.c1, 4);
    await rate(s1, course.c2, 3);
    await rate(s2, course.c3, 5);
    await ok(own.call('POST', `/api/users/${s4.id}/suspend`, { token: admin.token }));

    // History that cannot be made through the API.
    const db = own.database.db;
    await db.execute(sql`update course_enrollments set enrolled_at = now() - interval '3 days', completed_at = now() - interval '2 days'
      where student_id = ${s2.id} and course_id = ${course.c1}`);
    await db.execute(sql`update course_enrollments set enrolled_at = now() - interval '40 days', completed_at = now() - interval '35 days'
      where student_id = ${s3.id}`);
    await db.execute(sql`update activities set created_at = now() - interval '10 days' where user_id = ${s3.id}`);
    await db.execute(sql`update activities set created_at = now() - interval '40 days' where user_id = ${i2.id}`);
    await db.execute(sql`update activities set created_at = now() - interval '3 days' where user_id = ${s4.id}`);
  });

  afterAll(async () => {
    await own?.close();
  });

  it('answers the last 30 days by default with exact counts', async () => {
    const { data } = await analytics();
    expect(data.range).toEqual({ from: `${day(29)}T00:00:00.000Z`, to: `${day(-1)}T00:00:00.000Z` });
    expect(data.users).toEqual({
      total: 7,
      byRole: { student: 4, instructor: 2, admin: 1 },
      byStatus: { active: 6, suspended: 1 },
      registeredInRange: 7,
    });
    // today: the admin, the first instructor and two students; 3 days ago: the suspended student;
    // 10 days ago: the third student; the second instructor only 40 days ago
    expect(data.activeUsers).toEqual({ daily: 4, weekly: 5, monthly: 6 });

    expect(data.enrollments.enrollments).toBe(4);
    expect(data.enrollments.completions).toBe(3);
    expect(data.enrollments.daily).toHaveLength(30);
    expect(data.enrollments.daily[0]).toEqual({ date: day(29), enrollments: 0, completions: 0 });
    expect(data.enrollments.daily.at(-1)).toEqual({ date: day(0), enrollments: 3, completions: 2 });
    const nonZero = data.enrollments.daily.filter((d: any) => d.enrollments || d.completions);
    expect(nonZero).toEqual([
      { date: day(3), enrollments: 1, completions: 0 },
      { date: day(2), enrollments: 0, completions: 1 },
      { date: day(0), enrollments: 3, completions: 2 },
    ]);

    expect(data.completionRates).toEqual([
      { courseId: course.c1, title: 'Alpha programming', category: 'programming', enrollments: 2, completions: 2, completionRate: 100 },
      { courseId: course.c3, title: 'Charlie science', category: 'science', enrollments: 1, completions: 1, completionRate: 100 },
      { courseId: course.c2, title: 'Bravo art', category: 'art', enrollments: 1, completions: 0, completionRate: 0 },
    ]);
    expect(data.topCourses.byEnrollments.map((c: any) => [c.courseId, c.enrollments])).toEqual([
      [course.c1, 2],
      [course.c3, 1],
      [course.c2, 1],
    ]);
    expect(data.topCourses.byRating).toEqual([
      { courseId: course.c3, title: 'Charlie science', category: 'science', averageRating: 5, ratingCount: 1 },
      { courseId: course.c1, title: 'Alpha programming', category: 'programming', averageRating: 4.5, ratingCount: 2 },
      { courseId: course.c2, title: 'Bravo art', category: 'art', averageRating: 3, ratingCount: 1 },
    ]);

    // (40 + 55) / (50 + 100)
    expect(data.grades.overall).toEqual({ averagePercentage: 63.3, gradedItems: 2 });
    expect(data.grades.byCategory.map((c: any) => c.category)).toEqual(CATEGORIES);
    expect(data.grades.byCategory.filter((c: any) => c.gradedItems)).toEqual([
      { category: 'science', averagePercentage: 55, gradedItems: 1 },
      { category: 'art', averagePercentage: 80, gradedItems: 1 },
    ]);
    expect(data.grades.byCategory.find((c: any) => c.category === 'music')).toEqual({ category: 'music', averagePercentage: null, gradedItems: 0 });
  });

  it('scopes the series, the cohorts and the grades to from/to', async () => {
    const { data } = await analytics(`?from=${day(3)}&to=${day(2)}`);
    expect(data.range).toEqual({ from: `${day(3)}T00:00:00.000Z`, to: `${day(1)}T00:00:00.000Z` });
    expect(data.enrollments).toEqual({
      enrollments: 1,
      completions: 1,
      daily: [
        { date: day(3), enrollments: 1, completions: 0 },
        { date: day(2), enrollments: 0, completions: 1 },
      ],
    });
    expect(data.completionRates.map((c: any) => [c.courseId, c.enrollments, c.completions])).toEqual([[course.c1, 1, 1]]);
    expect(data.grades.overall).toEqual({ averagePercentage: null, gradedItems: 0 });
    expect(data.users.registeredInRange).toBe(0);
    // the active users are counted as of now, whatever the range
    expect(data.activeUsers).toEqual({ daily: 4, weekly: 5, monthly: 6 });

    const wide = (await analytics(`?from=${day(45)}`)).data;
    expect(wide.enrollments.daily).toHaveLength(46);
    expect(wide.enrollments).toMatchObject({ enrollments: 5, completions: 4 });
    expect(wide.completionRates[0]).toMatchObject({ courseId: course.c1, enrollments: 3, completions: 3, completionRate: 100 });
    // an exact time as a bound
    const sinceYesterday = (await analytics(`?from=${new Date(Date.now() - DAY).toISOString()}`)).data;
    expect(sinceYesterday.enrollments).toMatchObject({ enrollments: 3, completions: 2 });
    expect(sinceYesterday.enrollments.daily.map((d: any) => d.date)).toEqual([day(1), day(0)]);
  });
});

describe('GET /api/admin/analytics: who may ask, and validation', () => {
  it('answers admins; refuses students and instructors (403) and anonymous callers (401)', async () => {
    const res = await api('GET', '/api/admin/analytics', { token: (await signInAdmin()).token });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.data).sort()).toEqual(['activeUsers', 'completionRates', 'enrollments', 'grades', 'range', 'topCourses', 'users']);
    expect(res.body.data.enrollments.daily).toHaveLength(30);
    expect(res.body.data.completionRates.length).toBeLessThanOrEqual(20);
    expect(res.body.data.topCourses.byRating.length).toBeLessThanOrEqual(10);
    for (const user of [await createStudent(), await createInstructor()]) {
      const refused = await api('GET', '/api/admin/analytics', { token: user.token });
      expect(refused.status, user.role).toBe(403);
      expect(refused.body.code).toBe('FORBIDDEN');
    }
    expect((await api('GET', '/api/admin/analytics')).status).toBe(401);
  });

  it('refuses bad ranges with 400', async () => {
    const admin = await signInAdmin();
    const get = (query: Record<string, string>) => api('GET', '/api/admin/analytics', { token: admin.token, query });
    expect((await get({ from: 'last week' })).body.details).toEqual({ 'querystring.from': 'must be a date (YYYY-MM-DD) or an ISO 8601 date-time' });
    expect((await get({ from: '2026-03-02', to: '2026-03-01' })).body.details).toEqual({ 'querystring.to': 'must be after from' });
    const long = await get({ from: '2024-01-01', to: '2025-06-01' });
    expect(long.status).toBe(400);
    expect(long.body.details).toEqual({ 'querystring.to': 'must be at most 366 days after from' });
  });
});

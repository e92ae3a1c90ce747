import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, courseWithStudent, createInstructor, createStudent, signInAdmin } from './support/api.js';
import { ISO, type OwnServer, ownServer } from './support/admin.js';
import type { TestUser } from './support/api.js';

const DAY = 86_400_000;

const atRisk = (user: TestUser | undefined, courseId: string, query: Record<string, string | number> = {}) =>
  api('GET', `/api/courses/${courseId}/at-risk`, { token: user?.token, query });

describe('GET /api/courses/:courseId/at-risk: a crafted course (own database, backdated rows)', () => {
  let own: OwnServer;
  let instructor: TestUser;
  let courseId: string;
  const students: Record<string, TestUser> = {};

  const ok = async (res: Promise<{ status: number; body: any }>, status = 200) => {
    const done = await res;
    if (done.status !== status) throw new Error(`${done.status} ${JSON.stringify(done.body)}`);
    return done.body;
  };
  const read = (query = '') => ok(own.call('GET', `/api/courses/${courseId}/at-risk${query}`, { token: instructor.token }));

  beforeAll(async () => {
    own = await ownServer();
    instructor = await own.account('instructor');
    const course = await ok(
      own.call('POST', '/api/courses', {
        token: instructor.token,
        body: { title: 'Risky course', description: 'd', thumbnailUrl: 'https://e.com/t.png', category: 'science', difficultyLevel: 'beginner' },
      }),
      201,
    );
    courseId = course.data.courseId;
    const lessonIds: string[] = [];
    for (let i = 1; i <= 4; i++) {
      const lesson = await ok(
        own.call('POST', `/api/courses/${courseId}/lessons`, { token: instructor.token, body: { title: `Lesson ${i}`, estimatedTime: 10 } }),
        201,
      );
      lessonIds.push(lesson.data.lessonId);
    }
    // good: on track; inactive: did the work, then nothing for 10 days; struggling: nothing at all since
    // enrolling 20 days ago; lowGrades: on track but graded 40/100; newcomer: enrolled today, after the
    // first deadline; withdrawn: left the course
    const names = { good: 'Alpha', inactive: 'Bravo', struggling: 'Charlie', lowGrades: 'Delta', newcomer: 'Echo', withdrawn: 'Foxtrot' };
    for (const [key, lastName] of Object.entries(names)) {
      students[key] = await own.account('student', { lastName });
      await ok(own.call('POST', `/api/courses/${courseId}/enroll`, { token: students[key]!.token }), 201);
    }
    const pastDue = await ok(
      own.call('POST', '/api/assignments', {
        token: instructor.token,
        body: { courseId, title: 'Past due', points: 100, dueDate: new Date(Date.now() - 3 * DAY).toISOString() },
      }),
      201,
    );
    await ok(
      own.call('POST', '/api/assignments', {
        token: instructor.token,
        body: { courseId, title: 'Later', points: 100, dueDate: new Date(Date.now() + 7 * DAY).toISOString() },
      }),
      201,
    );
    const grades: Record<string, number> = { good: 90, inactive: 80, lowGrades: 40 };
    for (const [key, grade] of Object.entries(grades)) {
      const student = students[key]!;
      for (const lessonId of lessonIds.slice(0, 3)) {
        await ok(own.call('POST', '/api/lessons/complete', { token: student.token, body: { lessonId } }), 201);
      }
      const submitted = await ok(
        own.call('POST', '/api/assignments/submit', {
          token: student.token,
          body: { assignmentId: pastDue.data.assignmentId, submissionContent: 'work' },
        }),
        201,
      );
      await ok(
        own.call('POST', `/api/assignments/${pastDue.data.assignmentId}/grade`, {
          token: instructor.token,
          body: { submissionId: submitted.data.submissionId, grade, feedback: 'ok' },
        }),
      );
    }
    await ok(own.call('DELETE', `/api/courses/${courseId}/enroll`, { token: students.withdrawn!.token }));

    // History that cannot be made through the API: enrolled 20 days ago; the inactive student's
    // activity 10 days ago, the struggling student's (their enrolment) 20 days ago.
    const db = own.database.db;
    const ids = (keys: string[]) => sql.join(keys.map((k) => sql`${students[k]!.id}::uuid`), sql`, `);
    await db.execute(sql`update course_enrollments set enrolled_at = now() - interval '20 days'
      where course_id = ${courseId} and student_id in (${ids(['good', 'inactive', 'struggling', 'lowGrades', 'withdrawn'])})`);
    await db.execute(sql`update activities set created_at = now() - interval '10 days'
      where course_id = ${courseId} and user_id = ${students.inactive!.id}`);
    await db.execute(sql`update activities set created_at = now() - interval '20 days'
      where course_id = ${courseId} and user_id = ${students.struggling!.id}`);
  });

  afterAll(async () => {
    await own?.close();
  });

  it('lists the students at risk with their reasons and progress, most reasons first', async () => {
    const body = await read();
    expect(body.course).toEqual({ courseId, title: 'Risky course' });
    // 6 items (4 lessons, 2 assignments); three students did 4 of them: 66%; the median of 66, 66, 66, 0, 0
    expect(body.criteria).toEqual({ inactiveDays: 7, gradeThreshold: 60, medianCompletion: 66, behindPaceMargin: 25, enrolledStudents: 5 });
    expect(body.pagination).toEqual({ page: 1, limit: 10, totalCount: 4, totalPages: 1, hasNext: false, hasPrev: false });
    expect(body.data.map((s: any) => [s.student.lastName, s.reasons.map((r: any) => r.code)])).toEqual([
      ['Charlie', ['inactive', 'missed_due_dates', 'behind_pace']],
      ['Echo', ['behind_pace']],
      ['Bravo', ['inactive']],
      ['Delta', ['low_grades']],
    ]);
    const [struggling, newcomer, inactive, lowGrades] = body.data;
    expect(struggling).toEqual({
      student: {
        id: students.struggling!.id,
        firstName: students.struggling!.firstName,
        lastName: 'Charlie',
        username: students.struggling!.username,
      },
      enrolledAt: expect.stringMatching(ISO),
      lastActivityAt: expect.stringMatching(ISO),
      progress: {
        totalLessons: 4,
        completedLessons: 0,
        totalAssignments: 2,
        completedAssignments: 0,
        totalQuizzes: 0,
        completedQuizzes: 0,
        completionPercentage: 0,
      },
      averageGrade: null,
      missedAssignments: 1,
      reasons: [
        { code: 'inactive', detail: 'No activity in the course for 20 days' },
        { code: 'missed_due_dates', detail: '1 assignment past due without a submission' },
        { code: 'behind_pace', detail: '0% complete, 66 points below the class median of 66%' },
      ],
    });
    expect(Date.now() - Date.parse(struggling.enrolledAt)).toBeGreaterThan(19 * DAY);
    // the first deadline passed before the newcomer enrolled: not held against them
    expect(newcomer).toMatchObject({ missedAssignments: 0, averageGrade: null, progress: { completionPercentage: 0 } });
    expect(inactive).toMatchObject({
      averageGrade: 80,
      progress: { completedLessons: 3, completedAssignments: 1, completionPercentage: 66, lastActivity: expect.stringMatching(ISO) },
      reasons: [{ code: 'inactive', detail: 'No activity in the course for 10 days' }],
    });
    expect(lowGrades).toMatchObject({ averageGrade: 40, reasons: [{ code: 'low_grades', detail: 'Average grade 40% is below 60%' }] });
  });

  it('applies the thresholds given, and pages', async () => {
    const relaxed = await read('?inactiveDays=15&gradeThreshold=30');
    expect(relaxed.criteria).toMatchObject({ inactiveDays: 15, gradeThreshold: 30 });
    expect(relaxed.data.map((s: any) => [s.student.lastName, s.reasons.map((r: any) => r.code)])).toEqual([
      ['Charlie', ['inactive', 'missed_due_dates', 'behind_pace']],
      ['Echo', ['behind_pace']],
    ]);
    const strict = await read('?inactiveDays=0.5&gradeThreshold=85');
    expect(strict.data.map((s: any) => s.student.lastName)).toEqual(['Charlie', 'Bravo', 'Echo', 'Delta']);
    expect(strict.data[1].reasons.map((r: any) => r.code)).toEqual(['inactive', 'low_grades']);
    const page = await read('?limit=3&page=2');
    expect(page.data.map((s: any) => s.student.lastName)).toEqual(['Delta']);
    expect(page.pagination).toEqual({ page: 2, limit: 3, totalCount: 4, totalPages: 2, hasNext: false, hasPrev: true });
  });

  it('forgets a student once they leave the course', async () => {
    expect((await read('?limit=100')).data.map((s: any) => s.student.id)).not.toContain(students.withdrawn!.id);
  });
});

describe('GET /api/courses/:courseId/at-risk: who may ask', () => {
  it('answers the course’s instructor and admins; refuses other instructors and students (403), anonymous (401)', async () => {
    const { instructor, course, student } = await courseWithStudent({ lessons: 1, assignments: 0 });
    for (const user of [instructor, await signInAdmin()]) {
      const res = await atRisk(user, course.courseId);
      expect(res.status, user.role).toBe(200);
      expect(res.body.criteria.enrolledStudents).toBe(1);
      // a student who enrolled a moment ago, with nothing done, in a class of one: not at risk
      expect(res.body.data).toEqual([]);
    }
    for (const user of [await createInstructor(), student, await createStudent()]) {
      const res = await atRisk(user, course.courseId);
      expect(res.status, user.role).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN');
    }
    expect((await atRisk(undefined, course.courseId)).status).toBe(401);
  });

  it('404 for an unknown course, 400 for bad parameters', async () => {
    const admin = await signInAdmin();
    const missing = await atRisk(admin, randomUUID());
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('COURSE_NOT_FOUND');
    expect((await atRisk(admin, 'nope')).body.details).toEqual({ 'params.courseId': 'must be a valid id' });
    const bad = await atRisk(admin, randomUUID(), { inactiveDays: 0, gradeThreshold: 101, limit: 0 });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.details).sort()).toEqual(['querystring.gradeThreshold', 'querystring.inactiveDays', 'querystring.limit']);
    expect((await atRisk(admin, randomUUID(), { inactiveDays: 'week' })).status).toBe(400);
  });
});

import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  api,
  createAssignment,
  createCourse,
  createInstructor,
  createLesson,
  createStudent,
  enroll,
  signInAdmin,
  type TestUser,
} from './support/api.js';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const enrollRequest = (user: TestUser | undefined, courseId: string) =>
  api('POST', `/api/courses/${courseId}/enroll`, { token: user?.token });

async function profileOf(user: TestUser) {
  const res = await api('GET', `/api/users/${user.id}/profile`, { token: user.token });
  expect(res.status).toBe(200);
  return res.body;
}

async function enrollmentsIn(user: TestUser, courseId: string) {
  return (await profileOf(user)).enrollments.filter((e: any) => e.courseId === courseId);
}

async function completeLesson(student: TestUser, lessonId: string) {
  const res = await api('POST', '/api/lessons/complete', { token: student.token, body: { lessonId } });
  expect(res.status).toBe(201);
  return res.body.data;
}

/** A course with one lesson and nothing else: completing that lesson completes the course. */
async function oneLessonCourse(instructor: TestUser, overrides: Record<string, unknown> = {}) {
  const course = await createCourse(instructor, overrides);
  const lesson = await createLesson(instructor, course.courseId);
  return { ...course, lesson };
}

describe('POST /api/courses/:courseId/enroll', () => {
  it('enrolls a student with the spec shape and creates their not_started submissions', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    await createLesson(instructor, course.courseId);
    await createLesson(instructor, course.courseId);
    const dueDate = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const withDue = await createAssignment(instructor, course.courseId, { dueDate });
    const withoutDue = await createAssignment(instructor, course.courseId, { dueDate: undefined });
    const student = await createStudent();

    const before = Date.now();
    const res = await enrollRequest(student, course.courseId);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      message: 'Enrolled successfully',
      data: {
        enrollmentId: expect.stringMatching(UUID),
        courseId: course.courseId,
        studentId: student.id,
        status: 'active',
        enrolledAt: expect.stringMatching(ISO),
        course: { courseId: course.courseId, title: course.title },
        progress: {
          totalLessons: 2,
          completedLessons: 0,
          totalAssignments: 2,
          completedAssignments: 0,
          totalQuizzes: 0,
          completedQuizzes: 0,
          completionPercentage: 0,
        },
      },
    });
    const enrolledAt = new Date(res.body.data.enrolledAt).getTime();
    expect(enrolledAt).toBeGreaterThanOrEqual(before - 1000);
    expect(enrolledAt).toBeLessThanOrEqual(Date.now() + 1000);

    // every assignment now has the student's not_started submission, with the assignment's due date
    const assignments = await api('GET', `/api/courses/${course.courseId}/assignments`, {
      token: student.token,
      query: { studentId: student.id },
    });
    expect(assignments.status).toBe(200);
    const byId = new Map<string, any>(assignments.body.data.assignments.map((a: any) => [a.assignmentId, a]));
    expect(byId.size).toBe(2);
    for (const assignmentId of [withDue.assignmentId, withoutDue.assignmentId]) {
      const submission = byId.get(assignmentId).submission;
      expect(submission).toMatchObject({ submissionId: expect.stringMatching(UUID), status: 'not_started', isLate: false });
      expect(submission.assignedAt).toMatch(ISO);
      expect(submission.submittedAt).toBeUndefined();
    }
    expect(byId.get(withDue.assignmentId).submission.dueDate).toBe(dueDate);
    expect(byId.get(withoutDue.assignmentId).submission.dueDate).toBeUndefined();

    // the enrollment is visible afterwards, and enrolling earned the first_course badge
    const profile = await profileOf(student);
    const mine = profile.enrollments.filter((e: any) => e.courseId === course.courseId);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ enrollmentId: res.body.data.enrollmentId, enrolledAt: res.body.data.enrolledAt });
    expect(profile.achievements.map((a: any) => a.badgeType)).toEqual(['first_course']);
    const details = await api('GET', `/api/courses/${course.courseId}`, { token: student.token });
    expect(details.body.data.enrollment.enrollmentId).toBe(res.body.data.enrollmentId);
  });

  it('refuses a second enrolment with 409 and keeps one enrollment', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const student = await createStudent();
    const first = await enroll(student, course.courseId);
    const again = await enrollRequest(student, course.courseId);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ status: 409, code: 'ALREADY_ENROLLED', requestId: expect.any(String) });
    expect(again.body.error).toMatch(/already enrolled/i);
    const mine = await enrollmentsIn(student, course.courseId);
    expect(mine.map((e: any) => e.enrollmentId)).toEqual([first.enrollmentId]);
  });

  it('lets exactly one of two concurrent enrolments win; the other gets 409', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    await createAssignment(instructor, course.courseId);
    const student = await createStudent();
    const results = await Promise.all([enrollRequest(student, course.courseId), enrollRequest(student, course.courseId)]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(results.find((r) => r.status === 409)!.body.code).toBe('ALREADY_ENROLLED');
    expect(await enrollmentsIn(student, course.courseId)).toHaveLength(1);
    const profile = await profileOf(student);
    expect(profile.statistics.totalCourses).toBe(1);
    expect(profile.achievements.map((a: any) => a.badgeType)).toEqual(['first_course']);
  });

  it('refuses unmet prerequisites naming the missing courses, then enrolls once they are completed', async () => {
    const instructor = await createInstructor();
    const basics = await oneLessonCourse(instructor, { title: `Basics ${randomUUID().slice(0, 6)}` });
    const tooling = await oneLessonCourse(instructor, { title: `Tooling ${randomUUID().slice(0, 6)}` });
    const advanced = await createCourse(instructor, { prerequisiteIds: [basics.courseId, tooling.courseId] });
    const student = await createStudent();

    const refused = await enrollRequest(student, advanced.courseId);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('PREREQUISITES_NOT_MET');
    expect(refused.body.error).toContain(basics.title);
    expect(refused.body.error).toContain(tooling.title);
    expect(await enrollmentsIn(student, advanced.courseId)).toHaveLength(0);

    // merely enrolled in a prerequisite is not enough; completing it removes it from the message
    await enroll(student, basics.courseId);
    const stillEnrolledOnly = await enrollRequest(student, advanced.courseId);
    expect(stillEnrolledOnly.status).toBe(403);
    expect(stillEnrolledOnly.body.error).toContain(basics.title);
    expect((await completeLesson(student, basics.lesson.lessonId)).progress.completionPercentage).toBe(100);
    const oneLeft = await enrollRequest(student, advanced.courseId);
    expect(oneLeft.status).toBe(403);
    expect(oneLeft.body.error).toContain(tooling.title);
    expect(oneLeft.body.error).not.toContain(basics.title);

    await enroll(student, tooling.courseId);
    await completeLesson(student, tooling.lesson.lessonId);
    const accepted = await enrollRequest(student, advanced.courseId);
    expect(accepted.status).toBe(201);
    expect(await enrollmentsIn(student, advanced.courseId)).toHaveLength(1);
  });

  it("refuses the course's own instructor with 400, other instructors and admins with 403", async () => {
    const instructor = await createInstructor();
    const own = await createCourse(instructor);
    const other = await createCourse(await createInstructor());

    const ownCourse = await enrollRequest(instructor, own.courseId);
    expect(ownCourse.status).toBe(400);
    expect(ownCourse.body.code).toBe('INSTRUCTOR_CANNOT_ENROLL');
    const otherCourse = await enrollRequest(instructor, other.courseId);
    expect(otherCourse.status).toBe(403);
    expect(otherCourse.body.code).toBe('FORBIDDEN');
    const admin = await signInAdmin();
    const byAdmin = await enrollRequest(admin, other.courseId);
    expect(byAdmin.status).toBe(403);
    expect(byAdmin.body.code).toBe('FORBIDDEN');
    // nobody got enrolled
    const details = await api('GET', `/api/courses/${other.courseId}`);
    expect(details.body.data.statistics.totalEnrollments).toBe(0);
  });

  it('needs a valid token (401), an existing course (404) and a valid id (400)', async () => {
    const course = await createCourse(await createInstructor());
    const anonymous = await enrollRequest(undefined, course.courseId);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('UNAUTHENTICATED');
    const badToken = await api('POST', `/api/courses/${course.courseId}/enroll`, { token: 'not.a.jwt' });
    expect(badToken.status).toBe(401);
    expect(badToken.body.code).toBe('INVALID_TOKEN');

    const student = await createStudent();
    const unknown = await enrollRequest(student, randomUUID());
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('COURSE_NOT_FOUND');
    const badId = await enrollRequest(student, 'not-a-uuid');
    expect(badId.status).toBe(400);
    expect(badId.body.code).toBe('VALIDATION_ERROR');
    expect(Object.keys(badId.body.details)).toEqual(['params.courseId']);
    expect((await profileOf(student)).enrollments).toHaveLength(0);
  });

  // No route withdraws an enrollment yet, so the withdrawn row is made directly in PostgreSQL.
  it.runIf(Boolean(process.env.DATABASE_URL))('re-activates a withdrawn enrollment instead of adding a row', async () => {
    const instructor = await createInstructor();
    const course = await oneLessonCourse(instructor);
    const student = await createStudent();
    const first = await enroll(student, course.courseId);
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      await client.query(
        `update course_enrollments set status = 'withdrawn', withdrawn_at = now() where id = $1`,
        [first.enrollmentId],
      );
    } finally {
      await client.end();
    }
    const refusedWhileWithdrawn = await api('POST', '/api/lessons/complete', {
      token: student.token,
      body: { lessonId: course.lesson.lessonId },
    });
    expect(refusedWhileWithdrawn.status).toBe(403);
    expect(refusedWhileWithdrawn.body.code).toBe('NOT_ENROLLED');

    const again = await enrollRequest(student, course.courseId);
    expect(again.status).toBe(201);
    expect(again.body.data).toMatchObject({ enrollmentId: first.enrollmentId, status: 'active' });
    expect(new Date(again.body.data.enrolledAt).getTime()).toBeGreaterThanOrEqual(new Date(first.enrolledAt).getTime());
    expect(await enrollmentsIn(student, course.courseId)).toHaveLength(1);
    expect((await enrollRequest(student, course.courseId)).status).toBe(409);
  });
});

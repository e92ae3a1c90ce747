import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  api,
  courseWithStudent,
  createAssignment,
  createCourse,
  createInstructor,
  createLesson,
  createStudent,
  enroll,
  signInAdmin,
  type TestUser,
} from './support/api.js';
import {
  bulkEnroll,
  completeLesson,
  courseProgress,
  enrollRequest,
  expectError,
  getCourse,
  ISO,
  submitAssignment,
  unenroll,
  UUID,
} from './support/authoring.js';

async function profileOf(user: TestUser) {
  const res = await api('GET', `/api/users/${user.id}/profile`, { token: user.token });
  expect(res.status).toBe(200);
  return res.body;
}

const totalEnrollments = async (courseId: string): Promise<number> =>
  (await getCourse(courseId)).body.data.statistics.totalEnrollments;

/** The student's own submission statuses in the course, by assignment id. */
async function submissionsOf(student: TestUser, courseId: string) {
  const res = await api('GET', `/api/courses/${courseId}/assignments`, { token: student.token, query: { studentId: student.id } });
  expect(res.status).toBe(200);
  return new Map<string, string | undefined>(
    res.body.data.assignments.map((a: { assignmentId: string; submission?: { status: string } }) => [a.assignmentId, a.submission?.status]),
  );
}

describe('DELETE /api/courses/:courseId/enroll', () => {
  it('withdraws the enrollment, frees the seat and keeps completions and submissions; re-enrolling re-activates it', async () => {
    const { instructor, course, lessons, assignments, student } = await courseWithStudent({ lessons: 2, assignments: 1 });
    const enrollmentId = (await courseProgress(student, course.courseId)).body.data.enrollmentId;
    expect((await completeLesson(student, lessons[0]!.lessonId)).status).toBe(201);
    expect((await submitAssignment(student, assignments[0]!.assignmentId)).status).toBe(201);
    expect(await totalEnrollments(course.courseId)).toBe(1);

    const res = await unenroll(student, course.courseId);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      message: 'Unenrolled successfully',
      data: {
        enrollmentId,
        courseId: course.courseId,
        studentId: student.id,
        status: 'withdrawn',
        enrolledAt: expect.stringMatching(ISO),
        withdrawnAt: expect.stringMatching(ISO),
        course: { courseId: course.courseId, title: course.title },
        progress: {
          totalLessons: 2,
          completedLessons: 1,
          totalAssignments: 1,
          completedAssignments: 1,
          totalQuizzes: 0,
          completedQuizzes: 0,
          completionPercentage: 66,
          lastActivity: expect.stringMatching(ISO),
        },
      },
    });
    // the seat is free, the course is no longer among the student's, and the history is kept
    expect(await totalEnrollments(course.courseId)).toBe(0);
    const profile = await profileOf(student);
    expect(profile.enrollments.map((e: { courseId: string }) => e.courseId)).not.toContain(course.courseId);
    expect(profile.statistics).toMatchObject({ totalLessonsCompleted: 1, totalAssignmentsSubmitted: 1 });
    expectError(await courseProgress(student, course.courseId), 403, 'NOT_ENROLLED');
    expectError(await completeLesson(student, lessons[1]!.lessonId), 403, 'NOT_ENROLLED');
    expectError(await unenroll(student, course.courseId), 404, 'ENROLLMENT_NOT_FOUND');

    // an assignment added while away is waiting on return; the same enrollment comes back with its history
    const later = await createAssignment(instructor, course.courseId);
    const again = await enrollRequest(student, course.courseId);
    expect(again.status).toBe(201);
    expect(again.body.data).toMatchObject({ enrollmentId, status: 'active' });
    expect(again.body.data.withdrawnAt).toBeUndefined();
    expect(await totalEnrollments(course.courseId)).toBe(1);
    const progress = (await courseProgress(student, course.courseId)).body.data;
    expect(progress.enrollmentId).toBe(enrollmentId);
    expect(progress.progress).toMatchObject({ completedLessons: 1, totalAssignments: 2, completedAssignments: 1 });
    const submissions = await submissionsOf(student, course.courseId);
    expect(submissions.get(assignments[0]!.assignmentId)).toBe('submitted');
    expect(submissions.get(later.assignmentId)).toBe('not_started');
  });

  it('lets an admin withdraw a named student; refuses others naming a student (403), non-students (403), 401, 404', async () => {
    const { instructor, course, student } = await courseWithStudent({ lessons: 1, assignments: 0 });
    const classmate = await createStudent();
    await enroll(classmate, course.courseId);
    const admin = await signInAdmin();

    expectError(await unenroll(undefined, course.courseId), 401, 'UNAUTHENTICATED');
    expectError(await unenroll(classmate, course.courseId, student.id), 403, 'FORBIDDEN');
    expectError(await unenroll(instructor, course.courseId, student.id), 403, 'FORBIDDEN');
    expectError(await unenroll(instructor, course.courseId), 403, 'FORBIDDEN');
    expectError(await unenroll(admin, course.courseId), 403, 'FORBIDDEN');
    expectError(await unenroll(student, course.courseId, 'nope'), 400, 'VALIDATION_ERROR');
    expectError(await unenroll(student, randomUUID()), 404, 'COURSE_NOT_FOUND');
    expectError(await unenroll(await createStudent(), course.courseId), 404, 'ENROLLMENT_NOT_FOUND');
    expect(await totalEnrollments(course.courseId)).toBe(2);

    // naming oneself is allowed
    expect((await unenroll(classmate, course.courseId, classmate.id)).status).toBe(200);
    const byAdmin = await unenroll(admin, course.courseId, student.id);
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.data).toMatchObject({ studentId: student.id, status: 'withdrawn' });
    expect(await totalEnrollments(course.courseId)).toBe(0);
    expectError(await unenroll(admin, course.courseId, student.id), 404, 'ENROLLMENT_NOT_FOUND');
  });
});

describe('GET /api/courses/:courseId/progress', () => {
  it("answers the caller's CourseProgress in the spec's shape", async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const first = await createLesson(instructor, course.courseId, { title: 'First', estimatedTime: 30 });
    await createLesson(instructor, course.courseId, { title: 'Second', estimatedTime: 15 });
    const dueDate = new Date(Date.now() + 5 * 86_400_000).toISOString();
    const assignment = await createAssignment(instructor, course.courseId, { dueDate, points: 50 });
    const student = await createStudent();
    const enrollment = await enroll(student, course.courseId);
    const completed = await api('POST', '/api/lessons/complete', { token: student.token, body: { lessonId: first.lessonId, timeSpent: 25 } });
    expect(completed.status).toBe(201);

    const res = await courseProgress(student, course.courseId);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: {
        courseId: course.courseId,
        courseTitle: course.title,
        enrollmentId: enrollment.enrollmentId,
        enrolledAt: enrollment.enrolledAt,
        progress: {
          totalLessons: 2,
          completedLessons: 1,
          totalAssignments: 1,
          completedAssignments: 0,
          totalQuizzes: 0,
          completedQuizzes: 0,
          completionPercentage: 33,
          estimatedTimeRemaining: 15,
        },
        lessons: [
          { lessonId: first.lessonId, title: 'First', order: 1, estimatedTime: 30, completedAt: completed.body.data.completedAt, timeSpent: 25 },
          { lessonId: expect.stringMatching(UUID), title: 'Second', order: 2, estimatedTime: 15 },
        ],
        assignments: [
          { assignmentId: assignment.assignmentId, title: assignment.title, points: 50, dueDate, status: 'not_started' },
        ],
        quizzes: [],
        timeTracking: {
          totalTimeSpent: 25,
          averageTimePerLesson: 25,
          lastActivity: completed.body.data.completedAt,
          studySessions: [
            {
              sessionId: expect.stringMatching(UUID),
              startTime: expect.stringMatching(ISO),
              endTime: expect.stringMatching(ISO),
              duration: 25,
              lessonsCovered: [first.lessonId],
            },
          ],
        },
      },
    });
    // the same as the learner's entry in the per-course analytics
    const analytics = await api('GET', `/api/analytics/${student.id}/courses`, { token: student.token });
    expect(analytics.body.data).toEqual([res.body.data]);
  });

  it("shows a student's progress to the course's instructor and admins, not to other students or instructors", async () => {
    const { instructor, course, student } = await courseWithStudent({ lessons: 1, assignments: 0 });
    const classmate = await createStudent();
    await enroll(classmate, course.courseId);
    const otherInstructor = await createInstructor();
    const admin = await signInAdmin();
    const own = (await courseProgress(student, course.courseId)).body.data;

    const byInstructor = await courseProgress(instructor, course.courseId, student.id);
    expect(byInstructor.status).toBe(200);
    expect(byInstructor.body.data).toEqual(own);
    expect((await courseProgress(admin, course.courseId, student.id)).body.data).toEqual(own);
    expect((await courseProgress(student, course.courseId, student.id)).body.data).toEqual(own);

    expectError(await courseProgress(classmate, course.courseId, student.id), 403, 'FORBIDDEN');
    expectError(await courseProgress(otherInstructor, course.courseId, student.id), 403, 'FORBIDDEN');
    // an instructor of another course the student takes still may not see this one
    const elsewhere = await createCourse(otherInstructor);
    await enroll(student, elsewhere.courseId);
    expectError(await courseProgress(otherInstructor, course.courseId, student.id), 403, 'FORBIDDEN');
  });

  it('answers 403 to a caller not enrolled, 404 for an unknown course or a student not enrolled, 401, 400', async () => {
    const { instructor, course } = await courseWithStudent({ lessons: 1, assignments: 0 });
    const outsider = await createStudent();
    const admin = await signInAdmin();
    expectError(await courseProgress(outsider, course.courseId), 403, 'NOT_ENROLLED');
    expectError(await courseProgress(instructor, course.courseId), 403, 'NOT_ENROLLED');
    expectError(await courseProgress(admin, course.courseId, outsider.id), 404, 'ENROLLMENT_NOT_FOUND');
    expectError(await courseProgress(admin, course.courseId, randomUUID()), 404, 'ENROLLMENT_NOT_FOUND');
    expectError(await courseProgress(outsider, randomUUID()), 404, 'COURSE_NOT_FOUND');
    expectError(await courseProgress(undefined, course.courseId), 401, 'UNAUTHENTICATED');
    expectError(await courseProgress(outsider, course.courseId, 'nope'), 400, 'VALIDATION_ERROR');
  });
});

describe('POST /api/courses/:courseId/enrollments/bulk', () => {
  it('per_row: enrols each student it can, by id or email, and reports every row', async () => {
    const instructor = await createInstructor();
    const basics = await createCourse(instructor);
    // staff enrolments skip prerequisites
    const course = await createCourse(instructor, { prerequisiteIds: [basics.courseId] });
    const assignment = await createAssignment(instructor, course.courseId);
    const [byId, byEmail, already, withdrawn] = await Promise.all([createStudent(), createStudent(), createStudent(), createStudent()]);
    const existing = await enrollRequest(already, basics.courseId);
    expect(existing.status).toBe(201);
    // already and withdrawn were enrolled by the same bulk call earlier
    const earlier = await bulkEnroll(instructor, course.courseId, { mode: 'per_row', students: [{ studentId: already.id }, { studentId: withdrawn.id }] });
    expect(earlier.status).toBe(200);
    const withdrawnEnrollment = earlier.body.data.results[1].enrollmentId;
    expect((await api('DELETE', `/api/courses/${course.courseId}/enroll`, { token: withdrawn.token })).status).toBe(200);
    const otherInstructor = await createInstructor();
    const unknownEmail = `nobody-${randomUUID()}@test.skilled`;

    const res = await bulkEnroll(instructor, course.courseId, {
      mode: 'per_row',
      students: [
        { studentId: byId.id },
        { email: byEmail.email.toUpperCase() },
        { studentId: already.id },
        { email: unknownEmail },
        { studentId: randomUUID() },
        { studentId: otherInstructor.id },
        { email: instructor.email },
        { studentId: withdrawn.id },
        { studentId: byId.id },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.message).toBe('3 of 9 students enrolled');
    expect(res.body.data).toEqual({
      courseId: course.courseId,
      mode: 'per_row',
      enrolled: 3,
      failed: 6,
      results: [
        { index: 0, studentId: byId.id, status: 'enrolled', enrollmentId: expect.stringMatching(UUID) },
        { index: 1, email: byEmail.email.toUpperCase(), studentId: byEmail.id, status: 'enrolled', enrollmentId: expect.stringMatching(UUID) },
        { index: 2, studentId: already.id, status: 'already_enrolled' },
        { index: 3, email: unknownEmail, status: 'not_found' },
        { index: 4, studentId: expect.stringMatching(UUID), status: 'not_found' },
        { index: 5, studentId: otherInstructor.id, status: 'not_a_student' },
        { index: 6, email: instructor.email, status: 'not_a_student' },
        { index: 7, studentId: withdrawn.id, status: 'enrolled', enrollmentId: withdrawnEnrollment },
        { index: 8, studentId: byId.id, status: 'already_enrolled' },
      ],
    });
    // read back: each enrolled student has the course, its not_started submission and progress
    expect(await totalEnrollments(course.courseId)).toBe(4);
    for (const student of [byId, byEmail, withdrawn]) {
      expect((await courseProgress(student, course.courseId)).status).toBe(200);
      expect((await submissionsOf(student, course.courseId)).get(assignment.assignmentId)).toBe('not_started');
      expect((await profileOf(student)).achievements.map((a: { badgeType: string }) => a.badgeType)).toContain('first_course');
    }
    expectError(await courseProgress(otherInstructor, course.courseId), 403, 'NOT_ENROLLED');
  });

  it('all_or_nothing: enrols everyone when every row is fine (200), and nobody when one row fails (400 with the rows)', async () => {
    const { instructor, course, student: enrolled } = await courseWithStudent({ lessons: 1, assignments: 1 });
    const [a, b] = await Promise.all([createStudent(), createStudent()]);

    const failed = await bulkEnroll(instructor, course.courseId, {
      mode: 'all_or_nothing',
      students: [{ studentId: a.id }, { email: b.email }, { studentId: enrolled.id }],
    });
    expectError(failed, 400, 'BULK_ENROLLMENT_FAILED');
    expect(failed.body.details).toEqual({ 'body.students.2': 'already_enrolled' });
    expect(failed.body.results).toEqual([
      { index: 0, studentId: a.id, status: 'rolled_back' },
      { index: 1, email: b.email, studentId: b.id, status: 'rolled_back' },
      { index: 2, studentId: enrolled.id, status: 'already_enrolled' },
    ]);
    // nothing was kept: no enrollment, no submission, no badge
    expect(await totalEnrollments(course.courseId)).toBe(1);
    expectError(await courseProgress(a, course.courseId), 403, 'NOT_ENROLLED');
    expect((await profileOf(a)).achievements).toEqual([]);
    expect((await profileOf(b)).enrollments).toEqual([]);

    const ok = await bulkEnroll(instructor, course.courseId, { mode: 'all_or_nothing', students: [{ studentId: a.id }, { email: b.email }] });
    expect(ok.status).toBe(200);
    expect(ok.body.data).toMatchObject({ mode: 'all_or_nothing', enrolled: 2, failed: 0 });
    expect(ok.body.data.results.map((r: { status: string }) => r.status)).toEqual(['enrolled', 'enrolled']);
    expect(await totalEnrollments(course.courseId)).toBe(3);
    expect((await courseProgress(b, course.courseId)).status).toBe(200);
  });

  it('validates the body; 401, 403 for students and other instructors, admins allowed, 404 unknown course', async () => {
    const { instructor, course, student } = await courseWithStudent({ lessons: 1, assignments: 0 });
    const target = await createStudent();
    const body = { mode: 'per_row', students: [{ studentId: target.id }] };

    const bad = await bulkEnroll(instructor, course.courseId, {
      mode: 'sometimes',
      students: [{}, { studentId: target.id, email: target.email }, { email: 'not-an-email' }, { studentId: 'nope' }],
    });
    expectError(bad, 400, 'VALIDATION_ERROR');
    expect(Object.keys(bad.body.details).sort()).toEqual(
      ['body.mode', 'body.students.0', 'body.students.1', 'body.students.2.email', 'body.students.3.studentId'].sort(),
    );
    expectError(await bulkEnroll(instructor, course.courseId, { mode: 'per_row', students: [] }), 400, 'VALIDATION_ERROR');
    const tooMany = Array.from({ length: 201 }, () => ({ studentId: target.id }));
    expectError(await bulkEnroll(instructor, course.courseId, { mode: 'per_row', students: tooMany }), 400, 'VALIDATION_ERROR');

    expectError(await bulkEnroll(undefined, course.courseId, body), 401, 'UNAUTHENTICATED');
    expectError(await bulkEnroll(student, course.courseId, body), 403, 'FORBIDDEN');
    expectError(await bulkEnroll(await createInstructor(), course.courseId, body), 403, 'FORBIDDEN');
    expectError(await bulkEnroll(instructor, randomUUID(), body), 404, 'COURSE_NOT_FOUND');
    expect(await totalEnrollments(course.courseId)).toBe(1);

    const admin = await signInAdmin();
    const byAdmin = await bulkEnroll(admin, course.courseId, body);
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.data.enrolled).toBe(1);
    expect(await totalEnrollments(course.courseId)).toBe(2);
  });
});

describe('enrolment and assignment creation at the same time', () => {
  it('gives every enrolled student a not_started row for every assignment, however they interleave', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const students = await Promise.all(Array.from({ length: 6 }, () => createStudent()));
    const created = await Promise.all([
      ...students.map((student) => enrollRequest(student, course.courseId)),
      ...[1, 2, 3].map((n) =>
        api('POST', '/api/assignments', {
          token: instructor.token,
          body: { courseId: course.courseId, title: `Concurrent ${n}`, description: 'x', points: 10 },
        }),
      ),
    ]);
    expect(created.map((r) => r.status)).toEqual([...students.map(() => 201), 201, 201, 201]);
    for (const student of students) {
      const statuses = [...(await submissionsOf(student, course.courseId)).values()];
      expect(statuses).toEqual(['not_started', 'not_started', 'not_started']);
    }
  });
});

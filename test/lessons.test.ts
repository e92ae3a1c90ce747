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

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const addLesson = (user: TestUser | undefined, courseId: string, body: Record<string, unknown>) =>
  api('POST', `/api/courses/${courseId}/lessons`, { token: user?.token, body });

async function listLessons(courseId: string, user?: TestUser) {
  const res = await api('GET', `/api/courses/${courseId}/lessons`, { token: user?.token });
  expect(res.status).toBe(200);
  return res.body.data as any[];
}

const titlesInOrder = async (courseId: string) => (await listLessons(courseId)).map((l) => [l.order, l.title]);

const complete = (user: TestUser | undefined, body: unknown) =>
  api('POST', '/api/lessons/complete', { token: user?.token, body });

async function profileOf(user: TestUser) {
  const res = await api('GET', `/api/users/${user.id}/profile`, { token: user.token });
  expect(res.status).toBe(200);
  return res.body;
}

describe('POST /api/courses/:courseId/lessons', () => {
  it('appends lessons as 1, 2, 3 and answers the lesson with the spec shape', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const res = await addLesson(instructor, course.courseId, {
      title: '  Variables  ',
      description: 'Names for values',
      estimatedTime: 25,
      instructorId: instructor.id,
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      message: 'Lesson created successfully',
      data: {
        lessonId: expect.stringMatching(UUID),
        courseId: course.courseId,
        title: 'Variables',
        description: 'Names for values',
        order: 1,
        estimatedTime: 25,
        createdAt: expect.stringMatching(ISO),
        updatedAt: expect.stringMatching(ISO),
        completedAt: null,
      },
    });
    // description and estimatedTime default to '' and 0
    const second = await addLesson(instructor, course.courseId, { title: 'Functions' });
    expect(second.status).toBe(201);
    expect(second.body.data).toMatchObject({ order: 2, description: '', estimatedTime: 0 });
    expect((await createLesson(instructor, course.courseId, { title: 'Loops' })).order).toBe(3);

    const listed = await listLessons(course.courseId);
    expect(listed.map((l) => [l.order, l.title])).toEqual([
      [1, 'Variables'],
      [2, 'Functions'],
      [3, 'Loops'],
    ]);
    expect(listed[0]).toEqual(res.body.data);
  });

  it('inserts at a taken position by moving the later lessons down, without gaps; clamps beyond the end', async () => {
    const instructor = await createInstructor();
    const { courseId } = await createCourse(instructor);
    for (const title of ['A', 'B', 'C']) await createLesson(instructor, courseId, { title });
    const before = await listLessons(courseId);

    const first = await addLesson(instructor, courseId, { title: 'Intro', order: 1 });
    expect(first.status).toBe(201);
    expect(first.body.data.order).toBe(1);
    expect(await titlesInOrder(courseId)).toEqual([
      [1, 'Intro'],
      [2, 'A'],
      [3, 'B'],
      [4, 'C'],
    ]);
    // the moved lessons keep their ids and record the change
    const after = await listLessons(courseId);
    expect(after.slice(1).map((l) => l.lessonId)).toEqual(before.map((l) => l.lessonId));
    expect(after.slice(1).map((l) => l.updatedAt)).toEqual([1, 2, 3].map(() => first.body.data.createdAt));

    expect((await addLesson(instructor, courseId, { title: 'Middle', order: 3 })).body.data.order).toBe(3);
    expect((await addLesson(instructor, courseId, { title: 'Last', order: 6 })).body.data.order).toBe(6);
    const clamped = await addLesson(instructor, courseId, { title: 'Far away', order: 99 });
    expect(clamped.status).toBe(201);
    expect(clamped.body.data.order).toBe(7);
    expect(await titlesInOrder(courseId)).toEqual([
      [1, 'Intro'],
      [2, 'A'],
      [3, 'Middle'],
      [4, 'B'],
      [5, 'C'],
      [6, 'Last'],
      [7, 'Far away'],
    ]);
  });

  it('gives concurrent additions distinct positions without gaps', async () => {
    const instructor = await createInstructor();
    const { courseId } = await createCourse(instructor);
    await createLesson(instructor, courseId, { title: 'Existing' });
    const results = await Promise.all([
      ...[1, 2, 3].map((n) => addLesson(instructor, courseId, { title: `Appended ${n}` })),
      ...[1, 2].map((n) => addLesson(instructor, courseId, { title: `First ${n}`, order: 1 })),
    ]);
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    const orders = (await listLessons(courseId)).map((l) => l.order);
    expect(orders).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("lets an admin add to any course, but not other instructors, students or another instructorId", async () => {
    const owner = await createInstructor();
    const { courseId } = await createCourse(owner);
    const admin = await signInAdmin();
    const byAdmin = await addLesson(admin, courseId, { title: 'From admin', instructorId: owner.id });
    expect(byAdmin.status).toBe(201);

    const stranger = await createInstructor();
    const student = await createStudent();
    for (const [user, body] of [
      [stranger, { title: 'Not mine' }],
      [student, { title: 'Student lesson' }],
      [owner, { title: 'For someone else', instructorId: stranger.id }],
      [stranger, { title: 'Claiming', instructorId: owner.id }],
    ] as const) {
      const res = await addLesson(user, courseId, body);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN');
    }
    const anonymous = await addLesson(undefined, courseId, { title: 'Nobody' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('UNAUTHENTICATED');
    expect(await titlesInOrder(courseId)).toEqual([[1, 'From admin']]);
  });

  it('answers 404 for an unknown course and 400 with details for an invalid request', async () => {
    const instructor = await createInstructor();
    const { courseId } = await createCourse(instructor);
    const unknown = await addLesson(instructor, randomUUID(), { title: 'Lost' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('COURSE_NOT_FOUND');

    const invalid = await addLesson(instructor, courseId, {
      title: '   ',
      description: 'x'.repeat(5001),
      order: 0,
      estimatedTime: 10001,
      instructorId: 'me',
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({ status: 400, code: 'VALIDATION_ERROR' });
    expect(Object.keys(invalid.body.details).sort()).toEqual(
      ['body.description', 'body.estimatedTime', 'body.instructorId', 'body.order', 'body.title'].sort(),
    );
    const fractional = await addLesson(instructor, courseId, { title: 'Half', order: 1.5, estimatedTime: -1 });
    expect(fractional.status).toBe(400);
    expect(Object.keys(fractional.body.details).sort()).toEqual(['body.estimatedTime', 'body.order']);
    const missing = await addLesson(instructor, courseId, {});
    expect(missing.status).toBe(400);
    expect(missing.body.details['body.title']).toBe('is required');
    const badId = await addLesson(instructor, 'nope', { title: 'Bad id' });
    expect(badId.status).toBe(400);
    expect(Object.keys(badId.body.details)).toEqual(['params.courseId']);
    expect(await listLessons(courseId)).toEqual([]);
  });
});

describe('GET /api/courses/:courseId/lessons', () => {
  it("shows anyone the lessons in order, and an enrolled caller their own completion dates", async () => {
    const { instructor, course, lessons, student } = await courseWithStudent({ lessons: 2, assignments: 0 });
    const done = await complete(student, { lessonId: lessons[0]!.lessonId });
    expect(done.status).toBe(201);

    const mine = await listLessons(course.courseId, student);
    expect(mine.map((l) => l.lessonId)).toEqual(lessons.map((l) => l.lessonId));
    expect(mine[0]).toEqual({
      lessonId: lessons[0]!.lessonId,
      courseId: course.courseId,
      title: lessons[0]!.title,
      description: 'Lesson body',
      order: 1,
      estimatedTime: 20,
      createdAt: lessons[0]!.createdAt,
      updatedAt: lessons[0]!.updatedAt,
      completedAt: done.body.data.completedAt,
    });
    expect(mine[1].completedAt).toBeNull();

    // nobody else sees the student's completion
    const otherStudent = await createStudent();
    await enroll(otherStudent, course.courseId);
    for (const viewer of [undefined, instructor, otherStudent, await createStudent()]) {
      const listed = await listLessons(course.courseId, viewer);
      expect(listed.map((l) => l.completedAt)).toEqual([null, null]);
      expect(listed.map((l) => l.order)).toEqual([1, 2]);
    }
  });

  it('answers 404 for an unknown course, 400 for a bad id and 401 for an invalid token', async () => {
    const unknown = await api('GET', `/api/courses/${randomUUID()}/lessons`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('COURSE_NOT_FOUND');
    const badId = await api('GET', '/api/courses/42/lessons');
    expect(badId.status).toBe(400);
    expect(Object.keys(badId.body.details)).toEqual(['params.courseId']);
    const { courseId } = await createCourse(await createInstructor());
    const badToken = await api('GET', `/api/courses/${courseId}/lessons`, { token: 'expired.or.forged' });
    expect(badToken.status).toBe(401);
    expect(badToken.body.code).toBe('INVALID_TOKEN');
  });
});

describe('POST /api/lessons/complete', () => {
  it('completes a lesson once (201), then answers the same completion (200) without a duplicate', async () => {
    const { course, lessons, student } = await courseWithStudent({ lessons: 2, assignments: 1 });
    const first = await complete(student, { lessonId: lessons[0]!.lessonId, timeSpent: 15 });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      message: 'Lesson completed successfully',
      data: {
        completionId: expect.stringMatching(UUID),
        lessonId: lessons[0]!.lessonId,
        courseId: course.courseId,
        studentId: student.id,
        completedAt: expect.stringMatching(ISO),
        timeSpent: 15,
        alreadyCompleted: false,
        progress: {
          totalLessons: 2,
          completedLessons: 1,
          totalAssignments: 1,
          completedAssignments: 0,
          totalQuizzes: 0,
          completedQuizzes: 0,
          completionPercentage: 33,
          lastActivity: first.body.data?.completedAt,
        },
        currentStreak: 1,
        newAchievements: [],
      },
    });

    const again = await complete(student, { lessonId: lessons[0]!.lessonId, timeSpent: 50 });
    expect(again.status).toBe(200);
    expect(again.body.message).toBe('Lesson already completed');
    expect(again.body.data).toEqual({ ...first.body.data, alreadyCompleted: true });

    const profile = await profileOf(student);
    expect(profile.currentStreak).toBe(1);
    expect(profile.lastLearned).toBe(first.body.data.completedAt);
    expect(profile.statistics).toMatchObject({ totalLessonsCompleted: 1, totalStudyTime: 15, currentStreak: 1 });
    const enrollment = profile.enrollments.find((e: any) => e.courseId === course.courseId);
    expect(enrollment.lessonCompletions).toEqual([
      { lessonId: lessons[0]!.lessonId, completedAt: first.body.data.completedAt },
    ]);
  });

  it("counts the lesson's estimated time when timeSpent is not given", async () => {
    const { lessons, student } = await courseWithStudent({ lessons: 2, assignments: 0 });
    const first = await complete(student, { lessonId: lessons[0]!.lessonId, timeSpent: 0 });
    expect(first.body.data.timeSpent).toBe(0);
    const second = await complete(student, { lessonId: lessons[1]!.lessonId });
    expect(second.status).toBe(201);
    expect(second.body.data).toMatchObject({ timeSpent: 20, currentStreak: 1 });
    expect((await profileOf(student)).statistics).toMatchObject({ totalLessonsCompleted: 2, totalStudyTime: 20 });
  });

  it('joins completions of a course close together into one study session, and starts one per course', async () => {
    const { course, lessons, student } = await courseWithStudent({ lessons: 2, assignments: 0 });
    const other = await courseWithStudent({ lessons: 1, assignments: 0 });
    await enroll(student, other.course.courseId);
    const first = await complete(student, { lessonId: lessons[0]!.lessonId, timeSpent: 15 });
    const second = await complete(student, { lessonId: lessons[1]!.lessonId, timeSpent: 10 });
    const elsewhere = await complete(student, { lessonId: other.lessons[0]!.lessonId, timeSpent: 5 });
    expect([first.status, second.status, elsewhere.status]).toEqual([201, 201, 201]);

    const res = await api('GET', `/api/analytics/${student.id}/courses`, { token: student.token });
    expect(res.status).toBe(200);
    const sessionsOf = (courseId: string) => res.body.data.find((c: { courseId: string }) => c.courseId === courseId).timeTracking.studySessions;
    const [session, ...more] = sessionsOf(course.courseId);
    expect(more).toEqual([]);
    expect(session).toMatchObject({ duration: 25, lessonsCovered: [lessons[0]!.lessonId, lessons[1]!.lessonId] });
    // It started when the first lesson's 15 minutes began and ends with the second completion.
    expect(Date.parse(session.startTime)).toBe(Date.parse(first.body.data.completedAt) - 15 * 60_000);
    expect(session.endTime).toBe(second.body.data.completedAt);
    expect(sessionsOf(other.course.courseId)).toEqual([
      expect.objectContaining({ duration: 5, lessonsCovered: [other.lessons[0]!.lessonId], endTime: elsewhere.body.data.completedAt }),
    ]);
  });

  it('records one completion for concurrent requests: one 201, one 200', async () => {
    const { lessons, student } = await courseWithStudent({ lessons: 1, assignments: 1 });
    const body = { lessonId: lessons[0]!.lessonId, timeSpent: 10 };
    const results = await Promise.all([complete(student, body), complete(student, body)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 201]);
    expect(results[0]!.body.data.completionId).toBe(results[1]!.body.data.completionId);
    expect(results.map((r) => r.body.data.alreadyCompleted).sort()).toEqual([false, true]);
    const profile = await profileOf(student);
    expect(profile.statistics).toMatchObject({ totalLessonsCompleted: 1, totalStudyTime: 10 });
  });

  it('records concurrent completions of different lessons each once, with their time, timeline and the streak', async () => {
    const { course, lessons, student } = await courseWithStudent({ lessons: 4, assignments: 0 });
    const results = await Promise.all(lessons.map((lesson) => complete(student, { lessonId: lesson.lessonId, timeSpent: 5 })));
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    expect(new Set(results.map((r) => r.body.data.completionId)).size).toBe(4);
    expect(results.map((r) => r.body.data.currentStreak)).toEqual([1, 1, 1, 1]);
    const profile = await profileOf(student);
    expect(profile.statistics).toMatchObject({ totalLessonsCompleted: 4, totalStudyTime: 20, currentStreak: 1 });
    const activity = await api('GET', `/api/analytics/${student.id}/courses`, { token: student.token });
    const tracked = activity.body.data.find((c: { courseId: string }) => c.courseId === course.courseId);
    expect(tracked.timeTracking.totalTimeSpent).toBe(20);
    const sessions: { duration: number; lessonsCovered: string[] }[] = tracked.timeTracking.studySessions;
    expect(sessions.reduce((sum, session) => sum + session.duration, 0)).toBe(20);
    expect(sessions.flatMap((session) => session.lessonsCovered).sort()).toEqual(lessons.map((lesson) => lesson.lessonId).sort());
  });

  it('completing every item of a course completes it and awards course_completer', async () => {
    const { course, lessons, assignments, student } = await courseWithStudent({ lessons: 2, assignments: 1 });
    const submitted = await api('POST', '/api/assignments/submit', {
      token: student.token,
      body: { assignmentId: assignments[0]!.assignmentId, submissionContent: 'My answer' },
    });
    expect(submitted.status).toBe(201);
    const first = await complete(student, { lessonId: lessons[0]!.lessonId });
    expect(first.body.data.progress.completionPercentage).toBe(66);
    expect(first.body.data.newAchievements).toEqual([]);
    expect((await profileOf(student)).statistics.completedCourses).toBe(0);

    const last = await complete(student, { lessonId: lessons[1]!.lessonId });
    expect(last.status).toBe(201);
    expect(last.body.data.progress).toMatchObject({
      totalLessons: 2,
      completedLessons: 2,
      totalAssignments: 1,
      completedAssignments: 1,
      completionPercentage: 100,
    });
    expect(last.body.data.newAchievements).toEqual(['course_completer']);

    const profile = await profileOf(student);
    expect(profile.statistics.completedCourses).toBe(1);
    // first_course came with the enrolment, course_completer with the last lesson
    expect(profile.achievements.map((a: any) => a.badgeType).sort()).toEqual(['course_completer', 'first_course']);
    expect(profile.enrollments.find((e: any) => e.courseId === course.courseId).progress.completionPercentage).toBe(100);
  });

  it('completes a one-lesson course with its lesson', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const lesson = await createLesson(instructor, course.courseId);
    const student = await createStudent();
    const enrolled = await api('POST', `/api/courses/${course.courseId}/enroll`, { token: student.token });
    expect(enrolled.status).toBe(201);
    const done = await complete(student, { lessonId: lesson.lessonId });
    expect(done.body.data.progress.completionPercentage).toBe(100);
    expect(done.body.data.newAchievements).toEqual(['course_completer']);
    const badges = (await profileOf(student)).achievements.map((a: any) => a.badgeType).sort();
    expect(badges).toEqual(['course_completer', 'first_course']);
  });

  it('refuses callers not enrolled (403), other roles (403), unknown lessons (404) and bad bodies (400)', async () => {
    const { instructor, lessons } = await courseWithStudent({ lessons: 1, assignments: 0 });
    const lessonId = lessons[0]!.lessonId;
    const outsider = await createStudent();
    const notEnrolled = await complete(outsider, { lessonId });
    expect(notEnrolled.status).toBe(403);
    expect(notEnrolled.body.code).toBe('NOT_ENROLLED');
    for (const user of [instructor, await signInAdmin()]) {
      const res = await complete(user, { lessonId });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN');
    }
    const anonymous = await complete(undefined, { lessonId });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('UNAUTHENTICATED');

    const unknown = await complete(outsider, { lessonId: randomUUID() });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('LESSON_NOT_FOUND');

    const invalid = await complete(outsider, { lessonId: 'lesson-1', timeSpent: 1441 });
    expect(invalid.status).toBe(400);
    expect(Object.keys(invalid.body.details).sort()).toEqual(['body.lessonId', 'body.timeSpent']);
    for (const timeSpent of [-1, 2.5, '10']) {
      const res = await complete(outsider, { lessonId, timeSpent });
      expect(res.status).toBe(400);
      expect(Object.keys(res.body.details)).toEqual(['body.timeSpent']);
    }
    const missing = await complete(outsider, {});
    expect(missing.status).toBe(400);
    expect(missing.body.details['body.lessonId']).toBe('is required');

    // nothing was recorded for the outsider
    expect((await profileOf(outsider)).statistics).toMatchObject({ totalLessonsCompleted: 0, totalStudyTime: 0, currentStreak: 0 });
  });
});

// Assignments created after the student enrolled are part of progress as well.
describe('lesson completion and assignments', () => {
  it('keeps a course incomplete while an assignment added later is not submitted', async () => {
    const { instructor, course, lessons, student } = await courseWithStudent({ lessons: 1, assignments: 0 });
    await createAssignment(instructor, course.courseId);
    const done = await complete(student, { lessonId: lessons[0]!.lessonId });
    expect(done.body.data.progress).toMatchObject({ completedLessons: 1, totalAssignments: 1, completionPercentage: 50 });
    expect(done.body.data.newAchievements).toEqual([]);
  });
});

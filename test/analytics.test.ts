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

const completeLesson = async (student: TestUser, lessonId: string, timeSpent?: number) => {
  const res = await api('POST', '/api/lessons/complete', { token: student.token, body: { lessonId, timeSpent } });
  expect(res.status).toBe(201);
};

/** A student with some learning done: two of three lessons and the assignment of course A, nothing in B. */
async function learnerWithHistory() {
  const instructor = await createInstructor();
  const courseA = await createCourse(instructor);
  const lessons = [
    await createLesson(instructor, courseA.courseId, { estimatedTime: 20 }),
    await createLesson(instructor, courseA.courseId, { estimatedTime: 25 }),
    await createLesson(instructor, courseA.courseId, { estimatedTime: 30 }),
  ];
  const assignment = await createAssignment(instructor, courseA.courseId, { points: 50 });
  const otherInstructor = await createInstructor();
  const courseB = await createCourse(otherInstructor, { category: 'music' });
  await createLesson(otherInstructor, courseB.courseId);

  const student = await createStudent();
  await enroll(student, courseA.courseId);
  await enroll(student, courseB.courseId);
  await completeLesson(student, lessons[0]!.lessonId, 30);
  await completeLesson(student, lessons[1]!.lessonId, 15);
  const submitted = await api('POST', '/api/assignments/submit', {
    token: student.token,
    body: { assignmentId: assignment.assignmentId, submissionContent: 'My answer' },
  });
  expect(submitted.status).toBe(201);
  return { instructor, otherInstructor, courseA, courseB, lessons, assignment, student };
}

describe('GET /api/analytics and /api/analytics/:userId', () => {
  it("computes every field of ProgressAnalytics from the learner's rows", async () => {
    const { student, courseA, lessons } = await learnerWithHistory();
    const res = await api('GET', '/api/analytics', { token: student.token });
    expect(res.status).toBe(200);
    const data = res.body.data;
    expect(data).toMatchObject({
      userId: student.id,
      period: 'week',
      studyTime: { thisWeek: 45, lastWeek: 0, averagePerDay: 6.4, totalThisPeriod: 45 },
      courses: { totalEnrolled: 2, completedThisPeriod: 0, inProgress: 1, notStarted: 1 },
      performance: { averageGrade: 0, assignmentsCompleted: 1, quizzesCompleted: 0, lessonsCompleted: 2 },
      streaks: { current: 1, longest: 1, average: 1 },
      weeklyLearningGoal: 300,
      weeklyGoalProgress: 15,
      periodData: { lessonsCompleted: 2, assignmentsSubmitted: 1, quizzesCompleted: 0, coursesEnrolled: 2 },
    });
    // Newest first, only the spec's activity types, with the course's title.
    const types = data.recentActivity.map((a: { type: string }) => a.type);
    expect(types.slice(0, 3)).toEqual(['assignment_submitted', 'lesson_completed', 'lesson_completed']);
    expect(types.filter((t: string) => t === 'course_enrolled')).toHaveLength(2);
    expect(new Set(types)).toEqual(new Set(['assignment_submitted', 'lesson_completed', 'course_enrolled']));
    const lessonActivity = data.recentActivity.find((a: { type: string }) => a.type === 'lesson_completed');
    expect(lessonActivity).toMatchObject({ courseId: courseA.courseId, courseTitle: courseA.title });
    expect(typeof lessonActivity.activityId).toBe('string');
    expect(Date.parse(lessonActivity.timestamp)).not.toBeNaN();
    expect(JSON.stringify(data)).not.toContain(lessons[2]!.lessonId);
  });

  it('follows the period and the weekly goal', async () => {
    const { student } = await learnerWithHistory();
    const goal = await api('PUT', '/api/profile/preferences', { token: student.token, body: { userId: student.id, weeklyLearningGoal: 60 } });
    expect(goal.status).toBe(200);
    const res = await api('GET', `/api/analytics/${student.id}`, { token: student.token, query: { period: 'year' } });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      period: 'year',
      studyTime: { totalThisPeriod: 45, averagePerDay: 0.1 },
      weeklyLearningGoal: 60,
      weeklyGoalProgress: 75,
    });
  });

  it('is empty but complete for a learner who has done nothing', async () => {
    const student = await createStudent();
    const res = await api('GET', `/api/analytics/${student.id}`, { token: student.token, query: { period: 'month' } });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      userId: student.id,
      period: 'month',
      studyTime: { thisWeek: 0, lastWeek: 0, averagePerDay: 0, totalThisPeriod: 0 },
      courses: { totalEnrolled: 0, completedThisPeriod: 0, inProgress: 0, notStarted: 0 },
      performance: { averageGrade: 0, assignmentsCompleted: 0, quizzesCompleted: 0, lessonsCompleted: 0 },
      streaks: { current: 0, longest: 0, average: 0 },
      weeklyLearningGoal: 300,
      weeklyGoalProgress: 0,
      recentActivity: [],
      periodData: { lessonsCompleted: 0, assignmentsSubmitted: 0, quizzesCompleted: 0, coursesEnrolled: 0 },
    });
  });

  it('is visible to the learner, admins and their instructors only', async () => {
    const { student, instructor } = await learnerWithHistory();
    const stranger = await createStudent();
    const otherInstructor = await createInstructor();
    const admin = await signInAdmin();
    const path = `/api/analytics/${student.id}`;
    expect((await api('GET', path, { token: instructor.token })).status).toBe(200);
    expect((await api('GET', path, { token: admin.token })).status).toBe(200);
    const refused = await api('GET', path, { token: stranger.token });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect((await api('GET', path, { token: otherInstructor.token })).status).toBe(403);
    expect((await api('GET', path)).status).toBe(401);
    expect((await api('GET', '/api/analytics')).status).toBe(401);
  });

  it('refuses bad periods and ids, and answers 404 for an unknown user', async () => {
    const admin = await signInAdmin();
    const student = await createStudent();
    const badPeriod = await api('GET', '/api/analytics', { token: student.token, query: { period: 'decade' } });
    expect(badPeriod.status).toBe(400);
    expect(badPeriod.body.details).toHaveProperty(['querystring.period']);
    expect((await api('GET', '/api/analytics/not-a-uuid', { token: admin.token })).status).toBe(400);
    const unknown = await api('GET', '/api/analytics/00000000-0000-4000-8000-000000000000', { token: admin.token });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('USER_NOT_FOUND');
    // Someone else asking about an unknown id learns nothing about whether it exists.
    const probe = await api('GET', '/api/analytics/00000000-0000-4000-8000-000000000000', { token: student.token });
    expect(probe.status).toBe(403);
  });
});

describe('GET /api/analytics/:userId/courses', () => {
  it('gives the spec CourseProgress for every active course', async () => {
    const { student, courseA, courseB, lessons, assignment } = await learnerWithHistory();
    const res = await api('GET', `/api/analytics/${student.id}/courses`, { token: student.token });
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(2);
    const a = res.body.data.find((c: { courseId: string }) => c.courseId === courseA.courseId);
    expect(a).toMatchObject({
      courseTitle: courseA.title,
      progress: {
        totalLessons: 3,
        completedLessons: 2,
        totalAssignments: 1,
        completedAssignments: 1,
        totalQuizzes: 0,
        completedQuizzes: 0,
        completionPercentage: 75,
        estimatedTimeRemaining: 30,
      },
      quizzes: [],
    });
    expect(typeof a.enrollmentId).toBe('string');
    expect(Date.parse(a.enrolledAt)).not.toBeNaN();
    expect(a.lessons.map((l: { lessonId: string }) => l.lessonId)).toEqual(lessons.map((l) => l.lessonId));
    expect(a.lessons[0]).toMatchObject({ order: 1, estimatedTime: 20, timeSpent: 30 });
    expect(a.lessons[1]).toMatchObject({ order: 2, timeSpent: 15 });
    expect(a.lessons[0].completedAt).toBeTruthy();
    expect(a.lessons[2]).not.toHaveProperty('completedAt');
    expect(a.assignments).toEqual([
      expect.objectContaining({
        assignmentId: assignment.assignmentId,
        title: assignment.title,
        points: 50,
        status: 'submitted',
        submittedAt: expect.any(String),
        dueDate: expect.any(String),
      }),
    ]);
    expect(a.assignments[0]).not.toHaveProperty('grade');
    expect(a.timeTracking).toMatchObject({ totalTimeSpent: 45, averageTimePerLesson: 22.5, lastActivity: expect.any(String) });
    const covered = a.timeTracking.studySessions.flatMap((s: { lessonsCovered: string[] }) => s.lessonsCovered);
    expect(covered.sort()).toEqual([lessons[0]!.lessonId, lessons[1]!.lessonId].sort());
    const minutes = a.timeTracking.studySessions.reduce((sum: number, s: { duration: number }) => sum + s.duration, 0);
    expect(minutes).toBe(45);

    const b = res.body.data.find((c: { courseId: string }) => c.courseId === courseB.courseId);
    expect(b.progress).toMatchObject({ totalLessons: 1, completedLessons: 0, completionPercentage: 0, estimatedTimeRemaining: 20 });
    expect(b.timeTracking).toEqual({ totalTimeSpent: 0, averageTimePerLesson: 0, studySessions: [] });
  });

  it('drops a course the learner withdrew from', async () => {
    const { student, courseB } = await learnerWithHistory();
    const withdrawn = await api('DELETE', `/api/courses/${courseB.courseId}/enroll`, { token: student.token });
    expect(withdrawn.status).toBe(200);
    const res = await api('GET', `/api/analytics/${student.id}/courses`, { token: student.token });
    expect(res.body.data.map((c: { courseId: string }) => c.courseId)).not.toContain(courseB.courseId);
  });

  it("shows an instructor only the courses they teach, and refuses strangers", async () => {
    const { student, instructor, otherInstructor, courseA, courseB } = await learnerWithHistory();
    const mine = await api('GET', `/api/analytics/${student.id}/courses`, { token: instructor.token });
    expect(mine.status).toBe(200);
    expect(mine.body.data.map((c: { courseId: string }) => c.courseId)).toEqual([courseA.courseId]);
    const theirs = await api('GET', `/api/analytics/${student.id}/courses`, { token: otherInstructor.token });
    expect(theirs.body.data.map((c: { courseId: string }) => c.courseId)).toEqual([courseB.courseId]);
    const admin = await signInAdmin();
    const all = await api('GET', `/api/analytics/${student.id}/courses`, { token: admin.token });
    expect(all.body.data).toHaveLength(2);
    const stranger = await createStudent();
    expect((await api('GET', `/api/analytics/${student.id}/courses`, { token: stranger.token })).status).toBe(403);
    expect((await api('GET', `/api/analytics/${student.id}/courses`)).status).toBe(401);
    expect((await api('GET', '/api/analytics/nope/courses', { token: admin.token })).status).toBe(400);
  });
});

import { describe, expect, it } from 'vitest';
import {
  api,
  courseWithStudent,
  createCourse,
  createInstructor,
  createLesson,
  createStudent,
  enroll,
  signInAdmin,
  type TestUser,
} from './support/api.js';

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const ALL_BADGES = [
  'first_course',
  'seven_day_streak',
  'high_scorer',
  'early_bird',
  'perfect_score',
  'course_completer',
  'streak_master',
  'social_learner',
];

const readAchievements = (viewer: TestUser | undefined, studentId: string) =>
  api('GET', `/api/achievements/${studentId}`, { token: viewer?.token });

async function completeLesson(student: TestUser, lessonId: string) {
  const res = await api('POST', '/api/lessons/complete', { token: student.token, body: { lessonId } });
  if (res.status !== 200 && res.status !== 201) throw new Error(`complete lesson failed: ${res.status} ${JSON.stringify(res.body)}`);
}

const potential = (body: any, badgeType: string) =>
  body.data.potentialAchievements.find((p: any) => p.badgeType === badgeType);

describe('GET /api/achievements/:studentId', () => {
  it('after an enrolment shows first_course earned and progress toward every other badge', async () => {
    const { student } = await courseWithStudent({ lessons: 2, assignments: 1 });
    const res = await readAchievements(student, student.id);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['data']);
    const { data } = res.body;
    expect(data.student).toEqual({
      id: student.id,
      firstName: student.firstName,
      lastName: student.lastName,
      username: student.username,
      currentStreak: 0,
    });
    expect(data.achievements).toEqual([
      {
        achievementId: expect.any(String),
        badgeType: 'first_course',
        title: 'First Course',
        description: expect.any(String),
        earnedAt: expect.any(String),
      },
    ]);
    expect(data.potentialAchievements.map((p: any) => p.badgeType).sort()).toEqual(
      ALL_BADGES.filter((b) => b !== 'first_course').sort(),
    );
    for (const item of data.potentialAchievements) {
      expect(Object.keys(item).sort()).toEqual(['badgeType', 'description', 'percentage', 'progress', 'target', 'title']);
      expect(item.title).toBeTypeOf('string');
      expect(item.description.length).toBeGreaterThan(0);
      expect(item.target).toBeGreaterThan(0);
      expect(item.percentage).toBeGreaterThanOrEqual(0);
      expect(item.percentage).toBeLessThan(100);
    }
    expect(potential(res.body, 'course_completer')).toMatchObject({ progress: 0, target: 1, percentage: 0 });
    expect(potential(res.body, 'seven_day_streak')).toMatchObject({ progress: 0, target: 7, percentage: 0 });
    expect(data.statistics).toEqual({ totalAchievements: 1, totalCourses: 1, totalLessonsCompleted: 0 });
  });

  it('follows learning: a lesson starts the streak, finishing a course earns course_completer', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const lesson = await createLesson(instructor, course.courseId);
    const student = await createStudent();
    await enroll(student, course.courseId);
    await completeLesson(student, lesson.lessonId);

    const res = await readAchievements(student, student.id);
    expect(res.status).toBe(200);
    expect(res.body.data.student.currentStreak).toBe(1);
    expect(potential(res.body, 'seven_day_streak')).toMatchObject({ progress: 1, target: 7, percentage: 14 });
    expect(potential(res.body, 'streak_master')).toMatchObject({ progress: 1, target: 30, percentage: 3 });
    expect(res.body.data.achievements.map((a: any) => a.badgeType).sort()).toEqual(['course_completer', 'first_course']);
    expect(potential(res.body, 'course_completer')).toBeUndefined();
    expect(res.body.data.statistics).toEqual({ totalAchievements: 2, totalCourses: 1, totalLessonsCompleted: 1 });

    // the profile page lists the same badges
    const profile = await api('GET', `/api/users/${student.id}/profile`, { token: student.token });
    expect(profile.body.achievements.map((a: any) => a.achievementId).sort()).toEqual(
      res.body.data.achievements.map((a: any) => a.achievementId).sort(),
    );
  });

  it('a new student has no badge yet and every badge as potential at 0%', async () => {
    const student = await createStudent();
    const res = await readAchievements(student, student.id);
    expect(res.status).toBe(200);
    expect(res.body.data.achievements).toEqual([]);
    expect(res.body.data.potentialAchievements).toHaveLength(ALL_BADGES.length);
    for (const item of res.body.data.potentialAchievements) expect(item).toMatchObject({ progress: 0, percentage: 0 });
    expect(res.body.data.statistics).toEqual({ totalAchievements: 0, totalCourses: 0, totalLessonsCompleted: 0 });
  });

  it("is visible to the student, admins and the course's instructor; 403 for anyone else", async () => {
    const { instructor, student } = await courseWithStudent({ lessons: 1, assignments: 0 });
    const admin = await signInAdmin();
    for (const viewer of [student, instructor, admin]) {
      const res = await readAchievements(viewer, student.id);
      expect(res.status).toBe(200);
      expect(res.body.data.student.id).toBe(student.id);
    }
    const stranger = await createStudent();
    const otherInstructor = await createInstructor();
    await createCourse(otherInstructor);
    for (const viewer of [stranger, otherInstructor]) {
      const res = await readAchievements(viewer, student.id);
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
      expect(JSON.stringify(res.body)).not.toContain('first_course');
    }
  });

  it('answers 404 for an unknown student, 400 for a malformed id, 401 without a token', async () => {
    const student = await createStudent();
    const unknown = await readAchievements(student, UNKNOWN_ID);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ status: 404, code: 'USER_NOT_FOUND' });
    const malformed = await readAchievements(student, 'nope');
    expect(malformed.status).toBe(400);
    expect(malformed.body.details).toEqual({ 'params.studentId': 'must be a valid id' });
    const anonymous = await readAchievements(undefined, student.id);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('UNAUTHENTICATED');
  });
});

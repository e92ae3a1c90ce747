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
const PRIVATE_KEYS = ['email', 'notificationPreference', 'preferredStudyTime', 'weeklyLearningGoal', 'emailVerified'];
const PUBLIC_KEYS = [
  'id',
  'firstName',
  'lastName',
  'username',
  'role',
  'avatarUrl',
  'createdAt',
  'updatedAt',
  'lastLearned',
  'currentStreak',
  'enrollments',
  'achievements',
  'ratings',
  'statistics',
];

const readProfile = (viewer: TestUser, userId: string) => api('GET', `/api/users/${userId}/profile`, { token: viewer.token });

async function completeLesson(student: TestUser, lessonId: string) {
  const res = await api('POST', '/api/lessons/complete', { token: student.token, body: { lessonId } });
  if (res.status !== 200 && res.status !== 201) throw new Error(`complete lesson failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function submitAssignment(student: TestUser, assignmentId: string) {
  const res = await api('POST', '/api/assignments/submit', {
    token: student.token,
    body: { assignmentId, submissionContent: 'My answer' },
  });
  if (res.status !== 200 && res.status !== 201) throw new Error(`submit failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data as { submissionId: string };
}

async function rateCourse(student: TestUser, courseId: string, rating: number, review?: string) {
  const res = await api('POST', `/api/courses/${courseId}/ratings`, { token: student.token, body: { rating, review } });
  if (res.status !== 200 && res.status !== 201) throw new Error(`rating failed: ${res.status} ${JSON.stringify(res.body)}`);
}

describe('GET /api/users/:userId/profile', () => {
  it("shows the owner every field of the spec's profile", async () => {
    const student = await createStudent({ preferredStudyTime: 'evening' });
    const res = await readProfile(student, student.id);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: student.id,
      email: student.email,
      firstName: student.firstName,
      lastName: student.lastName,
      username: student.username,
      role: 'student',
      avatarUrl: '',
      notificationPreference: true,
      preferredStudyTime: 'evening',
      weeklyLearningGoal: 300,
      emailVerified: false,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      lastLearned: null,
      currentStreak: 0,
      enrollments: [],
      achievements: [],
      ratings: [],
      statistics: {
        totalCourses: 0,
        completedCourses: 0,
        totalLessonsCompleted: 0,
        totalAssignmentsSubmitted: 0,
        averageGrade: 0,
        totalStudyTime: 0,
        totalAchievements: 0,
        averageRating: 0,
        currentStreak: 0,
        lastLearned: null,
      },
    });
    expect(new Date(res.body.createdAt).toISOString()).toBe(res.body.createdAt);
    expect(JSON.stringify(res.body)).not.toMatch(/password|argon2/i);
  });

  it('shows other signed-in users the public profile, without email or preferences; admins see all', async () => {
    const student = await createStudent();
    const other = await createStudent();
    const instructor = await createInstructor();
    for (const viewer of [other, instructor]) {
      const res = await readProfile(viewer, student.id);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual([...PUBLIC_KEYS].sort());
      for (const key of PRIVATE_KEYS) expect(res.body).not.toHaveProperty(key);
      expect(JSON.stringify(res.body)).not.toContain(student.email);
      expect(res.body).toMatchObject({ id: student.id, username: student.username, firstName: student.firstName });
    }
    const admin = await signInAdmin();
    const byAdmin = await readProfile(admin, student.id);
    expect(byAdmin.status).toBe(200);
    expect(Object.keys(byAdmin.body).sort()).toEqual([...PUBLIC_KEYS, ...PRIVATE_KEYS].sort());
    expect(byAdmin.body.email).toBe(student.email);
  });

  it('shows enrollments with course, instructor, progress and completions, ratings and statistics', async () => {
    const { instructor, course, lessons, assignments, student } = await courseWithStudent({ lessons: 2, assignments: 1 });
    await completeLesson(student, lessons[0]!.lessonId);
    await submitAssignment(student, assignments[0]!.assignmentId);
    await rateCourse(student, course.courseId, 4, 'Clear and useful');

    const res = await readProfile(student, student.id);
    expect(res.status).toBe(200);
    expect(res.body.enrollments).toEqual([
      {
        enrollmentId: expect.any(String),
        courseId: course.courseId,
        enrolledAt: expect.any(String),
        course: {
          courseId: course.courseId,
          title: course.title,
          category: 'programming',
          difficultyLevel: 'beginner',
          thumbnailUrl: 'https://example.com/thumb.png',
          instructor: {
            id: instructor.id,
            firstName: instructor.firstName,
            lastName: instructor.lastName,
            username: instructor.username,
          },
        },
        progress: {
          totalLessons: 2,
          completedLessons: 1,
          totalAssignments: 1,
          completedAssignments: 1,
          totalQuizzes: 0,
          completedQuizzes: 0,
          completionPercentage: 66,
          lastActivity: expect.any(String),
        },
        lessonCompletions: [{ lessonId: lessons[0]!.lessonId, completedAt: expect.any(String) }],
      },
    ]);
    expect(res.body.ratings).toEqual([
      {
        ratingId: expect.any(String),
        courseId: course.courseId,
        courseTitle: course.title,
        rating: 4,
        review: 'Clear and useful',
        createdAt: expect.any(String),
      },
    ]);
    expect(res.body.achievements).toContainEqual({
      achievementId: expect.any(String),
      badgeType: 'first_course',
      earnedAt: expect.any(String),
    });
    expect(res.body.currentStreak).toBe(1);
    expect(res.body.lastLearned).not.toBeNull();
    expect(res.body.statistics).toEqual({
      totalCourses: 1,
      completedCourses: 0,
      totalLessonsCompleted: 1,
      totalAssignmentsSubmitted: 1,
      averageGrade: 0,
      totalStudyTime: expect.any(Number),
      totalAchievements: res.body.achievements.length,
      averageRating: 4,
      currentStreak: 1,
      lastLearned: res.body.lastLearned,
    });

    // the public view holds the same learning record
    const stranger = await createStudent();
    const publicView = await readProfile(stranger, student.id);
    expect(publicView.body.enrollments).toEqual(res.body.enrollments);
    expect(publicView.body.statistics).toEqual(res.body.statistics);
  });

  it('counts a completed course and averages the ratings given over several courses', async () => {
    const instructor = await createInstructor();
    const student = await createStudent();
    const first = await createCourse(instructor);
    const firstLesson = await createLesson(instructor, first.courseId);
    const second = await createCourse(instructor, { category: 'design', difficultyLevel: 'advanced' });
    await createLesson(instructor, second.courseId);
    await enroll(student, first.courseId);
    await enroll(student, second.courseId);
    await completeLesson(student, firstLesson.lessonId);
    await rateCourse(student, first.courseId, 5);
    await rateCourse(student, second.courseId, 2);

    const res = await readProfile(student, student.id);
    expect(res.body.enrollments.map((e: any) => [e.courseId, e.progress.completionPercentage])).toEqual([
      [first.courseId, 100],
      [second.courseId, 0],
    ]);
    expect(res.body.enrollments[1].course).toMatchObject({ category: 'design', difficultyLevel: 'advanced' });
    expect(res.body.enrollments[1].lessonCompletions).toEqual([]);
    expect(res.body.enrollments[1].progress).not.toHaveProperty('lastActivity');
    expect(res.body.statistics).toMatchObject({ totalCourses: 2, completedCourses: 1, totalLessonsCompleted: 1, averageRating: 3.5 });
    // a rating without a review has no review key
    expect(res.body.ratings).toHaveLength(2);
    for (const rating of res.body.ratings) expect(rating).not.toHaveProperty('review');
    expect(res.body.achievements.map((a: any) => a.badgeType)).toEqual(expect.arrayContaining(['first_course', 'course_completer']));
  });

  it("an instructor's profile has no enrollments", async () => {
    const instructor = await createInstructor();
    await createCourse(instructor);
    const res = await readProfile(instructor, instructor.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ role: 'instructor', enrollments: [], achievements: [], ratings: [] });
    expect(res.body.statistics.totalCourses).toBe(0);
  });

  it('answers 404 for an unknown user, 400 for a malformed id, 401 without a valid token', async () => {
    const student = await createStudent();
    const unknown = await readProfile(student, UNKNOWN_ID);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ status: 404, code: 'USER_NOT_FOUND' });
    const malformed = await readProfile(student, 'not-an-id');
    expect(malformed.status).toBe(400);
    expect(malformed.body.details).toEqual({ 'params.userId': 'must be a valid id' });
    const anonymous = await api('GET', `/api/users/${student.id}/profile`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('UNAUTHENTICATED');
    const badToken = await api('GET', `/api/users/${student.id}/profile`, { token: 'not.a.jwt' });
    expect(badToken.status).toBe(401);
    expect(badToken.body.code).toBe('INVALID_TOKEN');
  });
});

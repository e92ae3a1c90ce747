// The ELearningApiClient methods of a course's life against the real server, in the order that life
// takes: each answer is checked for its shape and, where it changes something, read back. At the end,
// every route of this file's group (sdk-route-groups.ts) must have been called successfully.
import { describe, expect, it } from 'vitest';
import { ELearningApiClient } from '../src/sdk/elearning-client.js';
import { ApiError } from '../src/sdk/errors.js';
import { api, baseUrl, createStudent, signInAdmin, uniqueSuffix } from './support/api.js';
import { TEST_PASSWORD } from './support/constants.js';
import { expectRoutesCalled, record, type Exchange } from './support/sdk.js';
import { sdkRouteGroups } from './support/sdk-route-groups.js';

// What every client of this file sent, to check the coverage at the end.
const logs: Exchange[][] = [];
function client(): ELearningApiClient {
  const sdk = new ELearningApiClient({ baseUrl: baseUrl(), authMode: 'bearer', retryBaseDelayMs: 5 });
  logs.push(record(sdk));
  return sdk;
}

const person = (role: 'student' | 'instructor') => {
  const suffix = uniqueSuffix();
  return {
    email: `sdk-${role}-${suffix}@test.skilled`,
    password: TEST_PASSWORD,
    firstName: role === 'student' ? 'Sam' : 'Ivy',
    lastName: `Sdk${suffix.slice(0, 4)}`,
    username: `sdk_${role.slice(0, 3)}_${suffix}`,
    role,
  };
};

describe("ELearningApiClient: a course's life against the server", () => {
  it('runs a course from creation to deletion through the SDK alone', { timeout: 120_000 }, async () => {
    const anon = client();
    expect(await anon.health()).toMatchObject({ status: 'ok', uptime: expect.any(Number) });
    // Redis is checked too when the server uses it.
    const checks = process.env.REDIS_URL ? { database: 'ok', redis: 'ok' } : { database: 'ok' };
    expect(await anon.ready()).toEqual({ status: 'ready', checks });

    // ---- accounts
    const studentInput = person('student');
    const instructorInput = person('instructor');
    const studentAccount = await anon.registerUser(studentInput);
    expect(studentAccount).toMatchObject({ email: studentInput.email, role: 'student', username: studentInput.username });
    const instructorAccount = await anon.signUp(instructorInput);
    expect(instructorAccount).toMatchObject({ email: instructorInput.email, role: 'instructor' });

    const student = client();
    const session = await student.signIn(studentInput.email, studentInput.password);
    expect(session).toMatchObject({ user: { id: studentAccount.id }, accessToken: expect.any(String), refreshToken: expect.any(String) });
    expect(await student.checkAuth()).toMatchObject({ authenticated: true, user: { id: studentAccount.id, role: 'student' } });
    expect(await student.refreshSession()).toBe(true);
    expect(student.getTokens()!.refreshToken).not.toBe(session.refreshToken);
    expect(await student.checkAuth()).toMatchObject({ authenticated: true });

    const instructor = client();
    await instructor.signIn(instructorInput.email, instructorInput.password);
    const admin = client();
    const adminUser = await signInAdmin();
    await admin.signIn(adminUser.email, adminUser.password);

    // ---- profile
    expect(await student.checkUsername(`free_${uniqueSuffix()}`)).toMatchObject({ available: true });
    expect(await student.checkUsername(instructorInput.username)).toEqual({ username: instructorInput.username, available: false });
    const renamed = await student.updateProfile({ firstName: 'Samantha' });
    expect(renamed).toMatchObject({ id: studentAccount.id, firstName: 'Samantha' });
    const preferences = await student.updatePreferences({ userId: studentAccount.id, weeklyLearningGoal: 300, preferredStudyTime: 'evening' });
    expect(preferences).toEqual({ id: studentAccount.id, notificationPreference: expect.any(Boolean), preferredStudyTime: 'evening', weeklyLearningGoal: 300 });
    const profile = await student.getUserProfile(studentAccount.id);
    expect(profile).toMatchObject({ firstName: 'Samantha', email: studentInput.email, weeklyLearningGoal: 300, enrollments: [] });

    // ---- course, lessons, assignments, quiz
    const course = await instructor.createCourse({ title: `Heliography ${uniqueSuffix()}`, category: 'science', difficultyLevel: 'beginner' });
    expect(course).toMatchObject({ instructorId: instructorAccount.id, lessons: [], statistics: { totalEnrollments: 0 } });
    const listed = await anon.listCourses({ instructorId: instructorAccount.id });
    expect(listed.data.map((c) => c.courseId)).toEqual([course.courseId]);
    expect(listed.pagination).toMatchObject({ page: 1, limit: 10, totalCount: 1, totalPages: 1, hasNext: false, hasPrev: false });
    expect((await instructor.getCourse(course.courseId)).title).toBe(course.title);
    const etag = instructor.etagFor(`/api/courses/${course.courseId}`);
    expect(etag).toBeDefined();
    const updatedCourse = await instructor.updateCourse(course.courseId, { description: 'Edited with If-Match' }, { ifMatch: etag! });
    expect(updatedCourse.description).toBe('Edited with If-Match');

    const lesson1 = await instructor.createLesson(course.courseId, { title: 'First', estimatedTime: 15 });
    const lesson2 = await instructor.createLesson(course.courseId, { title: 'Second', estimatedTime: 25 });
    expect([lesson1.order, lesson2.order]).toEqual([1, 2]);
    expect((await anon.getCourseLesson(course.courseId, lesson1.lessonId)).title).toBe('First');
    expect((await instructor.updateLesson(course.courseId, lesson1.lessonId, { title: 'First, renamed' })).title).toBe('First, renamed');
    const reordered = await instructor.reorderLessons(course.courseId, [lesson2.lessonId, lesson1.lessonId]);
    expect(reordered.map((l) => [l.lessonId, l.order])).toEqual([
      [lesson2.lessonId, 1],
      [lesson1.lessonId, 2],
    ]);
    expect((await anon.listCourseLessons(course.courseId)).map((l) => l.title)).toEqual(['Second', 'First, renamed']);

    const content = await instructor.saveLessonContent(lesson1.lessonId, { body: '# Light\n\nDrawing with **sunlight**.', changeNote: 'first draft' });
    expect(content).toMatchObject({ lessonId: lesson1.lessonId, version: 1, html: expect.stringContaining('<strong>sunlight</strong>') });
    await instructor.saveLessonContent(lesson1.lessonId, { body: '# Light\n\nSecond version.' });
    expect(await instructor.getLessonContent(lesson1.lessonId, { version: 1 })).toMatchObject({ version: 1, totalVersions: 2 });
    const mediaProgress: number[] = [];
    const media = await instructor.uploadLessonMedia(
      lesson1.lessonId,
      new Blob(['Notes for the lesson\n'], { type: 'text/plain' }),
      (value) => mediaProgress.push(value),
      { fileName: 'notes.txt' },
    );
    expect(media).toMatchObject({ fileName: 'notes.txt', contentType: expect.stringMatching(/^text\/plain/) });
    expect(mediaProgress.at(-1)).toBe(1);
    expect((await instructor.listLessonMedia(lesson1.lessonId)).map((m) => m.fileId)).toEqual([media.fileId]);

    const dueDate = new Date(Date.now() + 5 * 86_400_000).toISOString();
    const assignment = await instructor.createAssignment({ courseId: course.courseId, title: 'Essay', points: 10, dueDate });
    const second = await instructor.createAssignment({ courseId: course.courseId, lessonId: lesson1.lessonId, title: 'Exercise', points: 20 });
    expect(assignment).toMatchObject({ courseId: course.courseId, points: 10, dueDate: expect.any(String) });
    expect((await instructor.updateAssignment(second.assignmentId, { description: 'Now with words' })).description).toBe('Now with words');
    const rubric = await instructor.setAssignmentRubric(assignment.assignmentId, {
      criteria: [
        { title: 'Content', levels: [{ title: 'Thin', points: 2 }, { title: 'Rich', points: 6 }] },
        { title: 'Style', levels: [{ title: 'Rough', points: 1 }, { title: 'Polished', points: 4 }] },
      ],
    });
    expect(rubric).toMatchObject({ assignmentId: assignment.assignmentId, totalPoints: 10 });
    expect(await instructor.getAssignmentRubric(assignment.assignmentId)).toEqual(rubric);

    const quiz = await instructor.createQuiz({
      courseId: course.courseId,
      title: 'Check',
      questions: [
        { type: 'single_choice', prompt: '2 + 2?', options: ['3', '4'], correctAnswer: '4', points: 2 },
        { type: 'true_false', prompt: 'The sky is green', correctAnswer: false, points: 1 },
      ],
    });
    expect(quiz).toMatchObject({ view: 'staff', totalQuestions: 2, totalPoints: 3 });
    expect((await instructor.updateQuiz(quiz.quizId, { passingScore: 50 })).passingScore).toBe(50);
    const staffQuiz = await instructor.getQuiz(quiz.quizId);
    expect(staffQuiz.view).toBe('staff');
    expect((await instructor.listCourseQuizzes(course.courseId)).data.map((q) => q.quizId)).toEqual([quiz.quizId]);

    // ---- the student learns
    const enrollment = await student.enrollInCourse(course.courseId);
    expect(enrollment).toMatchObject({ courseId: course.courseId, studentId: studentAccount.id, status: 'active' });
    const completion = await student.completeLesson({ lessonId: lesson2.lessonId, timeSpent: 30 });
    expect(completion).toMatchObject({ lessonId: lesson2.lessonId, alreadyCompleted: false, progress: { completedLessons: 1 } });
    const progress = await student.getCourseProgress(course.courseId);
    expect(progress).toMatchObject({ courseId: course.courseId, progress: { totalLessons: 2, completedLessons: 1, totalAssignments: 2 } });

    const mine = await student.listMyAssignments();
    expect(mine.data.every((a) => a.view === 'student')).toBe(true);
    expect(mine.pagination.totalCount).toBe(2);
    const managed = await instructor.listMyAssignments({ courseId: course.courseId });
    expect(managed.data.map((a) => a.view)).toEqual(['instructor', 'instructor']);
    const courseAssignments = await student.listCourseAssignments(course.courseId);
    expect(courseAssignments).toMatchObject({ course: { courseId: course.courseId }, totalAssignments: 2 });
    expect((await student.getAssignment(assignment.assignmentId)).submission).toMatchObject({ status: 'not_started' });

    const receipt = await student.submitAssignment(assignment.assignmentId, { submissionContent: 'My essay' });
    expect(receipt).toMatchObject({ assignmentId: assignment.assignmentId, status: 'submitted', isLate: false });
    const attachment = await student.upload(new Blob(['My exercise, worked out\n'], { type: 'text/plain' }), undefined, { fileName: 'exercise.txt' });
    const receipt2 = await student.submitAssignment(second.assignmentId, { fileUrl: attachment.url, fileName: 'exercise.txt' });
    expect(receipt2.fileUrl).toBe(attachment.url);
    expect(await (await instructor.getFile(attachment.fileId)).text()).toBe('My exercise, worked out\n');
    const zip = await student.downloadLesson(lesson1.lessonId);
    expect(new TextDecoder().decode(new Uint8Array(await zip.arrayBuffer()).slice(0, 2))).toBe('PK');
    expect(await (await student.downloadLesson(lesson1.lessonId, { fileId: media.fileId })).text()).toBe('Notes for the lesson\n');

    const submissions = await instructor.listAssignmentSubmissions(assignment.assignmentId, { status: 'submitted' });
    expect(submissions.data.map((s) => s.submissionId)).toEqual([receipt.submissionId]);
    const graded = await instructor.gradeSubmission(assignment.assignmentId, {
      submissionId: receipt.submissionId,
      feedback: 'Good work',
      rubricScores: rubric.criteria.map((criterion) => ({ criterionId: criterion.criterionId, levelId: criterion.levels.at(-1)!.levelId })),
    });
    expect(graded).toMatchObject({ status: 'graded', grade: 10, rubricScores: expect.any(Array) });
    const bulk = await instructor.bulkGradeSubmissions(second.assignmentId, {
      grades: [{ submissionId: receipt2.submissionId, grade: 15, feedback: 'Fine' }],
    });
    expect(bulk).toMatchObject({ graded: 1, submissions: [{ submissionId: receipt2.submissionId, grade: 15 }] });
    const feedback = await student.getAssignmentFeedback(assignment.assignmentId);
    expect(feedback).toMatchObject({ grade: 10, feedback: 'Good work', history: [{ grade: 10 }] });

    const attempt = await student.startQuizAttempt(quiz.quizId);
    expect(attempt).toMatchObject({ quizId: quiz.quizId, attemptNumber: 1, status: 'in_progress' });
    const studentQuiz = await student.getQuiz(quiz.quizId);
    if (studentQuiz.view !== 'student') throw new Error('a student must get the student view');
    const [q1, q2] = studentQuiz.questions;
    const result = await student.submitQuizAttempt(quiz.quizId, attempt.attemptId, {
      answers: [
        { questionId: q1!.questionId, answer: '4' },
        { questionId: q2!.questionId, answer: true },
      ],
    });
    expect(result).toMatchObject({ status: 'submitted', score: 2, totalPoints: 3, passed: true });
    const myResults = await student.getQuizResults(quiz.quizId);
    expect(myResults.view).toBe('student');
    const staffResults = await instructor.getQuizResults(quiz.quizId);
    expect(staffResults).toMatchObject({ view: 'staff', statistics: { submittedAttempts: 1 } });

    const rating = await student.rateCourse(course.courseId, { rating: 5, review: 'Clear and short' });
    expect(rating).toMatchObject({ courseId: course.courseId, rating: 5, review: 'Clear and short' });
    const ratings = await anon.listCourseRatings(course.courseId);
    expect(ratings.data.map((r) => r.rating)).toEqual([5]);

    // ---- progress views
    const analytics = await student.getLearningAnalytics('month');
    expect(analytics).toMatchObject({ userId: studentAccount.id, period: 'month', performance: { lessonsCompleted: 1 } });
    expect(await student.getMyAnalytics('month')).toEqual(analytics);
    expect((await instructor.getUserAnalytics(studentAccount.id, 'week')).userId).toBe(studentAccount.id);
    expect((await student.getUserCourseProgress(studentAccount.id)).map((p) => p.courseId)).toEqual([course.courseId]);
    const achievements = await student.getStudentAchievements(studentAccount.id);
    expect(achievements.achievements.map((a) => a.badgeType)).toContain('first_course');
    expect(Array.isArray(await student.getRecommendations({ limit: 3 }))).toBe(true);
    const grades = await student.getGradeReport(studentAccount.id);
    expect(grades.courses[0]).toMatchObject({ courseId: course.courseId, earnedPoints: 27, possiblePoints: 33 });

    const report = await student.exportProgressReport('csv', { period: 'month' });
    expect(report).toBeInstanceOf(Blob);
    expect(report.type).toMatch(/^text\/csv/);
    const pdf = await student.exportProgressReport();
    expect(new TextDecoder().decode(new Uint8Array(await pdf.arrayBuffer()).slice(0, 5))).toBe('%PDF-');

    const found = await student.search({ q: 'heliography', type: 'course' });
    expect(found.data.map((r) => r.courseId)).toContain(course.courseId);
    const activity = await student.getUserActivity(studentAccount.id);
    expect(activity.data.map((a) => a.type)).toEqual(expect.arrayContaining(['course_enrolled', 'lesson_completed', 'assignment_submitted']));
    const atRisk = await instructor.getAtRiskStudents(course.courseId, { inactiveDays: 30 });
    expect(atRisk).toMatchObject({ course: { courseId: course.courseId }, criteria: { enrolledStudents: 1 }, pagination: { page: 1 } });

    // ---- admin
    const other = await createStudent();
    expect((await admin.listUsers({ search: other.email })).data.map((u) => u.id)).toEqual([other.id]);
    expect(await admin.updateUserRole(other.id, 'instructor')).toMatchObject({ id: other.id, role: 'instructor' });
    expect(await admin.suspendUser(other.id, 'testing the SDK')).toMatchObject({ status: 'suspended', suspensionReason: 'testing the SDK' });
    expect(await admin.unsuspendUser(other.id)).toMatchObject({ status: 'active', suspendedAt: null });
    const audit = await admin.listAuditLog({ targetId: other.id });
    expect(audit.data.map((e) => e.action)).toEqual(expect.arrayContaining(['user.suspend', 'user.unsuspend']));
    const platform = await admin.getPlatformAnalytics();
    expect(platform.users.total).toBeGreaterThan(0);
    const adminReport = await admin.getAdminReport({ type: 'enrollments', format: 'csv' });
    expect(await adminReport.text()).toContain(course.title);
    const job = await admin.createExport({ entities: ['courses'], format: 'json' });
    expect(job).toMatchObject({ status: expect.stringMatching(/queued|running|completed/), statusUrl: expect.any(String) });
    let state = await admin.getExport(job.exportId);
    for (const started = Date.now(); state.status !== 'completed' && Date.now() - started < 30_000; ) {
      expect(state.status).not.toBe('failed');
      await new Promise((resolve) => setTimeout(resolve, 100));
      state = await admin.getExport(job.exportId);
    }
    expect(state.status).toBe('completed');
    expect((await admin.listExports()).data.map((e) => e.exportId)).toContain(job.exportId);
    const exported = JSON.parse(await (await admin.downloadExport(job.exportId)).text()) as { courses: { courseId?: string; id?: string }[] };
    expect(JSON.stringify(exported.courses)).toContain(course.courseId);
    expect(await admin.fixAssignments()).toMatchObject({ createdSubmissions: expect.any(Number), fixedStatuses: expect.any(Number) });

    const classmate = await createStudent();
    const bulkEnrolled = await instructor.bulkEnroll(course.courseId, { students: [{ email: classmate.email }], mode: 'per_row' });
    expect(bulkEnrolled).toMatchObject({ enrolled: 1, failed: 0, results: [{ studentId: classmate.id, status: 'enrolled' }] });

    const batch = await student.batch([
      { method: 'GET', endpoint: `/api/courses/${course.courseId}/progress` },
      { method: 'GET', endpoint: `/api/quizzes/${quiz.quizId}` },
    ]);
    expect(batch.map((b) => b.status)).toEqual([200, 200]);

    // ---- leaving and deleting
    const withdrawn = await student.unenrollFromCourse(course.courseId);
    expect(withdrawn).toMatchObject({ status: 'withdrawn', withdrawnAt: expect.any(String) });
    const notEnrolled = await student.getCourseProgress(course.courseId).catch((e: unknown) => e);
    expect(notEnrolled).toBeInstanceOf(ApiError);
    expect((notEnrolled as ApiError).status).toBe(403);

    expect((await instructor.deleteQuiz(quiz.quizId)).message).toMatch(/deleted/i);
    expect((await instructor.deleteAssignment(second.assignmentId)).message).toMatch(/deleted/i);
    expect((await instructor.deleteLesson(course.courseId, lesson1.lessonId)).message).toMatch(/deleted/i);
    expect((await instructor.listCourseLessons(course.courseId)).map((l) => l.lessonId)).toEqual([lesson2.lessonId]);
    expect((await instructor.deleteCourse(course.courseId)).message).toMatch(/deleted/i);
    expect((await api('GET', `/api/courses/${course.courseId}`)).status).toBe(404);

    await student.signOut();
    expect(student.getTokens()).toBeUndefined();
    expect(await student.checkAuth()).toEqual({ authenticated: false });

    // ---- every route of this file's group was called, successfully, by this test
    expectRoutesCalled(logs, sdkRouteGroups.courseLife);
  });
});

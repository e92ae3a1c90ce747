import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  api,
  createAssignment,
  createCourse,
  createInstructor,
  createStudent,
  enroll,
  signInAdmin,
  type TestUser,
} from './support/api.js';
import { gradeSubmission, ISO, submitWork } from './support/grading.js';
import { createQuiz, SAMPLE_TOTAL, takeQuiz } from './support/quizzes.js';

const report = (viewer: TestUser | undefined, userId: string) => api('GET', `/api/grades/${userId}`, { token: viewer?.token });
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

/**
 * A student in two courses taught by two instructors. Course A: a graded 50-point assignment (45), a
 * submitted one, an unstarted one, and a quiz taken twice. Course B: a graded 20-point assignment (10).
 */
async function twoCourses() {
  const teacherA = await createInstructor();
  const teacherB = await createInstructor();
  const courseA = await createCourse(teacherA, { title: `Algebra ${randomUUID().slice(0, 6)}` });
  const courseB = await createCourse(teacherB, { title: `Botany ${randomUUID().slice(0, 6)}`, category: 'science' });
  const graded = await createAssignment(teacherA, courseA.courseId, { points: 50, dueDate: inDays(1) });
  const handedIn = await createAssignment(teacherA, courseA.courseId, { points: 30, dueDate: inDays(2) });
  const open = await createAssignment(teacherA, courseA.courseId, { points: 40, dueDate: inDays(3) });
  const quiz = await createQuiz(teacherA, courseA.courseId);
  const gradedB = await createAssignment(teacherB, courseB.courseId, { points: 20 });
  const student = await createStudent();
  await enroll(student, courseA.courseId);
  await enroll(student, courseB.courseId);

  const s1 = await submitWork(student, graded.assignmentId);
  await submitWork(student, handedIn.assignmentId);
  const g1 = await gradeSubmission(teacherA, graded.assignmentId, { submissionId: s1.submissionId, grade: 45, feedback: 'good' });
  const s2 = await submitWork(student, gradedB.assignmentId);
  await gradeSubmission(teacherB, gradedB.assignmentId, { submissionId: s2.submissionId, grade: 10, feedback: 'half' });
  // a weaker attempt, then a perfect one: the best counts
  const weak = await takeQuiz(student, quiz, { numeric: 99, short_answer: 'nope' });
  if (weak.status !== 200 && weak.status !== 201) throw new Error(`quiz submit failed: ${weak.status} ${JSON.stringify(weak.body)}`);
  const best = await takeQuiz(student, quiz);
  if (best.status !== 200 && best.status !== 201) throw new Error(`quiz submit failed: ${best.status} ${JSON.stringify(best.body)}`);
  return { teacherA, teacherB, courseA, courseB, graded, handedIn, open, quiz, gradedB, student, gradedAt: g1.body.data.gradedAt };
}

describe('GET /api/grades/:userId', () => {
  it('gives the student a report per course with each assignment and quiz, and the percentages', async () => {
    const setup = await twoCourses();
    const { student, courseA, courseB, graded, handedIn, open, quiz, gradedB } = setup;
    const res = await report(student, student.id);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: {
        student: { id: student.id, firstName: student.firstName, lastName: student.lastName, username: student.username },
        courses: [
          {
            courseId: courseA.courseId,
            title: courseA.title,
            category: 'programming',
            enrollmentStatus: 'active',
            assignments: [
              {
                assignmentId: graded.assignmentId,
                title: graded.title,
                points: 50,
                status: 'graded',
                score: 45,
                dueDate: graded.dueDate,
                submittedAt: expect.stringMatching(ISO),
                gradedAt: setup.gradedAt,
              },
              {
                assignmentId: handedIn.assignmentId,
                title: handedIn.title,
                points: 30,
                status: 'submitted',
                dueDate: handedIn.dueDate,
                submittedAt: expect.stringMatching(ISO),
              },
              { assignmentId: open.assignmentId, title: open.title, points: 40, status: 'not_started', dueDate: open.dueDate },
            ],
            quizzes: [
              {
                quizId: quiz.quizId,
                title: quiz.title,
                totalPoints: SAMPLE_TOTAL,
                score: SAMPLE_TOTAL,
                attempts: 2,
                submittedAt: expect.stringMatching(ISO),
              },
            ],
            // graded items only: 45/50 and 10/10
            earnedPoints: 55,
            possiblePoints: 60,
            percentage: 91.67,
            gradedItems: 2,
          },
          {
            courseId: courseB.courseId,
            title: courseB.title,
            category: 'science',
            enrollmentStatus: 'active',
            assignments: [
              {
                assignmentId: gradedB.assignmentId,
                title: gradedB.title,
                points: 20,
                status: 'graded',
                score: 10,
                dueDate: gradedB.dueDate,
                submittedAt: expect.stringMatching(ISO),
                gradedAt: expect.stringMatching(ISO),
              },
            ],
            quizzes: [],
            earnedPoints: 10,
            possiblePoints: 20,
            percentage: 50,
            gradedItems: 1,
          },
        ],
        overall: { earnedPoints: 65, possiblePoints: 80, percentage: 81.25, gradedItems: 3 },
      },
    });
  });

  it('follows regrades and shows a quiz not yet taken with its question points and no score', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const assignment = await createAssignment(instructor, course.courseId, { points: 10 });
    const quiz = await createQuiz(instructor, course.courseId);
    const student = await createStudent();
    await enroll(student, course.courseId);
    const empty = await report(student, student.id);
    expect(empty.body.data.courses[0]).toMatchObject({ earnedPoints: 0, possiblePoints: 0, percentage: null, gradedItems: 0 });
    expect(empty.body.data.courses[0].quizzes).toEqual([{ quizId: quiz.quizId, title: quiz.title, totalPoints: SAMPLE_TOTAL, attempts: 0 }]);
    expect(empty.body.data.overall).toEqual({ earnedPoints: 0, possiblePoints: 0, percentage: null, gradedItems: 0 });

    const { submissionId } = await submitWork(student, assignment.assignmentId);
    await gradeSubmission(instructor, assignment.assignmentId, { submissionId, grade: 4, feedback: '' });
    await gradeSubmission(instructor, assignment.assignmentId, { submissionId, grade: 6.67, feedback: 'regraded' });
    const after = await report(student, student.id);
    expect(after.body.data.courses[0].assignments[0]).toMatchObject({ status: 'graded', score: 6.67 });
    expect(after.body.data.courses[0]).toMatchObject({ earnedPoints: 6.67, possiblePoints: 10, percentage: 66.7 });
    // the student's own list shows the same two-decimal grade
    const mine = await api('GET', '/api/assignments', { token: student.token });
    expect(mine.body.data[0]).toMatchObject({ status: 'graded', grade: 6.67 });
  });

  it('shows an instructor only the courses they teach, and an admin every course', async () => {
    const { teacherA, teacherB, courseA, courseB, student } = await twoCourses();
    const byA = await report(teacherA, student.id);
    expect(byA.status).toBe(200);
    expect(byA.body.data.courses.map((c: { courseId: string }) => c.courseId)).toEqual([courseA.courseId]);
    expect(byA.body.data.overall).toEqual({ earnedPoints: 55, possiblePoints: 60, percentage: 91.67, gradedItems: 2 });
    const byB = await report(teacherB, student.id);
    expect(byB.body.data.courses.map((c: { courseId: string }) => c.courseId)).toEqual([courseB.courseId]);
    const byAdmin = await report(await signInAdmin(), student.id);
    expect(byAdmin.body.data.courses.map((c: { courseId: string }) => c.courseId)).toEqual([courseA.courseId, courseB.courseId]);
  });

  it('refuses other students and instructors with no course in common (403), and needs a token (401)', async () => {
    const { student } = await twoCourses();
    const classmate = await createStudent();
    const stranger = await createInstructor();
    await createCourse(stranger);
    const peeking = await report(classmate, student.id);
    expect(peeking.status).toBe(403);
    expect(peeking.body).toMatchObject({ code: 'FORBIDDEN', status: 403, requestId: expect.any(String) });
    expect((await report(stranger, student.id)).status).toBe(403);
    expect((await report(stranger, randomUUID())).status).toBe(403);
    expect((await report(undefined, student.id)).status).toBe(401);
  });

  it('answers 404 for an unknown user (admin) and 400 for a malformed id', async () => {
    const admin = await signInAdmin();
    const missing = await report(admin, randomUUID());
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('USER_NOT_FOUND');
    const bad = await report(admin, 'not-an-id');
    expect(bad.status).toBe(400);
    expect(bad.body.details).toHaveProperty('params.userId');
  });

  it('gives a student with no courses an empty report', async () => {
    const loner = await createStudent();
    const res = await report(loner, loner.id);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      student: { id: loner.id, firstName: loner.firstName, lastName: loner.lastName, username: loner.username },
      courses: [],
      overall: { earnedPoints: 0, possiblePoints: 0, percentage: null, gradedItems: 0 },
    });
  });
});

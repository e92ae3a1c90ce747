import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  api,
  createCourse,
  createInstructor,
  createLesson,
  createStudent,
  enroll,
  signInAdmin,
  type TestUser,
} from './support/api.js';
import {
  createQuiz,
  newEnrolledStudent,
  quizSetup,
  SAMPLE_TOTAL,
  sampleAnswers,
  sampleQuestions,
  sleep,
  startAttempt,
  submitAttempt,
  takeQuiz,
} from './support/quizzes.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const anyIso = expect.stringMatching(ISO);
const anyId = expect.stringMatching(UUID);

const getQuiz = (user: TestUser, quizId: string) => api('GET', `/api/quizzes/${quizId}`, { token: user.token });
const results = (user: TestUser, quizId: string, query: Record<string, number> = {}) =>
  api('GET', `/api/quizzes/${quizId}/results`, { token: user.token, query });
const courseQuizzes = (user: TestUser, courseId: string, query: Record<string, number> = {}) =>
  api('GET', `/api/courses/${courseId}/quizzes`, { token: user.token, query });
const updateQuiz = (user: TestUser, quizId: string, body: unknown) => api('PUT', `/api/quizzes/${quizId}`, { token: user.token, body });

/** The staff view of the sample questions, as created. */
const staffQuestions = () => [
  {
    questionId: anyId,
    order: 1,
    type: 'single_choice',
    prompt: 'Which keyword defines a function in Python?',
    options: ['func', 'def', 'function', 'lambda'],
    correctAnswer: 'def',
    points: 1,
  },
  {
    questionId: anyId,
    order: 2,
    type: 'multiple_choice',
    prompt: 'Which of these are mutable?',
    options: ['list', 'tuple', 'dict', 'str'],
    correctAnswer: ['list', 'dict'],
    points: 2,
  },
  {
    questionId: anyId,
    order: 3,
    type: 'true_false',
    prompt: 'Python lists can hold values of different types.',
    options: [],
    correctAnswer: true,
    points: 1,
  },
  {
    questionId: anyId,
    order: 4,
    type: 'short_answer',
    prompt: 'Which built-in function prints text to the console?',
    options: [],
    correctAnswer: ['print zebra', 'PRINT-ZEBRA'],
    points: 3,
  },
  {
    questionId: anyId,
    order: 5,
    type: 'numeric',
    prompt: 'What is pi to two decimals?',
    options: [],
    correctAnswer: 3.14159,
    tolerance: 0.005,
    points: 3,
  },
];

/** Nothing in a student's response may reveal an answer of the sample quiz before submission. */
function expectNoAnswers(body: unknown) {
  const json = JSON.stringify(body);
  for (const secret of ['correctAnswer', 'tolerance', 'print zebra', 'PRINT-ZEBRA', '3.14159', '0.005', '"results"']) {
    expect(json).not.toContain(secret);
  }
}

describe('POST /api/quizzes', () => {
  it('creates a quiz with one question of each type and answers the staff view, which GET reads back', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const lesson = await createLesson(instructor, course.courseId);
    const res = await api('POST', '/api/quizzes', {
      token: instructor.token,
      body: {
        courseId: course.courseId,
        lessonId: lesson.lessonId,
        title: '  Python basics check  ',
        description: 'Values, types and control flow.',
        timeLimit: 15,
        attemptsAllowed: 3,
        passingScore: 70,
        questions: sampleQuestions(),
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      message: 'Quiz created successfully',
      data: {
        view: 'staff',
        quizId: anyId,
        courseId: course.courseId,
        lessonId: lesson.lessonId,
        title: 'Python basics check',
        description: 'Values, types and control flow.',
        timeLimit: 15,
        attemptsAllowed: 3,
        passingScore: 70,
        totalQuestions: 5,
        totalPoints: SAMPLE_TOTAL,
        createdAt: anyIso,
        updatedAt: anyIso,
        questions: staffQuestions(),
      },
    });
    const read = await getQuiz(instructor, res.body.data.quizId);
    expect(read.status).toBe(200);
    expect(read.body.data).toEqual(res.body.data);
    // the course details list it too, with its totals
    const details = await api('GET', `/api/courses/${course.courseId}`);
    expect(details.body.data.quizzes).toEqual([
      {
        quizId: res.body.data.quizId,
        title: 'Python basics check',
        description: 'Values, types and control flow.',
        totalQuestions: 5,
        totalPoints: SAMPLE_TOTAL,
        timeLimit: 15,
      },
    ]);
  });

  it('defaults: no time limit, unlimited attempts, no pass mark; a single accepted text becomes a list; tolerance 0', async () => {
    const admin = await signInAdmin();
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    // an admin may create a quiz in anyone's course
    const res = await api('POST', '/api/quizzes', {
      token: admin.token,
      body: {
        courseId: course.courseId,
        title: 'Defaults',
        questions: [
          { type: 'short_answer', prompt: 'Say hi', correctAnswer: 'hi', points: 1 },
          { type: 'numeric', prompt: 'Two?', correctAnswer: 2, points: 1 },
        ],
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ timeLimit: null, attemptsAllowed: null, passingScore: null, totalPoints: 2 });
    expect(res.body.data).not.toHaveProperty('description');
    expect(res.body.data).not.toHaveProperty('lessonId');
    expect(res.body.data.questions.map((q: any) => q.correctAnswer)).toEqual([['hi'], 2]);
    expect(res.body.data.questions[1].tolerance).toBe(0);
    expect(res.body.data.questions[0]).not.toHaveProperty('tolerance');
  });

  it('keeps text answers that look like JSON as text', async () => {
    const { quiz, student } = await quizSetup({
      questions: [
        { type: 'single_choice', prompt: 'Pick 42', options: ['true', '42', 'null'], correctAnswer: '42', points: 1 },
        { type: 'short_answer', prompt: 'Type true', correctAnswer: 'true', points: 1 },
        { type: 'multiple_choice', prompt: 'Pick both', options: ['1', '[2]', 'x'], correctAnswer: ['1', '[2]'], points: 1 },
      ],
    });
    expect(quiz.questions.map((q: any) => q.correctAnswer)).toEqual(['42', ['true'], ['1', '[2]']]);
    const started = await startAttempt(student, quiz.quizId);
    const [single, short, multiple] = quiz.questions;
    const res = await submitAttempt(student, quiz.quizId, started.body.data.attemptId, [
      { questionId: single!.questionId, answer: '42' },
      { questionId: short!.questionId, answer: 'TRUE' },
      { questionId: multiple!.questionId, answer: ['[2]', '1'] },
    ]);
    expect(res.status).toBe(200);
    expect(res.body.data.score).toBe(3);
    expect(res.body.data.questions.map((q: any) => q.answer)).toEqual(['42', 'TRUE', ['[2]', '1']]);
  });

  it('validates each question by its type, field by field', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const cases: [Record<string, unknown>, string][] = [
      [{ type: 'single_choice', prompt: 'p', options: ['a', 'b'], correctAnswer: 'c', points: 1 }, 'body.questions.0.correctAnswer'],
      [{ type: 'single_choice', prompt: 'p', options: ['a', 'b'], correctAnswer: 0, points: 1 }, 'body.questions.0.correctAnswer'],
      [{ type: 'single_choice', prompt: 'p', options: ['a'], correctAnswer: 'a', points: 1 }, 'body.questions.0.options'],
      [{ type: 'single_choice', prompt: 'p', options: ['a', 'a'], correctAnswer: 'a', points: 1 }, 'body.questions.0.options'],
      [{ type: 'multiple_choice', prompt: 'p', options: ['a', 'b'], correctAnswer: [], points: 1 }, 'body.questions.0.correctAnswer'],
      [{ type: 'multiple_choice', prompt: 'p', options: ['a', 'b'], correctAnswer: ['a', 'z'], points: 1 }, 'body.questions.0.correctAnswer'],
      [{ type: 'multiple_choice', prompt: 'p', options: ['a', 'b'], correctAnswer: 'a', points: 1 }, 'body.questions.0.correctAnswer'],
      [{ type: 'true_false', prompt: 'p', correctAnswer: 'true', points: 1 }, 'body.questions.0.correctAnswer'],
      [{ type: 'short_answer', prompt: 'p', correctAnswer: '   ', points: 1 }, 'body.questions.0.correctAnswer'],
      [{ type: 'short_answer', prompt: 'p', correctAnswer: [], points: 1 }, 'body.questions.0.correctAnswer'],
      [{ type: 'numeric', prompt: 'p', correctAnswer: '3', points: 1 }, 'body.questions.0.correctAnswer'],
      [{ type: 'numeric', prompt: 'p', correctAnswer: 3, tolerance: -1, points: 1 }, 'body.questions.0.tolerance'],
      [{ type: 'essay', prompt: 'p', correctAnswer: 'x', points: 1 }, 'body.questions.0.type'],
      [{ type: 'true_false', prompt: '', correctAnswer: true, points: 1 }, 'body.questions.0.prompt'],
      [{ type: 'true_false', prompt: 'p', correctAnswer: true, points: 0 }, 'body.questions.0.points'],
      [{ type: 'true_false', prompt: 'p', correctAnswer: true, points: 1.5 }, 'body.questions.0.points'],
    ];
    for (const [question, field] of cases) {
      const res = await api('POST', '/api/quizzes', {
        token: instructor.token,
        body: { courseId: course.courseId, title: 'Bad', questions: [question] },
      });
      expect({ question, status: res.status, code: res.body.code }).toEqual({ question, status: 400, code: 'VALIDATION_ERROR' });
      expect(Object.keys(res.body.details), JSON.stringify(question)).toContain(field);
    }
    const settings: [Record<string, unknown>, string][] = [
      [{ timeLimit: 0.01 }, 'body.timeLimit'],
      [{ timeLimit: 2000 }, 'body.timeLimit'],
      [{ attemptsAllowed: 0 }, 'body.attemptsAllowed'],
      [{ attemptsAllowed: 1.5 }, 'body.attemptsAllowed'],
      [{ passingScore: 101 }, 'body.passingScore'],
      [{ questions: [] }, 'body.questions'],
      [{ title: ' ' }, 'body.title'],
      [{ courseId: 'nope' }, 'body.courseId'],
    ];
    for (const [override, field] of settings) {
      const res = await api('POST', '/api/quizzes', {
        token: instructor.token,
        body: { courseId: course.courseId, title: 'Bad', questions: sampleQuestions(), ...override },
      });
      expect(res.status).toBe(400);
      expect(Object.keys(res.body.details)).toContain(field);
    }
    // a lesson of another course
    const other = await createCourse(instructor);
    const lesson = await createLesson(instructor, other.courseId);
    const res = await api('POST', '/api/quizzes', {
      token: instructor.token,
      body: { courseId: course.courseId, lessonId: lesson.lessonId, title: 'Bad', questions: sampleQuestions() },
    });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual({ 'body.lessonId': 'must be a lesson of this course' });
    // nothing was written
    expect((await courseQuizzes(instructor, course.courseId)).body.pagination.totalCount).toBe(0);
  });

  it('refuses anonymous callers, students, other instructors, and unknown courses', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const body = { courseId: course.courseId, title: 'Q', questions: sampleQuestions() };
    expect((await api('POST', '/api/quizzes', { body })).status).toBe(401);
    const student = await createStudent();
    await enroll(student, course.courseId);
    const asStudent = await api('POST', '/api/quizzes', { token: student.token, body });
    expect(asStudent.status).toBe(403);
    expect(asStudent.body.code).toBe('FORBIDDEN');
    const stranger = await createInstructor();
    const asStranger = await api('POST', '/api/quizzes', { token: stranger.token, body });
    expect(asStranger.status).toBe(403);
    const missing = await api('POST', '/api/quizzes', { token: instructor.token, body: { ...body, courseId: randomUUID() } });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('COURSE_NOT_FOUND');
    expect((await courseQuizzes(instructor, course.courseId)).body.data).toEqual([]);
  });
});

describe('GET /api/quizzes/:quizId', () => {
  it('shows an enrolled student the questions without any answer, with their attempts', async () => {
    const { quiz, student } = await quizSetup({ attemptsAllowed: 2, timeLimit: 10, passingScore: 50 });
    const res = await getQuiz(student, quiz.quizId);
    expect(res.status).toBe(200);
    expectNoAnswers(res.body);
    expect(res.body.data).toEqual({
      view: 'student',
      quizId: quiz.quizId,
      courseId: quiz.courseId,
      title: 'Python basics check',
      timeLimit: 10,
      attemptsAllowed: 2,
      passingScore: 50,
      totalQuestions: 5,
      totalPoints: SAMPLE_TOTAL,
      createdAt: anyIso,
      updatedAt: anyIso,
      questions: staffQuestions().map(({ correctAnswer: _a, tolerance: _t, ...q }: any) => q),
      myAttempts: { count: 0, submitted: 0, bestScore: null, bestPercentage: null, passed: false, remaining: 2, inProgress: null },
    });

    // with one attempt in progress: still no answers
    const started = await startAttempt(student, quiz.quizId);
    const during = await getQuiz(student, quiz.quizId);
    expectNoAnswers(during.body);
    expect(during.body.data.myAttempts).toEqual({
      count: 1,
      submitted: 0,
      bestScore: null,
      bestPercentage: null,
      passed: false,
      remaining: 1,
      inProgress: { attemptId: started.body.data.attemptId, attemptNumber: 1, startedAt: anyIso, deadline: anyIso },
    });
    await submitAttempt(student, quiz.quizId, started.body.data.attemptId, sampleAnswers(quiz, { numeric: 0, short_answer: 'no' }));
    const after = await getQuiz(student, quiz.quizId);
    expect(after.body.data.myAttempts).toEqual({
      count: 1,
      submitted: 1,
      bestScore: 4,
      bestPercentage: 40,
      passed: false,
      remaining: 1,
      inProgress: null,
    });
    // the quiz itself still never carries the answers
    expect(after.body.data.questions.every((q: any) => !('correctAnswer' in q))).toBe(true);
  });

  it('shows the course instructor and admins the answers, and refuses everyone else', async () => {
    const { instructor, quiz } = await quizSetup();
    const admin = await signInAdmin();
    const asAdmin = await getQuiz(admin, quiz.quizId);
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.body.data.view).toBe('staff');
    expect(asAdmin.body.data.questions).toEqual(staffQuestions());
    expect((await getQuiz(instructor, quiz.quizId)).body.data.view).toBe('staff');

    const outsider = await createStudent();
    const notEnrolled = await getQuiz(outsider, quiz.quizId);
    expect(notEnrolled.status).toBe(403);
    expect(notEnrolled.body.code).toBe('NOT_ENROLLED');
    expectNoAnswers(notEnrolled.body);
    const stranger = await createInstructor();
    expect((await getQuiz(stranger, quiz.quizId)).status).toBe(403);
    expect((await api('GET', `/api/quizzes/${quiz.quizId}`)).status).toBe(401);
    const missing = await getQuiz(instructor, randomUUID());
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('QUIZ_NOT_FOUND');
    const bad = await getQuiz(instructor, 'not-an-id');
    expect(bad.status).toBe(400);
    expect(bad.body.details).toHaveProperty('params.quizId');
  });

  it('lets every enrolled classmate see it and refuses students who are not enrolled', async () => {
    const { course, quiz } = await quizSetup();
    const classmate = await newEnrolledStudent(course.courseId);
    expect((await getQuiz(classmate, quiz.quizId)).status).toBe(200);
    const other = await createStudent();
    expect((await getQuiz(other, quiz.quizId)).status).toBe(403);
  });
});

describe('GET /api/courses/:courseId/quizzes', () => {
  it('lists the quizzes of a course, paginated, with the student their attempts and no answers', async () => {
    const { instructor, course, quiz, student } = await quizSetup({ attemptsAllowed: 3 });
    const second = await createQuiz(instructor, course.courseId, { title: 'Second', timeLimit: 0.5 });
    await takeQuiz(student, quiz);

    const staff = await courseQuizzes(instructor, course.courseId);
    expect(staff.status).toBe(200);
    expect(staff.body.pagination).toEqual({ page: 1, limit: 10, totalCount: 2, totalPages: 1, hasNext: false, hasPrev: false });
    expect(staff.body.data).toEqual([
      {
        quizId: quiz.quizId,
        courseId: course.courseId,
        title: 'Python basics check',
        timeLimit: null,
        attemptsAllowed: 3,
        passingScore: null,
        totalQuestions: 5,
        totalPoints: SAMPLE_TOTAL,
        createdAt: anyIso,
        updatedAt: anyIso,
      },
      expect.objectContaining({ quizId: second.quizId, title: 'Second', timeLimit: 0.5, attemptsAllowed: null }),
    ]);

    const mine = await courseQuizzes(student, course.courseId);
    expect(mine.status).toBe(200);
    expectNoAnswers(mine.body);
    expect(mine.body.data.map((q: any) => q.myAttempts)).toEqual([
      { count: 1, submitted: 1, bestScore: SAMPLE_TOTAL, bestPercentage: 100, passed: null, remaining: 2, inProgress: null },
      { count: 0, submitted: 0, bestScore: null, bestPercentage: null, passed: null, remaining: null, inProgress: null },
    ]);

    const paged = await courseQuizzes(student, course.courseId, { limit: 1, page: 2 });
    expect(paged.body.data.map((q: any) => q.quizId)).toEqual([second.quizId]);
    expect(paged.body.pagination).toMatchObject({ page: 2, limit: 1, totalCount: 2, totalPages: 2, hasNext: false, hasPrev: true });
  });

  it('refuses outsiders and anonymous callers, and answers 404 for an unknown course', async () => {
    const { course } = await quizSetup();
    expect((await courseQuizzes(await createStudent(), course.courseId)).status).toBe(403);
    expect((await courseQuizzes(await createInstructor(), course.courseId)).status).toBe(403);
    expect((await courseQuizzes(await signInAdmin(), course.courseId)).status).toBe(200);
    expect((await api('GET', `/api/courses/${course.courseId}/quizzes`)).status).toBe(401);
    const missing = await courseQuizzes(await signInAdmin(), randomUUID());
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('COURSE_NOT_FOUND');
    expect((await courseQuizzes(await signInAdmin(), course.courseId, { limit: 500 })).status).toBe(400);
  });
});

describe('POST /api/quizzes/:quizId/attempts', () => {
  it('starts an attempt with a server deadline, and returns the open one instead of opening a second', async () => {
    const { quiz, student } = await quizSetup({ timeLimit: 20, attemptsAllowed: 2 });
    const before = Date.now();
    const res = await startAttempt(student, quiz.quizId);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      message: 'Attempt started',
      data: {
        attemptId: anyId,
        quizId: quiz.quizId,
        attemptNumber: 1,
        status: 'in_progress',
        startedAt: anyIso,
        deadline: anyIso,
        serverTime: anyIso,
        remainingAttempts: 1,
      },
    });
    expectNoAnswers(res.body);
    const { startedAt, deadline } = res.body.data;
    expect(Date.parse(deadline) - Date.parse(startedAt)).toBe(20 * 60_000);
    expect(Math.abs(Date.parse(startedAt) - before)).toBeLessThan(5_000);

    const again = await startAttempt(student, quiz.quizId);
    expect(again.status).toBe(200);
    expect(again.body.message).toBe('Attempt already in progress');
    expect(again.body.data).toMatchObject({ attemptId: res.body.data.attemptId, attemptNumber: 1, startedAt, deadline });
  });

  it('has no deadline without a time limit', async () => {
    const { quiz, student } = await quizSetup();
    const res = await startAttempt(student, quiz.quizId);
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ deadline: null, remainingAttempts: null });
  });

  it('opens one attempt when several starts arrive at once', async () => {
    const { quiz, student, instructor } = await quizSetup();
    const responses = await Promise.all(Array.from({ length: 6 }, () => startAttempt(student, quiz.quizId)));
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    expect(new Set(responses.map((r) => r.body.data.attemptId)).size).toBe(1);
    const staff = await results(instructor, quiz.quizId);
    expect(staff.body.statistics).toMatchObject({ totalAttempts: 1, inProgressAttempts: 1 });
  });

  it('enforces the attempt limit with 409 ATTEMPT_LIMIT_REACHED', async () => {
    const { quiz, student } = await quizSetup({ attemptsAllowed: 2 });
    expect((await takeQuiz(student, quiz, { numeric: 1 })).status).toBe(200);
    const second = await startAttempt(student, quiz.quizId);
    expect(second.status).toBe(201);
    expect(second.body.data).toMatchObject({ attemptNumber: 2, remainingAttempts: 0 });
    await submitAttempt(student, quiz.quizId, second.body.data.attemptId, sampleAnswers(quiz));
    const third = await startAttempt(student, quiz.quizId);
    expect(third.status).toBe(409);
    expect(third.body.code).toBe('ATTEMPT_LIMIT_REACHED');
    const mine = await getQuiz(student, quiz.quizId);
    expect(mine.body.data.myAttempts).toMatchObject({ count: 2, submitted: 2, remaining: 0, bestScore: SAMPLE_TOTAL });
  });

  it('is for enrolled students only', async () => {
    const { instructor, quiz } = await quizSetup();
    expect((await startAttempt(instructor, quiz.quizId)).status).toBe(403);
    expect((await startAttempt(await signInAdmin(), quiz.quizId)).status).toBe(403);
    const outsider = await startAttempt(await createStudent(), quiz.quizId);
    expect(outsider.status).toBe(403);
    expect(outsider.body.code).toBe('NOT_ENROLLED');
    expect((await api('POST', `/api/quizzes/${quiz.quizId}/attempts`)).status).toBe(401);
    const missing = await startAttempt(await createStudent(), randomUUID());
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('QUIZ_NOT_FOUND');
    const staff = await results(instructor, quiz.quizId);
    expect(staff.body.statistics.totalAttempts).toBe(0);
  });
});

describe('POST /api/quizzes/:quizId/attempts/:attemptId/submit', () => {
  it('grades on the server and reveals the correct answers only now', async () => {
    const { quiz, student, course } = await quizSetup({ passingScore: 80 });
    const started = await startAttempt(student, quiz.quizId);
    const res = await submitAttempt(student, quiz.quizId, started.body.data.attemptId, sampleAnswers(quiz));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      message: 'Attempt submitted',
      data: {
        quizId: quiz.quizId,
        attemptId: started.body.data.attemptId,
        attemptNumber: 1,
        status: 'submitted',
        startedAt: anyIso,
        deadline: null,
        submittedAt: anyIso,
        late: false,
        expired: false,
        score: SAMPLE_TOTAL,
        totalPoints: SAMPLE_TOTAL,
        percentage: 100,
        passed: true,
        passingScore: 80,
        questions: staffQuestions().map((q, i) => ({
          ...q,
          answer: sampleAnswers(quiz)[i]!.answer,
          correct: true,
          pointsAwarded: q.points,
        })),
        progress: {
          totalLessons: 0,
          completedLessons: 0,
          totalAssignments: 0,
          completedAssignments: 0,
          totalQuizzes: 1,
          completedQuizzes: 1,
          completionPercentage: 100,
          lastActivity: anyIso,
        },
        newAchievements: expect.arrayContaining(['perfect_score', 'course_completer']),
      },
    });
    // the timeline, the badges and the course progress see it
    const analytics = await api('GET', `/api/analytics/${student.id}`, { token: student.token });
    expect(analytics.body.data.recentActivity[0]).toMatchObject({ type: 'quiz_completed', courseId: course.courseId });
    const badges = await api('GET', `/api/achievements/${student.id}`, { token: student.token });
    expect(badges.body.data.achievements.map((a: any) => a.badgeType)).toEqual(
      expect.arrayContaining(['perfect_score', 'course_completer']),
    );
  });

  it('scores each question type by its rule', async () => {
    const { quiz, student } = await quizSetup();
    const cases: [string, unknown, boolean][] = [
      ['single_choice', 'def', true],
      ['single_choice', ' def ', true],
      ['single_choice', 'lambda', false],
      ['single_choice', 'DEF', false],
      ['multiple_choice', ['dict', 'list'], true],
      ['multiple_choice', ['list', 'dict', 'list'], true],
      ['multiple_choice', ['list'], false],
      ['multiple_choice', ['list', 'dict', 'str'], false],
      ['multiple_choice', [], false],
      ['true_false', true, true],
      ['true_false', false, false],
      ['short_answer', 'print zebra', true],
      ['short_answer', '  PRINT\t  zebra  ', true],
      ['short_answer', 'print-zebra', true],
      ['short_answer', 'printzebra', false],
      ['short_answer', 'print zebras', false],
      ['numeric', 3.14159, true],
      ['numeric', 3.14, true],
      ['numeric', 3.14659, true], // exactly at the tolerance
      ['numeric', 3.136, false],
      ['numeric', 3.1366, true],
      ['numeric', 3.15, false],
      ['numeric', 314159, false],
    ];
    for (const [type, answer, correct] of cases) {
      const question = quiz.questions.find((q: any) => q.type === type)!;
      const started = await startAttempt(student, quiz.quizId);
      const res = await submitAttempt(student, quiz.quizId, started.body.data.attemptId, [{ questionId: question.questionId, answer }]);
      expect(res.status).toBe(200);
      const result = res.body.data.questions.find((q: any) => q.questionId === question.questionId);
      const points = sampleQuestions().find((q) => q.type === type)!.points;
      expect({ type, answer, correct: result.correct, score: res.body.data.score }).toEqual({
        type,
        answer,
        correct,
        score: correct ? points : 0,
      });
      // every other question is unanswered and wrong
      expect(res.body.data.questions.filter((q: any) => q.questionId !== question.questionId).every((q: any) => !q.correct && q.answer === null)).toBe(true);
    }
  });

  it('gives partial scores, a percentage and the pass mark', async () => {
    const { quiz, student } = await quizSetup({ passingScore: 60 });
    const res = await takeQuiz(student, quiz, { numeric: 3, short_answer: 'echo' });
    expect(res.body.data).toMatchObject({ score: 4, totalPoints: SAMPLE_TOTAL, percentage: 40, passed: false });
    expect(res.body.data.newAchievements).not.toContain('perfect_score');
    const { quiz: other, student: second } = await quizSetup({
      passingScore: 60,
      questions: [
        { type: 'true_false', prompt: 'a', correctAnswer: true, points: 1 },
        { type: 'true_false', prompt: 'b', correctAnswer: true, points: 1 },
        { type: 'true_false', prompt: 'c', correctAnswer: true, points: 1 },
      ],
    });
    const started = await startAttempt(second, other.quizId);
    const twoOfThree = await submitAttempt(second, other.quizId, started.body.data.attemptId, [
      { questionId: other.questions[0]!.questionId, answer: true },
      { questionId: other.questions[1]!.questionId, answer: true },
      { questionId: other.questions[2]!.questionId, answer: null },
    ]);
    expect(twoOfThree.body.data).toMatchObject({ score: 2, totalPoints: 3, percentage: 66.67, passed: true });
  });

  it('refuses malformed answers with 400 and leaves the attempt open', async () => {
    const { quiz, student } = await quizSetup();
    const started = await startAttempt(student, quiz.quizId);
    const attemptId = started.body.data.attemptId;
    const numeric = quiz.questions.find((q: any) => q.type === 'numeric')!;
    const tf = quiz.questions.find((q: any) => q.type === 'true_false')!;
    const wrongType = await submitAttempt(student, quiz.quizId, attemptId, [
      { questionId: numeric.questionId, answer: '3.14' },
      { questionId: tf.questionId, answer: 'yes' },
    ]);
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.details).toEqual({ 'body.answers.0.answer': 'must be a number', 'body.answers.1.answer': 'must be true or false' });
    const unknown = await submitAttempt(student, quiz.quizId, attemptId, [{ questionId: randomUUID(), answer: 1 }]);
    expect(unknown.status).toBe(400);
    expect(unknown.body.details).toEqual({ 'body.answers.0.questionId': 'is not a question of this quiz' });
    const twice = await submitAttempt(student, quiz.quizId, attemptId, [
      { questionId: numeric.questionId, answer: 1 },
      { questionId: numeric.questionId, answer: 2 },
    ]);
    expect(twice.status).toBe(400);
    expect(twice.body.details).toEqual({ 'body.answers.1.questionId': 'is answered twice' });
    const shape = await api('POST', `/api/quizzes/${quiz.quizId}/attempts/${attemptId}/submit`, {
      token: student.token,
      body: { answers: 'all of them' },
    });
    expect(shape.status).toBe(400);
    expect(shape.body.details).toHaveProperty('body.answers');
    // still open: a valid submission is graded
    const ok = await submitAttempt(student, quiz.quizId, attemptId, sampleAnswers(quiz));
    expect(ok.status).toBe(200);
    expect(ok.body.data.score).toBe(SAMPLE_TOTAL);
  });

  it('accepts each attempt once, and only from its own student', async () => {
    const { quiz, student, instructor, course } = await quizSetup();
    const started = await startAttempt(student, quiz.quizId);
    const attemptId = started.body.data.attemptId;
    const classmate = await newEnrolledStudent(course.courseId);
    const notMine = await submitAttempt(classmate, quiz.quizId, attemptId, sampleAnswers(quiz));
    expect(notMine.status).toBe(403);
    expect((await submitAttempt(instructor, quiz.quizId, attemptId, sampleAnswers(quiz))).status).toBe(403);
    expect((await api('POST', `/api/quizzes/${quiz.quizId}/attempts/${attemptId}/submit`, { body: { answers: [] } })).status).toBe(401);
    const missing = await submitAttempt(student, quiz.quizId, randomUUID(), []);
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('QUIZ_ATTEMPT_NOT_FOUND');
    // the attempt under another quiz's path
    const otherQuiz = await createQuiz(instructor, course.courseId);
    expect((await submitAttempt(student, otherQuiz.quizId, attemptId, [])).status).toBe(404);

    const [first, second] = await Promise.all([
      submitAttempt(student, quiz.quizId, attemptId, sampleAnswers(quiz)),
      submitAttempt(student, quiz.quizId, attemptId, sampleAnswers(quiz, { true_false: false })),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 409]);
    expect([first, second].find((r) => r.status === 409)!.body.code).toBe('ATTEMPT_ALREADY_SUBMITTED');
    const again = await submitAttempt(student, quiz.quizId, attemptId, sampleAnswers(quiz));
    expect(again.status).toBe(409);
    const mine = await results(student, quiz.quizId);
    expect(mine.body.data).toHaveLength(1);
    expect(mine.body.myAttempts).toMatchObject({ count: 1, submitted: 1 });
  });

  it('holds the time limit on the server clock: in time (with grace) counts, late scores 0, expired attempts close', async () => {
    // 0.05 minutes = 3 seconds; submissions up to 5 seconds past the deadline still count
    const { quiz, course } = await quizSetup({ timeLimit: 0.05, passingScore: 50 });
    const [onTime, withinGrace, late, abandoned] = await Promise.all([1, 2, 3, 4].map(() => newEnrolledStudent(course.courseId)));
    const attempts = await Promise.all([onTime, withinGrace, late, abandoned].map((s) => startAttempt(s!, quiz.quizId)));
    for (const a of attempts) {
      expect(a.status).toBe(201);
      expect(Date.parse(a.body.data.deadline) - Date.parse(a.body.data.startedAt)).toBe(3_000);
    }
    const idOf = (i: number) => attempts[i]!.body.data.attemptId as string;

    const inTime = await submitAttempt(onTime!, quiz.quizId, idOf(0), sampleAnswers(quiz));
    expect(inTime.body.data).toMatchObject({ late: false, score: SAMPLE_TOTAL });

    await sleep(4_000);
    const graced = await submitAttempt(withinGrace!, quiz.quizId, idOf(1), sampleAnswers(quiz));
    expect(graced.status).toBe(200);
    expect(graced.body.data).toMatchObject({ late: false, expired: false, score: SAMPLE_TOTAL, passed: true });

    await sleep(5_000);
    const tooLate = await submitAttempt(late!, quiz.quizId, idOf(2), sampleAnswers(quiz));
    expect(tooLate.status).toBe(200);
    expect(tooLate.body.message).toBe('Attempt submitted after the time limit');
    expect(tooLate.body.data).toMatchObject({ late: true, expired: false, score: 0, percentage: 0, passed: false });
    expect(Date.parse(tooLate.body.data.submittedAt) - Date.parse(tooLate.body.data.deadline)).toBeGreaterThan(5_000);
    // the answers are kept and shown, but none counted
    expect(tooLate.body.data.questions.every((q: any) => q.correct === false && q.pointsAwarded === 0 && q.answer !== null)).toBe(true);
    // taking it late still counts as taking it for the course
    expect(tooLate.body.data.progress).toMatchObject({ totalQuizzes: 1, completedQuizzes: 1 });

    // an attempt left open past its deadline is closed, with 0, when the student starts another
    const next = await startAttempt(abandoned!, quiz.quizId);
    expect(next.status).toBe(201);
    expect(next.body.data.attemptNumber).toBe(2);
    const mine = await results(abandoned!, quiz.quizId);
    expect(mine.body.data[0]).toMatchObject({
      attemptId: idOf(3),
      status: 'submitted',
      expired: true,
      late: false,
      score: 0,
      percentage: 0,
    });
    expect(mine.body.data[1]).toMatchObject({ attemptId: next.body.data.attemptId, status: 'in_progress', score: null });
    expect(mine.body.data[1]).not.toHaveProperty('questions');
    // and its own submission is now refused as already submitted
    expect((await submitAttempt(abandoned!, quiz.quizId, idOf(3), sampleAnswers(quiz))).status).toBe(409);
  });

  it('counts the quiz in course progress once taken, whatever the number of attempts', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const lesson = await createLesson(instructor, course.courseId);
    const quiz = await createQuiz(instructor, course.courseId);
    const student = await newEnrolledStudent(course.courseId);
    const progressOf = async () => {
      const res = await api('GET', `/api/analytics/${student.id}/courses`, { token: student.token });
      return res.body.data.find((c: any) => c.courseId === course.courseId);
    };
    const done = await api('POST', '/api/lessons/complete', { token: student.token, body: { lessonId: lesson.lessonId } });
    expect(done.body.data.progress).toMatchObject({ completedLessons: 1, totalQuizzes: 1, completedQuizzes: 0, completionPercentage: 50 });

    // an attempt in progress is not a quiz taken
    const started = await startAttempt(student, quiz.quizId);
    expect((await progressOf()).progress).toMatchObject({ completedQuizzes: 0, completionPercentage: 50 });
    expect((await progressOf()).quizzes[0]).toMatchObject({ quizId: quiz.quizId, status: 'in_progress' });

    const first = await submitAttempt(student, quiz.quizId, started.body.data.attemptId, sampleAnswers(quiz, { numeric: 0 }));
    expect(first.body.data.progress).toMatchObject({ completedQuizzes: 1, completionPercentage: 100 });
    expect(first.body.data.newAchievements).toContain('course_completer');
    const second = await takeQuiz(student, quiz);
    expect(second.body.data.progress).toMatchObject({ totalQuizzes: 1, completedQuizzes: 1, completionPercentage: 100 });
    expect(second.body.data.newAchievements).not.toContain('course_completer');
    const after = await progressOf();
    expect(after.progress).toMatchObject({ totalQuizzes: 1, completedQuizzes: 1, completionPercentage: 100 });
    expect(after.quizzes[0]).toMatchObject({ status: 'completed', score: SAMPLE_TOTAL });
  });
});

describe('PUT /api/quizzes/:quizId', () => {
  it('changes settings and replaces the questions until the first attempt, then refuses new questions with 409', async () => {
    const { instructor, course, quiz, student } = await quizSetup({ timeLimit: 10 });
    const lesson = await createLesson(instructor, course.courseId);
    const res = await updateQuiz(instructor, quiz.quizId, {
      title: 'Renamed',
      description: 'Now with a description',
      lessonId: lesson.lessonId,
      timeLimit: null,
      attemptsAllowed: 1,
      passingScore: 50,
      questions: [{ type: 'true_false', prompt: 'Is this new?', correctAnswer: true, points: 4 }],
    });
    expect(res.status).toBe(200);
    expect(res.body.message).toBe('Quiz updated successfully');
    expect(res.body.data).toEqual({
      view: 'staff',
      quizId: quiz.quizId,
      courseId: course.courseId,
      lessonId: lesson.lessonId,
      title: 'Renamed',
      description: 'Now with a description',
      timeLimit: null,
      attemptsAllowed: 1,
      passingScore: 50,
      totalQuestions: 1,
      totalPoints: 4,
      createdAt: quiz.createdAt,
      updatedAt: anyIso,
      questions: [
        { questionId: anyId, order: 1, type: 'true_false', prompt: 'Is this new?', options: [], correctAnswer: true, points: 4 },
      ],
    });
    expect((await getQuiz(instructor, quiz.quizId)).body.data).toEqual(res.body.data);

    const updated = res.body.data;
    const started = await startAttempt(student, quiz.quizId);
    const refused = await updateQuiz(instructor, quiz.quizId, { questions: sampleQuestions() });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('QUIZ_HAS_ATTEMPTS');
    // resending the same questions is not a change; settings may still change
    const same = await updateQuiz(instructor, quiz.quizId, {
      title: 'Renamed again',
      lessonId: null,
      description: null,
      questions: [{ type: 'true_false', prompt: 'Is this new?', correctAnswer: true, points: 4 }],
    });
    expect(same.status).toBe(200);
    expect(same.body.data.questions).toEqual(updated.questions);
    expect(same.body.data.title).toBe('Renamed again');
    expect(same.body.data).not.toHaveProperty('lessonId');
    expect(same.body.data).not.toHaveProperty('description');
    // the attempt is graded against the questions it started with
    const graded = await submitAttempt(student, quiz.quizId, started.body.data.attemptId, [
      { questionId: updated.questions[0].questionId, answer: true },
    ]);
    expect(graded.body.data).toMatchObject({ score: 4, totalPoints: 4 });
  });

  it('validates the body and refuses everyone but the course staff', async () => {
    const { instructor, quiz, student } = await quizSetup();
    const empty = await updateQuiz(instructor, quiz.quizId, {});
    expect(empty.status).toBe(400);
    const bad = await updateQuiz(instructor, quiz.quizId, { passingScore: -1, questions: [{ type: 'numeric', prompt: 'x', points: 1 }] });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.details)).toEqual(expect.arrayContaining(['body.passingScore', 'body.questions.0.correctAnswer']));
    expect((await updateQuiz(student, quiz.quizId, { title: 'x' })).status).toBe(403);
    expect((await updateQuiz(await createInstructor(), quiz.quizId, { title: 'x' })).status).toBe(403);
    expect((await api('PUT', `/api/quizzes/${quiz.quizId}`, { body: { title: 'x' } })).status).toBe(401);
    const missing = await updateQuiz(instructor, randomUUID(), { title: 'x' });
    expect(missing.status).toBe(404);
    const admin = await updateQuiz(await signInAdmin(), quiz.quizId, { title: 'By the admin' });
    expect(admin.status).toBe(200);
    expect((await getQuiz(instructor, quiz.quizId)).body.data.title).toBe('By the admin');
  });
});

describe('DELETE /api/quizzes/:quizId', () => {
  it('deletes the quiz with its attempts, for the course staff only', async () => {
    const { instructor, course, quiz, student } = await quizSetup();
    await takeQuiz(student, quiz);
    expect((await api('DELETE', `/api/quizzes/${quiz.quizId}`, { token: student.token })).status).toBe(403);
    expect((await api('DELETE', `/api/quizzes/${quiz.quizId}`, { token: (await createInstructor()).token })).status).toBe(403);
    expect((await api('DELETE', `/api/quizzes/${quiz.quizId}`)).status).toBe(401);
    const res = await api('DELETE', `/api/quizzes/${quiz.quizId}`, { token: instructor.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Quiz deleted successfully' });
    expect((await getQuiz(instructor, quiz.quizId)).status).toBe(404);
    expect((await results(instructor, quiz.quizId)).status).toBe(404);
    expect((await courseQuizzes(instructor, course.courseId)).body.data).toEqual([]);
    expect((await api('DELETE', `/api/quizzes/${quiz.quizId}`, { token: instructor.token })).status).toBe(404);
  });

  it('completes the course for students who had done everything else', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const lesson = await createLesson(instructor, course.courseId);
    const quiz = await createQuiz(instructor, course.courseId);
    const student = await newEnrolledStudent(course.courseId);
    await api('POST', '/api/lessons/complete', { token: student.token, body: { lessonId: lesson.lessonId } });
    const res = await api('DELETE', `/api/quizzes/${quiz.quizId}`, { token: (await signInAdmin()).token });
    expect(res.status).toBe(200);
    const badges = await api('GET', `/api/achievements/${student.id}`, { token: student.token });
    expect(badges.body.data.achievements.map((a: any) => a.badgeType)).toContain('course_completer');
  });
});

describe('GET /api/quizzes/:quizId/results', () => {
  it('gives the staff per-question statistics and every attempt with student names, paginated', async () => {
    const { instructor, course, quiz, student } = await quizSetup({ passingScore: 50 });
    const second = await newEnrolledStudent(course.courseId);
    const third = await newEnrolledStudent(course.courseId);
    await takeQuiz(student, quiz); // 10/10
    await takeQuiz(second, quiz, { numeric: 0, short_answer: 'x', multiple_choice: ['list'] }); // 2/10
    await startAttempt(third, quiz.quizId); // in progress

    const res = await results(instructor, quiz.quizId);
    expect(res.status).toBe(200);
    expect(res.body.view).toBe('staff');
    expect(res.body.quiz).toEqual({
      quizId: quiz.quizId,
      courseId: course.courseId,
      title: 'Python basics check',
      totalQuestions: 5,
      totalPoints: SAMPLE_TOTAL,
      passingScore: 50,
    });
    const byType = (type: string) => res.body.statistics.questions.find((q: any) => q.type === type);
    expect(res.body.statistics).toMatchObject({
      totalAttempts: 3,
      submittedAttempts: 2,
      inProgressAttempts: 1,
      students: 3,
      averagePercentage: 60,
      passRate: 0.5,
    });
    expect(byType('single_choice')).toEqual({
      questionId: quiz.questions[0]!.questionId,
      order: 1,
      type: 'single_choice',
      prompt: 'Which keyword defines a function in Python?',
      points: 1,
      attempts: 2,
      answered: 2,
      correctCount: 2,
      correctRate: 1,
      averagePoints: 1,
    });
    expect(byType('numeric')).toMatchObject({ attempts: 2, correctCount: 1, correctRate: 0.5, averagePoints: 1.5 });
    expect(byType('multiple_choice')).toMatchObject({ correctCount: 1, correctRate: 0.5, averagePoints: 1 });

    const names = [student, second, third].sort((a, b) => a.lastName.localeCompare(b.lastName));
    expect(res.body.data.map((a: any) => a.student.studentId)).toEqual(names.map((s) => s.id));
    const row = res.body.data.find((a: any) => a.student.studentId === second.id);
    expect(row).toEqual({
      attemptId: anyId,
      attemptNumber: 1,
      status: 'submitted',
      startedAt: anyIso,
      deadline: null,
      submittedAt: anyIso,
      late: false,
      expired: false,
      score: 2,
      totalPoints: SAMPLE_TOTAL,
      percentage: 20,
      passed: false,
      student: { studentId: second.id, firstName: second.firstName, lastName: second.lastName, username: second.username },
    });
    expect(res.body.data.find((a: any) => a.student.studentId === third.id)).toMatchObject({
      status: 'in_progress',
      score: null,
      percentage: null,
      passed: null,
      submittedAt: null,
    });

    const paged = await results(instructor, quiz.quizId, { limit: 2, page: 2 });
    expect(paged.body.data).toHaveLength(1);
    expect(paged.body.pagination).toEqual({ page: 2, limit: 2, totalCount: 3, totalPages: 2, hasNext: false, hasPrev: true });
    expect((await results(await signInAdmin(), quiz.quizId)).body.view).toBe('staff');
  });

  it("gives a student only their own attempts, with correct answers only for submitted ones", async () => {
    const { quiz, student, course } = await quizSetup({ attemptsAllowed: 3 });
    const classmate = await newEnrolledStudent(course.courseId);
    await takeQuiz(classmate, quiz);

    const none = await results(student, quiz.quizId);
    expect(none.status).toBe(200);
    expect(none.body).toEqual({
      view: 'student',
      quiz: expect.objectContaining({ quizId: quiz.quizId }),
      myAttempts: { count: 0, submitted: 0, bestScore: null, bestPercentage: null, passed: null, remaining: 3, inProgress: null },
      data: [],
      pagination: { page: 1, limit: 10, totalCount: 0, totalPages: 0, hasNext: false, hasPrev: false },
    });
    expectNoAnswers(none.body);

    await takeQuiz(student, quiz, { numeric: 1 });
    const open = await startAttempt(student, quiz.quizId);
    const mine = await results(student, quiz.quizId);
    expect(mine.body.data).toHaveLength(2);
    const [submitted, inProgress] = mine.body.data;
    expect(submitted).toMatchObject({ attemptNumber: 1, status: 'submitted', score: 7, percentage: 70 });
    const given = sampleAnswers(quiz, { numeric: 1 });
    expect(submitted.questions).toEqual(
      staffQuestions().map((q, i) => ({
        ...q,
        answer: given[i]!.answer,
        correct: q.type !== 'numeric',
        pointsAwarded: q.type === 'numeric' ? 0 : q.points,
      })),
    );
    expect(inProgress).toEqual({
      attemptId: open.body.data.attemptId,
      attemptNumber: 2,
      status: 'in_progress',
      startedAt: anyIso,
      deadline: null,
      submittedAt: null,
      late: false,
      expired: false,
      score: null,
      totalPoints: SAMPLE_TOTAL,
      percentage: null,
      passed: null,
    });
    expectNoAnswers(inProgress);
    expect(mine.body.myAttempts).toMatchObject({ count: 2, submitted: 1, remaining: 1, bestScore: 7 });
  });

  it('refuses outsiders', async () => {
    const { quiz } = await quizSetup();
    const outsider = await results(await createStudent(), quiz.quizId);
    expect(outsider.status).toBe(403);
    expectNoAnswers(outsider.body);
    expect((await results(await createInstructor(), quiz.quizId)).status).toBe(403);
    expect((await api('GET', `/api/quizzes/${quiz.quizId}/results`)).status).toBe(401);
    expect((await results(await signInAdmin(), randomUUID())).status).toBe(404);
  });
});

describe('quizzes in the OpenAPI document', () => {
  it('documents every quiz route', async () => {
    const doc = await api('GET', '/api/docs/openapi.json');
    const ops = (path: string) => Object.values(doc.body.paths[path] ?? {}).map((op: any) => op.operationId);
    expect(ops('/api/quizzes')).toEqual(['createQuiz']);
    expect(ops('/api/quizzes/{quizId}').sort()).toEqual(['deleteQuiz', 'getQuiz', 'updateQuiz']);
    expect(ops('/api/courses/{courseId}/quizzes')).toEqual(['listCourseQuizzes']);
    expect(ops('/api/quizzes/{quizId}/attempts')).toEqual(['startQuizAttempt']);
    expect(ops('/api/quizzes/{quizId}/attempts/{attemptId}/submit')).toEqual(['submitQuizAttempt']);
    expect(ops('/api/quizzes/{quizId}/results')).toEqual(['getQuizResults']);
  });
});

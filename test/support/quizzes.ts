// Factories for quiz tests: a quiz with one question of each type and known answers, and helpers to
// start and submit attempts.
import { api, createCourse, createInstructor, createStudent, enroll, type TestUser } from './api.js';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One question of each type. The answers are unusual strings so that a leak is easy to find. */
export function sampleQuestions() {
  return [
    {
      type: 'single_choice',
      prompt: 'Which keyword defines a function in Python?',
      options: ['func', 'def', 'function', 'lambda'],
      correctAnswer: 'def',
      points: 1,
    },
    {
      type: 'multiple_choice',
      prompt: 'Which of these are mutable?',
      options: ['list', 'tuple', 'dict', 'str'],
      correctAnswer: ['list', 'dict'],
      points: 2,
    },
    { type: 'true_false', prompt: 'Python lists can hold values of different types.', correctAnswer: true, points: 1 },
    {
      type: 'short_answer',
      prompt: 'Which built-in function prints text to the console?',
      correctAnswer: ['print zebra', 'PRINT-ZEBRA'],
      points: 3,
    },
    { type: 'numeric', prompt: 'What is pi to two decimals?', correctAnswer: 3.14159, tolerance: 0.005, points: 3 },
  ];
}

export const SAMPLE_TOTAL = 10;

export async function createQuiz(user: TestUser, courseId: string, overrides: Record<string, unknown> = {}) {
  const res = await api('POST', '/api/quizzes', {
    token: user.token,
    body: { courseId, title: 'Python basics check', questions: sampleQuestions(), ...overrides },
  });
  if (res.status !== 201) throw new Error(`create quiz failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data as { quizId: string; questions: { questionId: string; type: string }[] } & Record<string, any>;
}

/** An instructor's course with a quiz and an enrolled student. */
export async function quizSetup(overrides: Record<string, unknown> = {}) {
  const instructor = await createInstructor();
  const course = await createCourse(instructor);
  const quiz = await createQuiz(instructor, course.courseId, overrides);
  const student = await createStudent();
  await enroll(student, course.courseId);
  return { instructor, course, quiz, student };
}

export const startAttempt = (user: TestUser, quizId: string) => api('POST', `/api/quizzes/${quizId}/attempts`, { token: user.token });

export const submitAttempt = (user: TestUser, quizId: string, attemptId: string, answers: { questionId: string; answer: unknown }[]) =>
  api('POST', `/api/quizzes/${quizId}/attempts/${attemptId}/submit`, { token: user.token, body: { answers } });

/** The answers to the sample quiz, all right unless replaced by type. */
export function sampleAnswers(quiz: { questions: { questionId: string; type: string }[] }, replace: Record<string, unknown> = {}) {
  const right: Record<string, unknown> = {
    single_choice: 'def',
    multiple_choice: ['dict', 'list'],
    true_false: true,
    short_answer: '  Print   Zebra ',
    numeric: 3.14,
  };
  return quiz.questions.map((q) => ({ questionId: q.questionId, answer: q.type in replace ? replace[q.type] : right[q.type] }));
}

/** Starts an attempt and submits the answers; returns the submit response. */
export async function takeQuiz(user: TestUser, quiz: { quizId: string; questions: { questionId: string; type: string }[] }, replace: Record<string, unknown> = {}) {
  const started = await startAttempt(user, quiz.quizId);
  if (started.status !== 201 && started.status !== 200) throw new Error(`start failed: ${started.status} ${JSON.stringify(started.body)}`);
  return submitAttempt(user, quiz.quizId, started.body.data.attemptId, sampleAnswers(quiz, replace));
}

export async function newEnrolledStudent(courseId: string) {
  const student = await createStudent();
  await enroll(student, courseId);
  return student;
}

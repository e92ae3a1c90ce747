// What a client sees of quizzes, questions and attempts: built here, never a raw row. Only the staff and
// result presenters put correct answers in; the student ones have no way to.
import type {
  MyQuizAttempts,
  PublicQuestion,
  QuestionResult,
  QuizSummary,
  StaffQuestion,
  StaffQuiz,
  StudentQuiz,
} from '../../../contract/quizzes.js';
import type { quizQuestions, quizSubmissions, quizzes } from '../../db/schema.js';
import { iso, isoOrNull } from '../users/presenter.js';
import { acceptedAnswers, type AnswerValue, gradeAnswers, passedWith, percentageOf, totalPointsOf } from './scoring.js';

export type QuizRow = typeof quizzes.$inferSelect;
export type QuestionRow = typeof quizQuestions.$inferSelect;
export type AttemptRow = typeof quizSubmissions.$inferSelect;

export const presentPublicQuestion = (q: QuestionRow): PublicQuestion => ({
  questionId: q.id,
  order: q.order,
  type: q.type,
  prompt: q.prompt,
  options: q.options,
  points: q.points,
});

export const presentStaffQuestion = (q: QuestionRow): StaffQuestion => ({
  ...presentPublicQuestion(q),
  correctAnswer: q.type === 'short_answer' ? acceptedAnswers(q.correctAnswer) : q.correctAnswer,
  ...(q.type === 'numeric' ? { tolerance: q.tolerance ?? 0 } : {}),
});

function quizFields(quiz: QuizRow, questions: readonly QuestionRow[]) {
  return {
    quizId: quiz.id,
    courseId: quiz.courseId,
    ...(quiz.lessonId ? { lessonId: quiz.lessonId } : {}),
    title: quiz.title,
    ...(quiz.description ? { description: quiz.description } : {}),
    timeLimit: quiz.timeLimit,
    attemptsAllowed: quiz.attemptsAllowed,
    passingScore: quiz.passingScore,
    totalQuestions: questions.length,
    totalPoints: totalPointsOf(questions),
    createdAt: iso(quiz.createdAt),
    updatedAt: iso(quiz.updatedAt),
  };
}

export const presentStaffQuiz = (quiz: QuizRow, questions: readonly QuestionRow[]): StaffQuiz => ({
  view: 'staff',
  ...quizFields(quiz, questions),
  questions: questions.map(presentStaffQuestion),
});

export const presentStudentQuiz = (quiz: QuizRow, questions: readonly QuestionRow[], myAttempts: MyQuizAttempts): StudentQuiz => ({
  view: 'student',
  ...quizFields(quiz, questions),
  questions: questions.map(presentPublicQuestion),
  myAttempts,
});

export function presentQuizSummary(
  quiz: QuizRow,
  totals: { totalQuestions: number; totalPoints: number },
  myAttempts?: MyQuizAttempts,
): QuizSummary {
  const { totalQuestions: _q, totalPoints: _p, ...fields } = quizFields(quiz, []);
  return { ...fields, ...totals, ...(myAttempts ? { myAttempts } : {}) };
}

export const remainingAttempts = (attemptsAllowed: number | null, started: number): number | null =>
  attemptsAllowed === null ? null : Math.max(0, attemptsAllowed - started);

/** A student's attempts at one quiz, summed up. */
export function summariseAttempts(quiz: Pick<QuizRow, 'attemptsAllowed' | 'passingScore'>, attempts: readonly AttemptRow[]): MyQuizAttempts {
  const submitted = attempts.filter((a) => a.status === 'submitted');
  const best = submitted.reduce<AttemptRow | null>(
    (top, a) => (top === null || percentageOf(a.score ?? 0, a.totalPoints) > percentageOf(top.score ?? 0, top.totalPoints) ? a : top),
    null,
  );
  const open = attempts.find((a) => a.status === 'in_progress');
  const bestPercentage = best ? percentageOf(best.score ?? 0, best.totalPoints) : null;
  return {
    count: attempts.length,
    submitted: submitted.length,
    bestScore: best ? (best.score ?? 0) : null,
    bestPercentage,
    passed: quiz.passingScore === null ? null : bestPercentage !== null && bestPercentage >= quiz.passingScore,
    remaining: remainingAttempts(quiz.attemptsAllowed, attempts.length),
    inProgress: open
      ? { attemptId: open.id, attemptNumber: open.attemptNumber, startedAt: iso(open.startedAt), deadline: isoOrNull(open.deadline) }
      : null,
  };
}

/** The fields every view of an attempt shares. */
export function presentAttemptOutcome(row: AttemptRow, passingScore: number | null) {
  const submitted = row.status === 'submitted';
  const score = submitted ? (row.score ?? 0) : null;
  const percentage = score === null ? null : percentageOf(score, row.totalPoints);
  return {
    attemptId: row.id,
    attemptNumber: row.attemptNumber,
    status: row.status,
    startedAt: iso(row.startedAt),
    deadline: isoOrNull(row.deadline),
    submittedAt: isoOrNull(row.submittedAt),
    late: row.late,
    expired: row.expired,
    score,
    totalPoints: row.totalPoints,
    percentage,
    passed: percentage === null ? null : passedWith(percentage, passingScore),
  };
}

const isAnswerValue = (value: unknown): value is AnswerValue =>
  typeof value === 'string' ||
  typeof value === 'boolean' ||
  (typeof value === 'number' && Number.isFinite(value)) ||
  (Array.isArray(value) && value.every((v) => typeof v === 'string'));

/** Per question: the answer given, whether it was right, and the right answer. Submitted attempts only. */
export function presentQuestionResults(questions: readonly QuestionRow[], row: AttemptRow): QuestionResult[] {
  // Attempts graded before results were stored are graded again from their answers.
  const results = row.results ?? gradeAnswers(questions, row.answers).results;
  return questions.map((q) => {
    const given = row.answers[q.id];
    const outcome = results[q.id] ?? { correct: false, points: 0 };
    return {
      ...presentStaffQuestion(q),
      answer: isAnswerValue(given) ? given : null,
      correct: outcome.correct,
      pointsAwarded: outcome.points,
    };
  });
}

// Grading of quiz answers, on the server only: one rule per question type, each question all or nothing.
import type { QuestionType } from '../../../contract/quizzes.js';

export type AnswerValue = string | number | boolean | string[];

export interface GradableQuestion {
  id: string;
  type: QuestionType;
  correctAnswer: AnswerValue;
  tolerance: number | null;
  points: number;
}

export interface QuestionOutcome {
  correct: boolean;
  points: number;
}

/** Per question id. */
export type AttemptResults = Record<string, QuestionOutcome>;

export interface Grade {
  score: number;
  totalPoints: number;
  results: AttemptResults;
}

/** Short answers compare ignoring case, surrounding spaces and runs of inner whitespace. */
export const normaliseText = (text: string): string => text.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();

/** A short answer's accepted texts (rows written before lists were allowed hold one string). */
export const acceptedAnswers = (key: AnswerValue): string[] => (Array.isArray(key) ? key : [String(key)]);

const isTextList = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

/** Why an answer cannot be an answer to this type of question, or null when its shape fits. */
export function answerShapeError(type: QuestionType, answer: unknown): string | null {
  switch (type) {
    case 'single_choice':
      return typeof answer === 'string' ? null : 'must be the text of one option';
    case 'multiple_choice':
      return isTextList(answer) ? null : 'must be a list of option texts';
    case 'true_false':
      return typeof answer === 'boolean' ? null : 'must be true or false';
    case 'short_answer':
      return typeof answer === 'string' ? null : 'must be text';
    case 'numeric':
      return typeof answer === 'number' && Number.isFinite(answer) ? null : 'must be a number';
  }
}

/** Floating-point slack, so that 0.1 + 0.2 is within a tolerance of 0 of 0.3. */
const numericSlack = (expected: number) => 1e-9 * Math.max(1, Math.abs(expected));

export function isCorrect(question: GradableQuestion, answer: unknown): boolean {
  if (answer === null || answer === undefined || answerShapeError(question.type, answer)) return false;
  const key = question.correctAnswer;
  switch (question.type) {
    case 'single_choice':
      return (answer as string).trim() === key;
    case 'multiple_choice': {
      // Exactly the right set: order and repeats do not matter, a missing or an extra option does.
      const given = new Set((answer as string[]).map((a) => a.trim()));
      const expected = new Set(key as string[]);
      return given.size === expected.size && [...expected].every((option) => given.has(option));
    }
    case 'true_false':
      return answer === key;
    case 'short_answer': {
      const given = normaliseText(answer as string);
      return acceptedAnswers(key).some((accepted) => normaliseText(accepted) === given);
    }
    case 'numeric': {
      const expected = Number(key);
      return Math.abs((answer as number) - expected) <= (question.tolerance ?? 0) + numericSlack(expected);
    }
  }
}

export const totalPointsOf = (questions: readonly Pick<GradableQuestion, 'points'>[]): number =>
  questions.reduce((sum, q) => sum + q.points, 0);

/** Grades answers keyed by question id; a question without an answer earns nothing. */
export function gradeAnswers(questions: readonly GradableQuestion[], answers: Record<string, unknown>): Grade {
  const results: AttemptResults = {};
  let score = 0;
  for (const question of questions) {
    const correct = isCorrect(question, answers[question.id]);
    const points = correct ? question.points : 0;
    results[question.id] = { correct, points };
    score += points;
  }
  return { score, totalPoints: totalPointsOf(questions), results };
}

/** A late submission: kept, but nothing counts. */
export function zeroGrade(questions: readonly GradableQuestion[]): Grade {
  const results: AttemptResults = {};
  for (const question of questions) results[question.id] = { correct: false, points: 0 };
  return { score: 0, totalPoints: totalPointsOf(questions), results };
}

/** 0-100 with two decimals. */
export const percentageOf = (score: number, totalPoints: number): number =>
  totalPoints > 0 ? Math.round((score / totalPoints) * 10_000) / 100 : 0;

export const passedWith = (percentage: number, passingScore: number | null): boolean | null =>
  passingScore === null ? null : percentage >= passingScore;

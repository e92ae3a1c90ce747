// Quiz results: for course staff, per-question statistics and every attempt with the student's name;
// for a student, their own attempts, with the correct answers for the submitted ones only.
import { asc, eq } from 'drizzle-orm';
import type { QuizResultsResponse } from '../../../contract/quizzes.js';
import type { Database } from '../../db/client.js';
import { pageInfo, pageOffset } from '../../db/pagination.js';
import { quizSubmissions, users } from '../../db/schema.js';
import type { AuthUser } from '../../http/auth.js';
import { attemptsByQuiz, findQuiz, loadQuestions, viewOf } from './access.js';
import {
  presentAttemptOutcome,
  presentQuestionResults,
  type QuestionRow,
  type QuizRow,
  summariseAttempts,
} from './presenter.js';
import { type AttemptResults, gradeAnswers, passedWith, percentageOf, totalPointsOf } from './scoring.js';

export interface QuizResultsServiceDeps {
  db: Database;
}

interface StatsInput {
  status: 'in_progress' | 'submitted';
  studentId: string;
  score: number | null;
  totalPoints: number;
  answers: Record<string, unknown>;
  results: AttemptResults | null;
}

const rate = (part: number, whole: number): number | null => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null);
const mean = (sum: number, n: number): number | null => (n > 0 ? Math.round((sum / n) * 100) / 100 : null);

function statistics(quiz: QuizRow, questions: readonly QuestionRow[], attempts: readonly StatsInput[]) {
  const submitted = attempts.filter((a) => a.status === 'submitted');
  const percentages = submitted.map((a) => percentageOf(a.score ?? 0, a.totalPoints));
  const perQuestion = new Map(questions.map((q) => [q.id, { answered: 0, correct: 0, points: 0 }]));
  for (const attempt of submitted) {
    // Attempts graded before results were stored are graded again from their answers.
    const results = attempt.results ?? gradeAnswers(questions, attempt.answers).results;
    for (const question of questions) {
      const tally = perQuestion.get(question.id)!;
      if (attempt.answers[question.id] !== undefined && attempt.answers[question.id] !== null) tally.answered++;
      const outcome = results[question.id];
      if (outcome?.correct) tally.correct++;
      tally.points += outcome?.points ?? 0;
    }
  }
  const passes = quiz.passingScore === null ? null : percentages.filter((p) => passedWith(p, quiz.passingScore)).length;
  return {
    totalAttempts: attempts.length,
    submittedAttempts: submitted.length,
    inProgressAttempts: attempts.length - submitted.length,
    students: new Set(attempts.map((a) => a.studentId)).size,
    averagePercentage: mean(
      percentages.reduce((sum, p) => sum + p, 0),
      percentages.length,
    ),
    passRate: passes === null ? null : rate(passes, submitted.length),
    questions: questions.map((q) => {
      const tally = perQuestion.get(q.id)!;
      return {
        questionId: q.id,
        order: q.order,
        type: q.type,
        prompt: q.prompt,
        points: q.points,
        attempts: submitted.length,
        answered: tally.answered,
        correctCount: tally.correct,
        correctRate: rate(tally.correct, submitted.length),
        averagePoints: mean(tally.points, submitted.length),
      };
    }),
  };
}

export function createQuizResultsService({ db }: QuizResultsServiceDeps) {
  return {
    async results(user: AuthUser, quizId: string, query: { page: number; limit: number }): Promise<QuizResultsResponse> {
      const { quiz, course } = await findQuiz(db, quizId);
      const view = await viewOf(db, user, course);
      const questions = await loadQuestions(db, quiz.id);
      const ref = {
        quizId: quiz.id,
        courseId: course.id,
        title: quiz.title,
        totalQuestions: questions.length,
        totalPoints: totalPointsOf(questions),
        passingScore: quiz.passingScore,
      };
      const offset = pageOffset(query.page, query.limit);

      if (view === 'student') {
        const attempts = (await attemptsByQuiz(db, user.id, [quiz.id])).get(quiz.id) ?? [];
        return {
          view: 'student',
          quiz: ref,
          myAttempts: summariseAttempts(quiz, attempts),
          data: attempts.slice(offset, offset + query.limit).map((attempt) => ({
            ...presentAttemptOutcome(attempt, quiz.passingScore),
            ...(attempt.status === 'submitted' ? { questions: presentQuestionResults(questions, attempt) } : {}),
          })),
          pagination: pageInfo(query.page, query.limit, attempts.length),
        };
      }

      const all = await db
        .select({
          status: quizSubmissions.status,
          studentId: quizSubmissions.studentId,
          score: quizSubmissions.score,
          totalPoints: quizSubmissions.totalPoints,
          answers: quizSubmissions.answers,
          results: quizSubmissions.results,
        })
        .from(quizSubmissions)
        .where(eq(quizSubmissions.quizId, quiz.id));
      const rows = await db
        .select({
          attempt: quizSubmissions,
          student: { id: users.id, firstName: users.firstName, lastName: users.lastName, username: users.username },
        })
        .from(quizSubmissions)
        .innerJoin(users, eq(users.id, quizSubmissions.studentId))
        .where(eq(quizSubmissions.quizId, quiz.id))
        .orderBy(asc(users.lastName), asc(users.firstName), asc(users.username), asc(quizSubmissions.attemptNumber))
        .limit(query.limit)
        .offset(offset);
      return {
        view: 'staff',
        quiz: ref,
        statistics: statistics(quiz, questions, all),
        data: rows.map(({ attempt, student }) => ({
          ...presentAttemptOutcome(attempt, quiz.passingScore),
          student: { studentId: student.id, firstName: student.firstName, lastName: student.lastName, username: student.username },
        })),
        pagination: pageInfo(query.page, query.limit, all.length),
      };
    },
  };
}

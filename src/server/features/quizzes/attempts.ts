// Taking a quiz: starting an attempt (one open at a time, within the attempt limit) and submitting it,
// graded here against the database clock. Knows nothing of HTTP.
import { and, asc, eq } from 'drizzle-orm';
import type { BadgeType } from '../../../contract/common.js';
import type { QuizAttempt, SubmitAttemptBody, SubmittedAttempt } from '../../../contract/quizzes.js';
import type { Database, Executor } from '../../db/client.js';
import { courseEnrollments, quizSubmissions } from '../../db/schema.js';
import type { AuthUser } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { recordActivity } from '../analytics/activity.js';
import { recordAudit } from '../audit/log.js';
import { progressForCourse } from '../enrollments/progress.js';
import { databaseNow, findQuiz, loadQuestions } from './access.js';
import { settleCourseProgress } from '../enrollments/completion.js';
import { activeEnrollmentOf } from '../courses/policy.js';
import {
  type AttemptRow,
  presentAttemptOutcome,
  presentQuestionResults,
  type QuestionRow,
  type QuizRow,
  remainingAttempts,
} from './presenter.js';
import { answerShapeError, type Grade, gradeAnswers, totalPointsOf, zeroGrade } from './scoring.js';

/**
 * Network and clock slack after the deadline: a submission up to this long after it still counts.
 * Later, it is recorded as late and scores 0.
 */
export const SUBMISSION_GRACE_MS = 5_000;

export interface QuizAttemptServiceDeps {
  db: Database;
}

/** Past its deadline and the grace: submitting it now would be late. */
const isPastDeadline = (attempt: Pick<AttemptRow, 'deadline'>, now: Date): boolean =>
  attempt.deadline !== null && now.getTime() > attempt.deadline.getTime() + SUBMISSION_GRACE_MS;

const deadlineFor = (quiz: Pick<QuizRow, 'timeLimit'>, startedAt: Date): Date | null =>
  quiz.timeLimit === null ? null : new Date(startedAt.getTime() + Math.round(quiz.timeLimit * 60_000));

/** The answers as stored (by question id), or a 400 naming each answer that cannot be one. */
function answersByQuestion(questions: readonly QuestionRow[], body: SubmitAttemptBody): Record<string, unknown> {
  const byId = new Map(questions.map((q) => [q.id, q]));
  const seen = new Set<string>();
  // Unanswered questions are not stored: an answer of null and no answer mean the same.
  const answers: Record<string, unknown> = {};
  const details: Record<string, string> = {};
  body.answers.forEach(({ questionId, answer }, index) => {
    const question = byId.get(questionId);
    if (!question) {
      details[`body.answers.${index}.questionId`] = 'is not a question of this quiz';
    } else if (seen.has(questionId)) {
      details[`body.answers.${index}.questionId`] = 'is answered twice';
    } else if (answer !== null) {
      const problem = answerShapeError(question.type, answer);
      if (problem) details[`body.answers.${index}.answer`] = problem;
      else answers[questionId] = answer;
    }
    seen.add(questionId);
  });
  const first = Object.entries(details)[0];
  if (first) throw new AppError('VALIDATION_ERROR', `Invalid request: ${first[0]} ${first[1]}`, details);
  return answers;
}

/**
 * The student's active enrolment, locked for the transaction, or 403. Starts and submissions take
 * the quiz, then this, then the attempt, always in that order, so that they never deadlock.
 */
async function lockEnrollment(tx: Executor, studentId: string, courseId: string): Promise<void> {
  const [enrollment] = await tx
    .select({ id: courseEnrollments.id })
    .from(courseEnrollments)
    .where(activeEnrollmentOf(studentId, courseId))
    .for('no key update');
  if (!enrollment) throw new AppError('NOT_ENROLLED', 'You must be enrolled in this course to take its quizzes');
}

interface Closing {
  attempt: AttemptRow;
  grade: Grade;
  answers: Record<string, unknown>;
  late: boolean;
  expired: boolean;
  now: Date;
}

/**
 * Closes an attempt still in progress: stores its grade, then what taking a quiz means elsewhere
 * (timeline, course completion, badges) and the audit row. Returns the closed row and the badges it
 * earned, or null when another request closed it first.
 */
async function closeAttempt(
  tx: Executor,
  user: AuthUser,
  quiz: QuizRow,
  course: { id: string; title: string },
  closing: Closing,
): Promise<{ row: AttemptRow; newAchievements: BadgeType[] } | null> {
  const { attempt, grade, answers, late, expired, now } = closing;
  const [row] = await tx
    .update(quizSubmissions)
    .set({
      status: 'submitted',
      submittedAt: now,
      score: grade.score,
      totalPoints: grade.totalPoints,
      answers,
      results: grade.results,
      late,
      expired,
    })
    .where(and(eq(quizSubmissions.id, attempt.id), eq(quizSubmissions.status, 'in_progress')))
    .returning();
  if (!row) return null;
  await recordActivity(tx, {
    userId: attempt.studentId,
    type: 'quiz_completed',
    title: `Completed ${quiz.title}`,
    courseId: course.id,
    entityId: quiz.id,
    at: now,
  });
  const { newBadges: newAchievements } = await settleCourseProgress(tx, attempt.studentId, course, now, 'graded');
  await recordAudit(tx, user, {
    action: 'quiz_attempt.submit',
    targetType: 'quiz_attempt',
    targetId: attempt.id,
    before: { status: attempt.status },
    after: { status: 'submitted', quizId: quiz.id, score: grade.score, totalPoints: grade.totalPoints, late, expired },
  });
  return { row, newAchievements };
}

type StartOutcome =
  | { kind: 'created' | 'resumed'; attempt: AttemptRow; started: number; attemptsAllowed: number | null; now: Date }
  | { kind: 'limit'; allowed: number };

export function createQuizAttemptService({ db }: QuizAttemptServiceDeps) {
  return {
    /**
     * Starts an attempt, or returns the one in progress. An attempt left open past its deadline is
     * closed first (graded on what it saved, which is nothing: 0) and counts toward the limit.
     */
    async start(user: AuthUser, quizId: string): Promise<{ attempt: QuizAttempt; created: boolean }> {
      const outcome = await db.transaction(async (tx): Promise<StartOutcome> => {
        const { quiz, course } = await findQuiz(tx, quizId, 'share');
        // One start at a time per student and course: two at once end in one attempt.
        await lockEnrollment(tx, user.id, course.id);

        const now = await databaseNow(tx);
        const attempts = await tx
          .select()
          .from(quizSubmissions)
          .where(and(eq(quizSubmissions.quizId, quiz.id), eq(quizSubmissions.studentId, user.id)))
          .orderBy(asc(quizSubmissions.attemptNumber));
        const open = attempts.find((a) => a.status === 'in_progress');
        if (open && !isPastDeadline(open, now)) {
          return { kind: 'resumed', attempt: open, started: attempts.length, attemptsAllowed: quiz.attemptsAllowed, now };
        }
        const questions = await loadQuestions(tx, quiz.id);
        if (open) {
          const grade = gradeAnswers(questions, open.answers);
          await closeAttempt(tx, user, quiz, course, { attempt: open, grade, answers: open.answers, late: false, expired: true, now });
        }
        if (quiz.attemptsAllowed !== null && attempts.length >= quiz.attemptsAllowed) {
          // Returned rather than thrown, so that closing an expired attempt above is kept.
          return { kind: 'limit', allowed: quiz.attemptsAllowed };
        }

        const attemptNumber = (attempts.at(-1)?.attemptNumber ?? 0) + 1;
        const [attempt] = await tx
          .insert(quizSubmissions)
          .values({
            quizId: quiz.id,
            studentId: user.id,
            courseId: course.id,
            attemptNumber,
            status: 'in_progress',
            startedAt: now,
            deadline: deadlineFor(quiz, now),
            totalPoints: totalPointsOf(questions),
          })
          .returning();
        await recordAudit(tx, user, {
          action: 'quiz_attempt.start',
          targetType: 'quiz_attempt',
          targetId: attempt!.id,
          after: { quizId: quiz.id, attemptNumber, startedAt: now.toISOString(), deadline: attempt!.deadline?.toISOString() ?? null },
        });
        return { kind: 'created', attempt: attempt!, started: attempts.length + 1, attemptsAllowed: quiz.attemptsAllowed, now };
      });

      if (outcome.kind === 'limit') {
        throw new AppError(
          'ATTEMPT_LIMIT_REACHED',
          `You have used all ${outcome.allowed} attempt${outcome.allowed === 1 ? '' : 's'} allowed for this quiz`,
        );
      }
      const { attempt, started, attemptsAllowed, now } = outcome;
      return {
        created: outcome.kind === 'created',
        attempt: {
          attemptId: attempt.id,
          quizId: attempt.quizId,
          attemptNumber: attempt.attemptNumber,
          status: attempt.status,
          startedAt: attempt.startedAt.toISOString(),
          deadline: attempt.deadline?.toISOString() ?? null,
          serverTime: now.toISOString(),
          remainingAttempts: remainingAttempts(attemptsAllowed, started),
        },
      };
    },

    /**
     * Grades the caller's attempt once. Past the deadline and its grace the submission is kept, marked
     * late, and scores 0. The correct answers are revealed in the response.
     */
    async submit(user: AuthUser, quizId: string, attemptId: string, body: SubmitAttemptBody): Promise<SubmittedAttempt> {
      return db.transaction(async (tx) => {
        const { quiz, course } = await findQuiz(tx, quizId, 'share');
        await lockEnrollment(tx, user.id, course.id);
        // Locked: a second submission of the same attempt waits, then finds it submitted.
        const [attempt] = await tx
          .select()
          .from(quizSubmissions)
          .where(and(eq(quizSubmissions.id, attemptId), eq(quizSubmissions.quizId, quiz.id)))
          .for('update');
        if (!attempt) throw new AppError('QUIZ_ATTEMPT_NOT_FOUND', 'Attempt not found');
        if (attempt.studentId !== user.id) throw new AppError('FORBIDDEN', 'You can only submit your own attempts');
        if (attempt.status === 'submitted') {
          throw new AppError('ATTEMPT_ALREADY_SUBMITTED', 'This attempt has already been submitted');
        }
        const questions = await loadQuestions(tx, quiz.id);
        const answers = answersByQuestion(questions, body);

        const now = await databaseNow(tx);
        const late = isPastDeadline(attempt, now);
        const grade = late ? zeroGrade(questions) : gradeAnswers(questions, answers);
        const closed = await closeAttempt(tx, user, quiz, course, { attempt, grade, answers, late, expired: false, now });
        // Cannot happen while the row is locked; a guard rather than a silent wrong answer.
        if (!closed) throw new AppError('ATTEMPT_ALREADY_SUBMITTED', 'This attempt has already been submitted');
        const { row, newAchievements } = closed;
        return {
          quizId: quiz.id,
          ...presentAttemptOutcome(row, quiz.passingScore),
          passingScore: quiz.passingScore,
          questions: presentQuestionResults(questions, row),
          progress: await progressForCourse(tx, user.id, course.id),
          newAchievements,
        };
      });
    },
  };
}

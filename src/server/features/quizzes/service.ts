// Quiz authoring (course staff) and reading (staff with answers, enrolled students without). Attempts
// live in attempts.ts, results in results.ts. Knows nothing of HTTP.
import { and, asc, count, eq, inArray, sql } from 'drizzle-orm';
import type { Pagination } from '../../../contract/common.js';
import type {
  CreateQuizBody,
  QuestionInput,
  QuizDetails,
  QuizSummary,
  StaffQuiz,
  UpdateQuizBody,
} from '../../../contract/quizzes.js';
import type { Database, Executor } from '../../db/client.js';
import { pageInfo, pageOffset } from '../../db/pagination.js';
import { lessons, quizQuestions, quizSubmissions, quizzes } from '../../db/schema.js';
import type { AuthUser } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { changedFields, recordAudit } from '../audit/log.js';
import { findCourse, findManagedCourse } from '../courses/policy.js';
import { isSatisfied, nextVersion, type Precondition, StaleVersionError } from '../courses/versioning.js';
import { assertStaff, attemptsByQuiz, findQuiz, loadQuestions, viewOf } from './access.js';
import { settleCourseForActiveStudents } from '../enrollments/completion.js';
import {
  presentQuizSummary,
  presentStaffQuestion,
  presentStaffQuiz,
  presentStudentQuiz,
  type QuestionRow,
  type QuizRow,
  summariseAttempts,
} from './presenter.js';
import { totalPointsOf } from './scoring.js';

export interface QuizServiceDeps {
  db: Database;
}

type QuestionInsert = typeof quizQuestions.$inferInsert;

function questionValues(quizId: string, questions: readonly QuestionInput[]): QuestionInsert[] {
  return questions.map((q, index) => ({
    quizId,
    order: index + 1,
    type: q.type,
    prompt: q.prompt,
    options: q.type === 'single_choice' || q.type === 'multiple_choice' ? q.options : [],
    correctAnswer: q.correctAnswer,
    tolerance: q.type === 'numeric' ? q.tolerance : null,
    points: q.points,
  }));
}

/** Questions as a client would compare them: resending the current questions is not a change. */
const comparable = (questions: readonly QuestionRow[]) =>
  JSON.stringify(
    questions.map((q) => {
      const { questionId: _id, ...rest } = presentStaffQuestion(q);
      return rest;
    }),
  );

async function assertLessonOfCourse(db: Executor, lessonId: string, courseId: string): Promise<void> {
  const [lesson] = await db
    .select({ id: lessons.id })
    .from(lessons)
    .where(and(eq(lessons.id, lessonId), eq(lessons.courseId, courseId)))
    .limit(1);
  if (!lesson) {
    throw new AppError('VALIDATION_ERROR', 'Invalid request: lessonId must be a lesson of this course', {
      'body.lessonId': 'must be a lesson of this course',
    });
  }
}

/** What the audit log keeps of a quiz: its settings and the size of its question set, not its answers. */
const auditView = (quiz: QuizRow, questions: readonly Pick<QuestionRow, 'points'>[]) => ({
  courseId: quiz.courseId,
  lessonId: quiz.lessonId,
  title: quiz.title,
  description: quiz.description,
  timeLimit: quiz.timeLimit,
  attemptsAllowed: quiz.attemptsAllowed,
  passingScore: quiz.passingScore,
  questionCount: questions.length,
  totalPoints: totalPointsOf(questions),
});

export function createQuizService({ db }: QuizServiceDeps) {
  return {
    async create(user: AuthUser, body: CreateQuizBody): Promise<StaffQuiz> {
      return db.transaction(async (tx) => {
        const course = await findManagedCourse(tx, user, body.courseId);
        if (body.lessonId) await assertLessonOfCourse(tx, body.lessonId, course.id);
        const now = new Date();
        const [quiz] = await tx
          .insert(quizzes)
          .values({
            courseId: course.id,
            lessonId: body.lessonId ?? null,
            title: body.title,
            description: body.description || null,
            timeLimit: body.timeLimit ?? null,
            attemptsAllowed: body.attemptsAllowed ?? null,
            passingScore: body.passingScore ?? null,
            createdAt: now,
            updatedAt: now,
          })
          .returning();
        const questions = await tx.insert(quizQuestions).values(questionValues(quiz!.id, body.questions)).returning();
        questions.sort((a, b) => a.order - b.order);
        await recordAudit(tx, user, { action: 'quiz.create', targetType: 'quiz', targetId: quiz!.id, after: auditView(quiz!, questions) });
        return presentStaffQuiz(quiz!, questions);
      });
    },

    /**
     * Changes settings at any time. Questions are replaced as a whole, and only while nobody has
     * attempted the quiz: grades already given must keep meaning what they meant.
     */
    /** A stale `precondition` (If-Match) is refused with the current quiz, after the staff check. */
    async update(user: AuthUser, quizId: string, body: UpdateQuizBody, precondition?: Precondition): Promise<StaffQuiz> {
      return db.transaction(async (tx) => {
        // Locked: an attempt cannot start while the questions are being replaced, nor the reverse.
        const { quiz, course } = await findQuiz(tx, quizId, 'update');
        assertStaff(user, course);
        if (body.lessonId) await assertLessonOfCourse(tx, body.lessonId, course.id);
        let questions = await loadQuestions(tx, quiz.id);
        if (!isSatisfied(precondition, quiz.updatedAt)) throw new StaleVersionError(presentStaffQuiz(quiz, questions), 'quiz');
        const before = auditView(quiz, questions);

        if (body.questions) {
          const incoming = questionValues(quiz.id, body.questions).map((q, i) => ({ ...q, id: `new-${i}` }) as QuestionRow);
          if (comparable(incoming) !== comparable(questions)) {
            const [{ attempts } = { attempts: 0 }] = await tx
              .select({ attempts: count() })
              .from(quizSubmissions)
              .where(eq(quizSubmissions.quizId, quiz.id));
            if (attempts > 0) {
              throw new AppError('QUIZ_HAS_ATTEMPTS', 'The questions cannot change once students have attempted the quiz');
            }
            await tx.delete(quizQuestions).where(eq(quizQuestions.quizId, quiz.id));
            questions = await tx.insert(quizQuestions).values(questionValues(quiz.id, body.questions)).returning();
            questions.sort((a, b) => a.order - b.order);
          }
        }

        const changes = {
          ...(body.lessonId !== undefined ? { lessonId: body.lessonId } : {}),
          ...(body.title !== undefined ? { title: body.title } : {}),
          ...(body.description !== undefined ? { description: body.description || null } : {}),
          ...(body.timeLimit !== undefined ? { timeLimit: body.timeLimit } : {}),
          ...(body.attemptsAllowed !== undefined ? { attemptsAllowed: body.attemptsAllowed } : {}),
          ...(body.passingScore !== undefined ? { passingScore: body.passingScore } : {}),
        };
        const [updated] = await tx
          .update(quizzes)
          .set({ ...changes, updatedAt: nextVersion(quizzes.updatedAt) })
          .where(eq(quizzes.id, quiz.id))
          .returning();
        const diff = changedFields(before, auditView(updated!, questions));
        await recordAudit(tx, user, { action: 'quiz.update', targetType: 'quiz', targetId: quiz.id, ...diff });
        return presentStaffQuiz(updated!, questions);
      });
    },

    /**
     * Deletes the quiz with its questions and attempts. Students who had done everything else in the
     * course now have completed it.
     */
    async remove(user: AuthUser, quizId: string): Promise<void> {
      await db.transaction(async (tx) => {
        const { quiz, course } = await findQuiz(tx, quizId, 'update');
        assertStaff(user, course);
        const questions = await loadQuestions(tx, quiz.id);
        const [{ attempts } = { attempts: 0 }] = await tx
          .select({ attempts: count() })
          .from(quizSubmissions)
          .where(eq(quizSubmissions.quizId, quiz.id));
        await tx.delete(quizzes).where(eq(quizzes.id, quiz.id));
        await recordAudit(tx, user, {
          action: 'quiz.delete',
          targetType: 'quiz',
          targetId: quiz.id,
          before: { ...auditView(quiz, questions), attempts },
        });
        await settleCourseForActiveStudents(tx, course, new Date());
      });
    },

    async details(user: AuthUser, quizId: string): Promise<QuizDetails> {
      const { quiz, course } = await findQuiz(db, quizId);
      const view = await viewOf(db, user, course);
      const questions = await loadQuestions(db, quiz.id);
      if (view === 'staff') return presentStaffQuiz(quiz, questions);
      const attempts = (await attemptsByQuiz(db, user.id, [quiz.id])).get(quiz.id) ?? [];
      return presentStudentQuiz(quiz, questions, summariseAttempts(quiz, attempts));
    },

    async listForCourse(
      user: AuthUser,
      courseId: string,
      query: { page: number; limit: number },
    ): Promise<{ data: QuizSummary[]; pagination: Pagination }> {
      const course = await findCourse(db, courseId);
      const view = await viewOf(db, user, course);
      const [{ total } = { total: 0 }] = await db.select({ total: count() }).from(quizzes).where(eq(quizzes.courseId, course.id));
      const rows = await db
        .select()
        .from(quizzes)
        .where(eq(quizzes.courseId, course.id))
        .orderBy(asc(quizzes.createdAt), asc(quizzes.id))
        .limit(query.limit)
        .offset(pageOffset(query.page, query.limit));
      const ids = rows.map((quiz) => quiz.id);
      const totals = new Map(
        (ids.length === 0
          ? []
          : await db
              .select({
                quizId: quizQuestions.quizId,
                totalQuestions: count(),
                totalPoints: sql<number>`coalesce(sum(${quizQuestions.points}), 0)::int`,
              })
              .from(quizQuestions)
              .where(inArray(quizQuestions.quizId, ids))
              .groupBy(quizQuestions.quizId)
        ).map((t) => [t.quizId, { totalQuestions: t.totalQuestions, totalPoints: t.totalPoints }]),
      );
      const mine = view === 'student' ? await attemptsByQuiz(db, user.id, ids) : null;
      const data = rows.map((quiz) =>
        presentQuizSummary(
          quiz,
          totals.get(quiz.id) ?? { totalQuestions: 0, totalPoints: 0 },
          mine ? summariseAttempts(quiz, mine.get(quiz.id) ?? []) : undefined,
        ),
      );
      return { data, pagination: pageInfo(query.page, query.limit, total) };
    },
  };
}

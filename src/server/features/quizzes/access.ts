// Finding quizzes and deciding what the caller may see of them: course staff see answers, actively
// enrolled students take the quiz, everyone else is refused.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.js';
import { courses, quizQuestions, quizSubmissions, quizzes } from '../../db/schema.js';
import type { AuthUser } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { findActiveEnrollment, isCourseStaff } from '../courses/policy.js';
import type { AttemptRow, QuestionRow, QuizRow } from './presenter.js';

export type CourseRef = { id: string; title: string; instructorId: string };
export type QuizView = 'staff' | 'student';

/** The quiz and its course, or a 404. `lock` takes a row lock on the quiz for the transaction. */
export async function findQuiz(
  db: Executor,
  quizId: string,
  lock?: 'update' | 'share',
): Promise<{ quiz: QuizRow; course: CourseRef }> {
  const query = db
    .select({ quiz: quizzes, course: { id: courses.id, title: courses.title, instructorId: courses.instructorId } })
    .from(quizzes)
    .innerJoin(courses, eq(courses.id, quizzes.courseId))
    .where(eq(quizzes.id, quizId))
    .limit(1);
  const [row] = lock ? await query.for(lock, { of: quizzes }) : await query;
  if (!row) throw new AppError('QUIZ_NOT_FOUND', 'Quiz not found');
  return row;
}

export async function loadQuestions(db: Executor, quizId: string): Promise<QuestionRow[]> {
  return db.select().from(quizQuestions).where(eq(quizQuestions.quizId, quizId)).orderBy(asc(quizQuestions.order));
}

/** Staff of the course, or an actively enrolled student; otherwise 403. */
export async function viewOf(db: Executor, user: AuthUser, course: Pick<CourseRef, 'id' | 'instructorId'>): Promise<QuizView> {
  if (isCourseStaff(user, course)) return 'staff';
  if (await findActiveEnrollment(db, user.id, course.id)) return 'student';
  if (user.role === 'student') throw new AppError('NOT_ENROLLED', 'You must be enrolled in this course to see its quizzes');
  throw new AppError('FORBIDDEN', 'Only the course instructor, an admin or an enrolled student can see this quiz');
}

/** The staff check for writes: 403 unless the caller is the course's instructor or an admin. */
export function assertStaff(user: AuthUser, course: Pick<CourseRef, 'instructorId'>): void {
  if (!isCourseStaff(user, course)) throw new AppError('FORBIDDEN', 'Only the course instructor or an admin can do this');
}

/**
 * The database's clock: every instance measures time limits against the same clock, and never
 * against the client's.
 */
export async function databaseNow(db: Executor): Promise<Date> {
  const [row] = await queryRows<{ ms: number }>(db, sql`select (extract(epoch from clock_timestamp()) * 1000)::float8 as ms`);
  return new Date(Math.floor(row!.ms));
}

/** A student's attempts at each of the quizzes, by attempt number. */
export async function attemptsByQuiz(db: Executor, studentId: string, quizIds: readonly string[]): Promise<Map<string, AttemptRow[]>> {
  const byQuiz = new Map<string, AttemptRow[]>(quizIds.map((id) => [id, []]));
  if (quizIds.length === 0) return byQuiz;
  const rows = await db
    .select()
    .from(quizSubmissions)
    .where(and(eq(quizSubmissions.studentId, studentId), inArray(quizSubmissions.quizId, [...quizIds])))
    .orderBy(asc(quizSubmissions.attemptNumber));
  for (const row of rows) byQuiz.get(row.quizId)?.push(row);
  return byQuiz;
}

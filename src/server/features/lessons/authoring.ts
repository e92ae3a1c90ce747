// Editing, moving, deleting and reordering a course's lessons (its instructor or an admin). Every
// change keeps the course's orders unique and without gaps (1..n). Knows nothing of HTTP.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Lesson, ReorderLessonsBody, UpdateLessonBody } from '../../../contract/lessons.js';
import type { Database, Executor } from '../../db/client.js';
import { lessons } from '../../db/schema.js';
import type { AuthUser } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { changedFields, recordAudit } from '../audit/log.js';
import { type CourseRow, findManagedCourse } from '../courses/policy.js';
import { settleCourseForActiveStudents } from '../enrollments/completion.js';
import { isSatisfied, nextVersion, type Precondition, StaleVersionError } from '../courses/versioning.js';
import { presentLesson } from './presenter.js';

type LessonRow = typeof lessons.$inferSelect;

/**
 * The managed course's lessons in order, with the course row locked so that lesson creations and
 * structural edits of one course run one after another (orders are computed from the current rows).
 */
async function lockedLessons(tx: Executor, user: AuthUser, courseId: string): Promise<LessonRow[]> {
  return (await lockedCourseLessons(tx, user, courseId)).rows;
}

/** The course, locked against key updates while its lessons are reordered, and its lessons in order. */
async function lockedCourseLessons(tx: Executor, user: AuthUser, courseId: string): Promise<{ course: CourseRow; rows: LessonRow[] }> {
  const course = await findManagedCourse(tx, user, courseId, 'no key update');
  const rows = await tx.select().from(lessons).where(eq(lessons.courseId, courseId)).orderBy(asc(lessons.order));
  return { course, rows };
}

/**
 * Gives the lessons `orderedIds` the orders 1..n, touching only the lessons whose order changes.
 * The unique (course, order) index is checked row by row, so the moved lessons first step out of the
 * way (above every current order), then land on their new positions.
 */
async function applyOrder(tx: Executor, current: LessonRow[], orderedIds: string[]): Promise<void> {
  const was = new Map(current.map((lesson) => [lesson.id, lesson.order]));
  const moved = orderedIds.map((id, index) => ({ id, order: index + 1 })).filter((entry) => was.get(entry.id) !== entry.order);
  if (moved.length === 0) return;
  const offset = Math.max(orderedIds.length, ...current.map((lesson) => lesson.order)) + 1;
  await tx
    .update(lessons)
    .set({ order: sql`${lessons.order} + ${offset}` })
    .where(
      inArray(
        lessons.id,
        moved.map((entry) => entry.id),
      ),
    );
  const values = sql.join(
    moved.map((entry) => sql`(${entry.id}::uuid, ${entry.order}::int)`),
    sql`, `,
  );
  await tx.execute(sql`
    update lessons set "order" = v.position, updated_at = greatest(now(), lessons.updated_at + interval '1 millisecond')
      from (values ${values}) as v(id, position) where lessons.id = v.id`);
}

const lessonSnapshot = (lesson: Pick<LessonRow, 'title' | 'description' | 'estimatedTime' | 'order'>) => ({
  title: lesson.title,
  description: lesson.description,
  estimatedTime: lesson.estimatedTime,
  order: lesson.order,
});

function findIn(rows: LessonRow[], lessonId: string): LessonRow {
  const lesson = rows.find((row) => row.id === lessonId);
  if (!lesson) throw new AppError('LESSON_NOT_FOUND', 'Lesson not found in this course');
  return lesson;
}

async function reload(tx: Executor, lessonId: string): Promise<LessonRow> {
  const [lesson] = await tx.select().from(lessons).where(eq(lessons.id, lessonId)).limit(1);
  return lesson!;
}

/** Changes the fields sent; a new `order` moves the lesson and shifts the ones in between. */
export async function updateLesson(
  db: Database,
  user: AuthUser,
  courseId: string,
  lessonId: string,
  body: UpdateLessonBody,
  precondition?: Precondition,
): Promise<Lesson> {
  return db.transaction(async (tx) => {
    const rows = await lockedLessons(tx, user, courseId);
    const lesson = findIn(rows, lessonId);
    if (!isSatisfied(precondition, lesson.updatedAt)) {
      throw new StaleVersionError(presentLesson(lesson, null), 'lesson');
    }
    const target = body.order === undefined ? lesson.order : Math.min(body.order, rows.length);
    const diff = changedFields(
      lessonSnapshot(lesson),
      lessonSnapshot({
        title: body.title ?? lesson.title,
        description: body.description ?? lesson.description,
        estimatedTime: body.estimatedTime ?? lesson.estimatedTime,
        order: target,
      }),
    );
    if (Object.keys(diff.after).length === 0) return presentLesson(lesson, null);

    if (target !== lesson.order) {
      const others = rows.filter((row) => row.id !== lessonId).map((row) => row.id);
      others.splice(target - 1, 0, lessonId);
      await applyOrder(tx, rows, others);
    }
    const { title, description, estimatedTime } = body;
    await tx
      .update(lessons)
      .set({ title, description, estimatedTime, updatedAt: nextVersion(lessons.updatedAt) })
      .where(eq(lessons.id, lessonId));
    await recordAudit(tx, user, { action: 'lesson.update', targetType: 'lesson', targetId: lessonId, ...diff });
    return presentLesson(await reload(tx, lessonId), null);
  });
}

/**
 * Deletes the lesson and closes the gap. Its completions go with it; assignments and quizzes attached
 * to it stay in the course without a lesson. Students for whom it was the last thing left to do have
 * now completed the course.
 */
export async function deleteLesson(db: Database, user: AuthUser, courseId: string, lessonId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const { course, rows } = await lockedCourseLessons(tx, user, courseId);
    const lesson = findIn(rows, lessonId);
    await tx.delete(lessons).where(and(eq(lessons.id, lessonId), eq(lessons.courseId, courseId)));
    const remaining = rows.filter((row) => row.id !== lessonId);
    await applyOrder(
      tx,
      remaining,
      remaining.map((row) => row.id),
    );
    await recordAudit(tx, user, {
      action: 'lesson.delete',
      targetType: 'lesson',
      targetId: lessonId,
      before: { courseId, ...lessonSnapshot(lesson) },
    });
    await settleCourseForActiveStudents(tx, course, new Date());
  });
}

/** Sets the whole order at once: `lessonIds` must name every lesson of the course exactly once. */
export async function reorderLessons(
  db: Database,
  user: AuthUser,
  courseId: string,
  body: ReorderLessonsBody,
): Promise<Lesson[]> {
  return db.transaction(async (tx) => {
    const rows = await lockedLessons(tx, user, courseId);
    const ids = new Set(body.lessonIds);
    const exact = ids.size === body.lessonIds.length && ids.size === rows.length && rows.every((row) => ids.has(row.id));
    if (!exact) {
      throw new AppError('VALIDATION_ERROR', 'lessonIds must list every lesson of the course exactly once', {
        'body.lessonIds': `must list each of the course's ${rows.length} lessons exactly once`,
      });
    }
    const before = rows.map((row) => row.id);
    if (before.some((id, index) => body.lessonIds[index] !== id)) {
      await applyOrder(tx, rows, body.lessonIds);
      await recordAudit(tx, user, {
        action: 'lesson.reorder',
        targetType: 'course',
        targetId: courseId,
        before: { lessonIds: before },
        after: { lessonIds: body.lessonIds },
      });
    }
    const reordered = await tx.select().from(lessons).where(eq(lessons.courseId, courseId)).orderBy(asc(lessons.order));
    return reordered.map((lesson) => presentLesson(lesson, null));
  });
}

// A course's lessons (listing, creation in order) and lesson completion; editing, moving and deleting
// them live in authoring.ts. Knows nothing of HTTP.
import { and, asc, eq, gte, sql } from 'drizzle-orm';
import type {
  CompleteLessonBody,
  CreateLessonBody,
  Lesson,
  LessonCompletion,
  ReorderLessonsBody,
  UpdateLessonBody,
} from '../../../contract/lessons.js';
import { concurrentSteps, type Database, type Executor, queryRows } from '../../db/client.js';
import { combinedValues, reusableQuery } from '../../db/reusable-queries.js';
import { courses, lessonCompletions, lessons, studySessions, users } from '../../db/schema.js';
import { assertActingForSelf, type AuthUser } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { activityRowInsert, activityRowValues } from '../analytics/activity.js';
import { advanceStreak, effectiveStreak } from '../analytics/streaks.js';
import { auditRowInsert, auditRowValues, recordAudit } from '../audit/log.js';
import { assertEnrolledFlag, findActiveEnrollment, findCourse, findManagedCourse, isActivelyEnrolled } from '../courses/policy.js';
import { progressForCourse } from '../enrollments/progress.js';
import type { Precondition } from '../courses/versioning.js';
import { iso } from '../users/presenter.js';
import { emitEvent } from '../../realtime/events.js';
import { deleteLesson, reorderLessons, updateLesson } from './authoring.js';
import { presentLesson } from './presenter.js';
import { settleCourseProgress } from '../enrollments/completion.js';

export interface LessonsServiceDeps {
  db: Database;
}

/** Completions this close to the end of the course's latest study session extend that session. */
const STUDY_SESSION_GAP_MS = 30 * 60_000;
const MINUTE_MS = 60_000;

/**
 * Adds `minutes` of study ending now, joining the course's latest session if it ended recently, else
 * starting one. One statement: the latest recent session is locked, extended if found, a new one
 * inserted if not.
 */
async function recordStudyTime(tx: Executor, entry: { userId: string; courseId: string; lessonId: string; minutes: number; now: Date }) {
  const { userId, courseId, lessonId, minutes, now } = entry;
  const since = new Date(now.getTime() - STUDY_SESSION_GAP_MS);
  const startTime = new Date(now.getTime() - minutes * MINUTE_MS);
  await tx.execute(sql`
    with recent as (
      select id from ${studySessions}
       where user_id = ${userId} and course_id = ${courseId} and end_time >= ${since}
       order by end_time desc limit 1
       for update
    ), extended as (
      update ${studySessions}
         set end_time = greatest(end_time, ${now}), duration = duration + ${minutes},
             lessons_covered = lessons_covered || jsonb_build_array(${lessonId}::text)
       where id = (select id from recent)
      returning id
    )
    insert into ${studySessions} (user_id, course_id, start_time, end_time, duration, lessons_covered)
    select ${userId}::uuid, ${courseId}::uuid, ${startTime}::timestamptz, ${now}::timestamptz, ${minutes}::int, jsonb_build_array(${lessonId}::text)
     where not exists (select 1 from extended)`);
}

const streakColumns = { currentStreak: users.currentStreak, longestStreak: users.longestStreak, lastLearned: users.lastLearned };

/**
 * The new streak with the completion's audit and timeline rows, one statement: an update whose WITH
 * queries are the two inserts (PostgreSQL runs them all, whatever the update returns).
 */
const saveStreakWithRecords = reusableQuery('save_streak_with_completion_records', (db) =>
  db
    .with(db.$with('audit_row').as(auditRowInsert(db)), db.$with('activity_row').as(activityRowInsert(db)))
    .update(users)
    .set({
      currentStreak: sql`${sql.placeholder('currentStreak')}`,
      longestStreak: sql`${sql.placeholder('longestStreak')}`,
      lastLearned: sql`${sql.placeholder('lastLearned')}`,
    })
    .where(eq(users.id, sql.placeholder('userId'))),
);

/**
 * A completion's first statement: the lesson (with its course's title and whether the student is actively
 * enrolled there), the completion, inserted only then (and nothing when the student has it already: a
 * concurrent first completion makes the insert wait, then do nothing), and the student's streak, locked
 * after the insert so that two completions of different lessons do not both advance it from the same
 * state. One row: the streak, with the lesson's columns null for an unknown lesson and the completion's
 * null when nothing was inserted.
 */
const completeLessonLockingStreak = reusableQuery('complete_lesson_locking_streak', (db) => {
  const studentId = sql.placeholder('studentId');
  const found = db.$with('found').as(
    db
      .select({
        lessonId: lessons.id,
        courseId: lessons.courseId,
        lessonTitle: sql<string>`${lessons.title}`.as('lesson_title'),
        estimatedTime: lessons.estimatedTime,
        courseTitle: sql<string>`${courses.title}`.as('course_title'),
        enrolled: isActivelyEnrolled(studentId, lessons.courseId).as('enrolled'),
      })
      .from(lessons)
      .innerJoin(courses, eq(courses.id, lessons.courseId))
      .where(eq(lessons.id, sql.placeholder('lessonId'))),
  );
  const created = db.$with('created').as(
    db
      .insert(lessonCompletions)
      // In the table's column order, as an insert from a select takes them.
      .select(
        db
          .select({
            id: sql`gen_random_uuid()`.as('id'),
            studentId: sql`${studentId}::uuid`.as('student_id'),
            lessonId: found.lessonId,
            courseId: found.courseId,
            completedAt: sql`${sql.placeholder('completedAt')}::timestamptz`.as('completed_at'),
            timeSpent: sql`coalesce(${sql.placeholder('timeSpent')}::int, ${found.estimatedTime})`.as('time_spent'),
          })
          .from(found)
          .where(sql`${found.enrolled}`),
      )
      .onConflictDoNothing()
      .returning(),
  );
  return db
    .with(found, created)
    .select({
      ...streakColumns,
      lessonId: found.lessonId,
      courseId: found.courseId,
      lessonTitle: found.lessonTitle,
      courseTitle: found.courseTitle,
      enrolled: found.enrolled,
      completionId: created.id,
      completedAt: created.completedAt,
      timeSpent: created.timeSpent,
    })
    .from(users)
    .leftJoin(found, sql`true`)
    .leftJoin(created, sql`true`)
    .where(eq(users.id, studentId))
    .for('update', { of: users });
});

const completionOf = reusableQuery('lesson_completion_of_student', (db) =>
  db
    .select()
    .from(lessonCompletions)
    .where(and(eq(lessonCompletions.studentId, sql.placeholder('studentId')), eq(lessonCompletions.lessonId, sql.placeholder('lessonId'))))
    .limit(1),
);

/** The course's lessons (or one of them) in order; `completedAt` is the viewer's, when actively enrolled. */
async function viewedLessons(db: Executor, courseId: string, viewer: AuthUser | null, lessonId?: string): Promise<Lesson[]> {
  const where = lessonId ? and(eq(lessons.courseId, courseId), eq(lessons.id, lessonId)) : eq(lessons.courseId, courseId);
  const enrolled = viewer ? await findActiveEnrollment(db, viewer.id, courseId) : undefined;
  if (!viewer || !enrolled) {
    const rows = await db.select().from(lessons).where(where).orderBy(asc(lessons.order));
    return rows.map((lesson) => presentLesson(lesson, null));
  }
  const rows = await db
    .select({ lesson: lessons, completedAt: lessonCompletions.completedAt })
    .from(lessons)
    .leftJoin(lessonCompletions, and(eq(lessonCompletions.lessonId, lessons.id), eq(lessonCompletions.studentId, viewer.id)))
    .where(where)
    .orderBy(asc(lessons.order));
  return rows.map((row) => presentLesson(row.lesson, row.completedAt));
}

export function createLessonsService({ db }: LessonsServiceDeps) {
  return {
    /** The course's lessons in order; `completedAt` is the viewer's, when actively enrolled. */
    async list(courseId: string, viewer: AuthUser | null): Promise<Lesson[]> {
      await findCourse(db, courseId);
      return viewedLessons(db, courseId, viewer);
    },

    /** One lesson of the course, as the list shows it. */
    async get(courseId: string, lessonId: string, viewer: AuthUser | null): Promise<Lesson> {
      await findCourse(db, courseId);
      const [lesson] = await viewedLessons(db, courseId, viewer, lessonId);
      if (!lesson) throw new AppError('LESSON_NOT_FOUND', 'Lesson not found in this course');
      return lesson;
    },

    /**
     * Adds a lesson at `order` (appended when omitted or beyond the end). Lessons from that position on
     * move down by one so that orders stay unique and without gaps.
     */
    async create(user: AuthUser, courseId: string, body: CreateLessonBody): Promise<Lesson> {
      assertActingForSelf(user, body.instructorId, 'instructorId');
      await findManagedCourse(db, user, courseId);
      const now = new Date();
      return db.transaction(async (tx) => {
        // Serialises lesson creation per course, since the position is computed from the current lessons.
        // (`no key update` does not block enrolments, whose foreign key takes a key-share lock.)
        await tx.select({ id: courses.id }).from(courses).where(eq(courses.id, courseId)).for('no key update');
        const [{ last } = { last: 0 }] = await queryRows<{ last: number }>(
          tx,
          sql`select coalesce(max(${lessons.order}), 0)::int as last from ${lessons} where ${lessons.courseId} = ${courseId}`,
        );
        const order = body.order === undefined || body.order > last ? last + 1 : body.order;
        if (order <= last) {
          // Two steps: the unique (course, order) index is checked row by row, so moving every lesson
          // by one in place would collide. First out of the way, then back to their new positions.
          const offset = last + 1;
          await tx
            .update(lessons)
            .set({ order: sql`${lessons.order} + ${offset}` })
            .where(and(eq(lessons.courseId, courseId), gte(lessons.order, order)));
          await tx
            .update(lessons)
            .set({ order: sql`${lessons.order} - ${offset} + 1`, updatedAt: now })
            .where(and(eq(lessons.courseId, courseId), gte(lessons.order, offset)));
        }
        const [lesson] = await tx
          .insert(lessons)
          .values({
            courseId,
            title: body.title,
            description: body.description,
            order,
            estimatedTime: body.estimatedTime,
            createdAt: now,
            updatedAt: now,
          })
          .returning();
        await recordAudit(tx, user, {
          action: 'lesson.create',
          targetType: 'lesson',
          targetId: lesson!.id,
          after: { courseId, title: lesson!.title, description: lesson!.description, estimatedTime: lesson!.estimatedTime, order },
        });
        return presentLesson(lesson!, null);
      });
    },

    update: (user: AuthUser, courseId: string, lessonId: string, body: UpdateLessonBody, precondition?: Precondition) =>
      updateLesson(db, user, courseId, lessonId, body, precondition),

    remove: (user: AuthUser, courseId: string, lessonId: string) => deleteLesson(db, user, courseId, lessonId),

    reorder: (user: AuthUser, courseId: string, body: ReorderLessonsBody) => reorderLessons(db, user, courseId, body),

    /**
     * Completes a lesson once. The first completion also advances the streak, records study time,
     * may complete the course and earn badges; a repeat returns the existing completion unchanged.
     */
    async complete(user: AuthUser, body: CompleteLessonBody): Promise<LessonCompletion> {
      const studentId = user.id;
      const now = new Date();
      return db.transaction(async (tx) => {
        const [learner] = await completeLessonLockingStreak(tx, { studentId, lessonId: body.lessonId, completedAt: now, timeSpent: body.timeSpent ?? null });
        if (!learner) throw new AppError('USER_NOT_FOUND', 'User not found');
        const { lessonId, courseId, lessonTitle, courseTitle, completionId } = learner;
        if (lessonId === null || courseId === null || lessonTitle === null || courseTitle === null) throw new AppError('LESSON_NOT_FOUND', 'Lesson not found');
        assertEnrolledFlag(learner.enrolled === true);

        const present = (
          completion: Pick<LessonCompletion, 'completionId' | 'completedAt' | 'timeSpent'>,
          alreadyCompleted: boolean,
          after: Pick<LessonCompletion, 'progress' | 'currentStreak' | 'newAchievements'>,
        ): LessonCompletion => ({ ...completion, lessonId, courseId, studentId, alreadyCompleted, ...after });

        if (completionId === null) {
          const [[existing], progress] = await concurrentSteps([completionOf(tx, { studentId, lessonId }), progressForCourse(tx, studentId, courseId)]);
          return present(
            { completionId: existing!.id, completedAt: iso(existing!.completedAt), timeSpent: existing!.timeSpent },
            true,
            { progress, currentStreak: effectiveStreak(learner), newAchievements: [] },
          );
        }

        // The time spent as inserted: the body's, else the lesson's estimate.
        const minutes = learner.timeSpent ?? 0;
        const streak = advanceStreak(learner, now);
        // None of these depends on another. The streak badges, checked in the same write after the streak's
        // save, see the streak written here: a connection runs statements in the order they were sent.
        const [, , settled] = await concurrentSteps([
          saveStreakWithRecords(
            tx,
            combinedValues(
              { userId: studentId, ...streak },
              auditRowValues(user, { action: 'lesson.complete', targetType: 'lesson', targetId: lessonId, after: { courseId, completionId, timeSpent: minutes } }),
              activityRowValues({ userId: studentId, type: 'lesson_completed', title: `Completed ${lessonTitle}`, courseId, entityId: lessonId, at: now }),
            ),
          ),
          recordStudyTime(tx, { userId: studentId, courseId, lessonId, minutes, now }),
          settleCourseProgress(tx, studentId, { id: courseId, title: courseTitle }, now, 'lesson_completed'),
        ]);
        // Published at commit, to the student and the course's staff.
        await emitEvent(tx, {
          type: 'lesson.completed',
          data: { lessonId, studentId, courseId },
          audience: { userIds: [studentId], courseId, staffOnly: true },
        });
        // The progress and streak just computed here: badges change neither.
        return present(
          { completionId, completedAt: iso(learner.completedAt!), timeSpent: learner.timeSpent },
          false,
          { progress: settled.progress, currentStreak: effectiveStreak(streak), newAchievements: settled.newBadges },
        );
      });
    },
  };
}

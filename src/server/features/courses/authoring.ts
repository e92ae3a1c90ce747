// Editing and deleting a course (its instructor or an admin). Knows nothing of HTTP.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { CourseDetails, UpdateCourseBody } from '../../../contract/courses.js';
import { type Database, type Executor, queryRows } from '../../db/client.js';
import { coursePrerequisites, courses, users } from '../../db/schema.js';
import { assertActingForSelf, type AuthUser } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { changedFields, recordAudit } from '../audit/log.js';
import { announceCourseUpdate } from '../communication/triggers.js';
import { loadCourseDetails } from './details.js';
import { findManagedCourse } from './policy.js';
import { isSatisfied, nextVersion, type Precondition, StaleVersionError } from './versioning.js';

type CourseRow = typeof courses.$inferSelect;

/** The instructor a course belongs to: the caller, or (for an admin) an existing instructor. */
export async function resolveInstructor(tx: Executor, user: AuthUser, claimedId: string | undefined): Promise<string> {
  assertActingForSelf(user, claimedId, 'instructorId');
  const instructorId = claimedId ?? user.id;
  if (instructorId === user.id) return instructorId;
  const [target] = await tx.select({ role: users.role }).from(users).where(eq(users.id, instructorId)).limit(1);
  if (!target) throw new AppError('USER_NOT_FOUND', 'Instructor not found');
  if (target.role !== 'instructor') {
    throw new AppError('VALIDATION_ERROR', 'instructorId must name an instructor', {
      'body.instructorId': 'must name an instructor',
    });
  }
  return instructorId;
}

export async function assertCoursesExist(tx: Executor, courseIds: string[]): Promise<void> {
  if (courseIds.length === 0) return;
  const found = await tx.select({ id: courses.id }).from(courses).where(inArray(courses.id, courseIds));
  const known = new Set(found.map((row) => row.id));
  const missing = courseIds.filter((id) => !known.has(id));
  if (missing.length) {
    const list = missing.join(', ');
    throw new AppError('VALIDATION_ERROR', `Unknown prerequisite courses: ${list}`, {
      'body.prerequisiteIds': `unknown courses: ${list}`,
    });
  }
}

async function prerequisiteIdsOf(tx: Executor, courseId: string): Promise<string[]> {
  const rows = await tx
    .select({ id: coursePrerequisites.prerequisiteId })
    .from(coursePrerequisites)
    .where(eq(coursePrerequisites.courseId, courseId))
    .orderBy(asc(coursePrerequisites.prerequisiteId));
  return rows.map((row) => row.id);
}

/** What the audit log keeps of a course: its editable fields. */
export const courseSnapshot = (course: CourseRow, prerequisiteIds: string[]): Record<string, unknown> => ({
  title: course.title,
  description: course.description,
  thumbnailUrl: course.thumbnailUrl,
  category: course.category,
  difficultyLevel: course.difficultyLevel,
  instructorId: course.instructorId,
  prerequisiteIds: [...prerequisiteIds].sort(),
});

const editableFields = ['title', 'description', 'thumbnailUrl', 'category', 'difficultyLevel'] as const;

/**
 * Applies the fields sent, and replaces the prerequisites when `prerequisiteIds` is sent. A cycle is
 * refused by the database trigger (PREREQUISITE_CYCLE), which rolls the whole edit back.
 */
export async function updateCourse(
  db: Database,
  user: AuthUser,
  courseId: string,
  body: UpdateCourseBody,
  precondition?: Precondition,
): Promise<CourseDetails> {
  await db.transaction(async (tx) => {
    // `no key update`, not `update`: a concurrent edit naming this course as a prerequisite takes a
    // key-share lock on it, and `update` would let two such edits deadlock.
    const course = await findManagedCourse(tx, user, courseId, 'no key update');
    if (!isSatisfied(precondition, course.updatedAt)) {
      throw new StaleVersionError(await loadCourseDetails(tx, courseId, user.id), 'course');
    }
    const previousPrerequisites = await prerequisiteIdsOf(tx, courseId);

    const changes: Partial<Pick<CourseRow, (typeof editableFields)[number] | 'instructorId'>> = {};
    for (const field of editableFields) {
      const value = body[field];
      if (value !== undefined && value !== course[field]) Object.assign(changes, { [field]: value });
    }
    // Naming the current instructor changes nothing; naming another is for admins only (403 otherwise).
    if (body.instructorId !== undefined && body.instructorId !== course.instructorId) {
      changes.instructorId = await resolveInstructor(tx, user, body.instructorId);
    }

    let prerequisites = previousPrerequisites;
    if (body.prerequisiteIds !== undefined) {
      prerequisites = [...new Set(body.prerequisiteIds)].sort();
      await assertCoursesExist(tx, prerequisites.filter((id) => id !== courseId));
      const removed = previousPrerequisites.filter((id) => !prerequisites.includes(id));
      const added = prerequisites.filter((id) => !previousPrerequisites.includes(id));
      if (removed.length) {
        await tx
          .delete(coursePrerequisites)
          .where(and(eq(coursePrerequisites.courseId, courseId), inArray(coursePrerequisites.prerequisiteId, removed)));
      }
      if (added.length) {
        await tx.insert(coursePrerequisites).values(added.map((prerequisiteId) => ({ courseId, prerequisiteId })));
      }
    }

    const diff = changedFields(courseSnapshot(course, previousPrerequisites), courseSnapshot({ ...course, ...changes }, prerequisites));
    if (Object.keys(diff.after).length > 0) {
      await tx
        .update(courses)
        .set({ ...changes, updatedAt: nextVersion(courses.updatedAt) })
        .where(eq(courses.id, courseId));
      await recordAudit(tx, user, { action: 'course.update', targetType: 'course', targetId: courseId, ...diff });
      await announceCourseUpdate(tx, { id: courseId, title: changes.title ?? course.title }, diff.after, user.id);
    }
  });
  // Read after commit: the details run their queries in parallel, which one transaction's client cannot.
  return loadCourseDetails(db, courseId, user.id);
}

/**
 * Deletes the course. Its lessons, assignments, quizzes, enrolments, submissions, completions and
 * ratings go with it (foreign keys cascade); the audit row keeps what the course was.
 */
export async function deleteCourse(db: Database, user: AuthUser, courseId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const course = await findManagedCourse(tx, user, courseId, 'update');
    const [counts] = await queryRows<{ lessons: number; assignments: number; quizzes: number; enrollments: number }>(
      tx,
      sql`select
        (select count(*)::int from lessons where course_id = ${courseId}) as lessons,
        (select count(*)::int from assignments where course_id = ${courseId}) as assignments,
        (select count(*)::int from quizzes where course_id = ${courseId}) as quizzes,
        (select count(*)::int from course_enrollments where course_id = ${courseId}) as enrollments`,
    );
    const before = { ...courseSnapshot(course, await prerequisiteIdsOf(tx, courseId)), ...counts };
    await tx.delete(courses).where(eq(courses.id, courseId));
    await recordAudit(tx, user, { action: 'course.delete', targetType: 'course', targetId: courseId, before });
  });
}

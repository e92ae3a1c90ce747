// Who may do what to which course, in one place.
import { and, eq, type Placeholder, type SQL, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { type Executor, queryRows } from '../../db/client.js';
import { reusableQuery } from '../../db/reusable-queries.js';
import { courseEnrollments, courses } from '../../db/schema.js';
import type { AuthUser } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';

export type CourseRow = typeof courses.$inferSelect;

export const isCourseStaff = (user: Pick<AuthUser, 'id' | 'role'>, course: Pick<CourseRow, 'instructorId'>): boolean =>
  user.role === 'admin' || course.instructorId === user.id;

/**
 * A row lock on the course for the rest of the transaction. Writers that must not interleave take
 * conflicting locks: an enrolment takes `share` and a new assignment or lesson `update` / `no key update`,
 * so an assignment created during an enrolment cannot miss the new student's not_started row.
 */
export type CourseLock = 'update' | 'no key update' | 'share';

const courseById = reusableQuery('course_by_id', (db) =>
  db
    .select()
    .from(courses)
    .where(eq(courses.id, sql.placeholder('courseId')))
    .limit(1),
);

export async function findCourse(db: Executor, courseId: string, lock?: CourseLock): Promise<CourseRow> {
  const [course] = lock
    ? await db.select().from(courses).where(eq(courses.id, courseId)).limit(1).for(lock)
    : await courseById(db, { courseId });
  if (!course) throw new AppError('COURSE_NOT_FOUND', 'Course not found');
  return course;
}

/** The course, if the caller is its instructor or an admin: 404 when missing, 403 otherwise. */
export async function findManagedCourse(db: Executor, user: AuthUser, courseId: string, lock?: CourseLock): Promise<CourseRow> {
  const course = await findCourse(db, courseId, lock);
  if (!isCourseStaff(user, course)) {
    throw new AppError('FORBIDDEN', 'Only the course instructor or an admin can do this');
  }
  return course;
}

/**
 * The rule "the student is actively enrolled in the course", as a condition on the enrolment row: the
 * lookups below, the flag other lookups carry and the locks of the writes that depend on it all use it.
 */
export const activeEnrollmentOf = (studentId: Placeholder | string, courseId: Placeholder | string | AnyPgColumn): SQL =>
  and(eq(courseEnrollments.studentId, studentId), eq(courseEnrollments.courseId, courseId), eq(courseEnrollments.status, 'active'))!;

const activeEnrollment = reusableQuery('active_enrollment_of_student', (db) =>
  db
    .select()
    .from(courseEnrollments)
    .where(activeEnrollmentOf(sql.placeholder('studentId'), sql.placeholder('courseId')))
    .limit(1),
);

export async function findActiveEnrollment(db: Executor, studentId: string, courseId: string) {
  const [row] = await activeEnrollment(db, { studentId, courseId });
  return row;
}

/**
 * Whether the student is actively enrolled in the course, as a column of another lookup: a write that
 * finds its lesson or assignment learns in the same statement whether the caller may act on it.
 */
export const isActivelyEnrolled = (studentId: Placeholder | string, courseId: AnyPgColumn): SQL<boolean> =>
  sql<boolean>`exists (select 1 from ${courseEnrollments} where ${activeEnrollmentOf(studentId, courseId)})`;

/** 403 for a student who is not actively enrolled in the course. */
export function assertEnrolledFlag(enrolled: boolean, message = 'You must be enrolled in this course'): void {
  if (!enrolled) throw new AppError('NOT_ENROLLED', message);
}

/** 403 unless the student is actively enrolled in the course. */
export async function assertEnrolled(db: Executor, studentId: string, courseId: string) {
  const enrollment = await findActiveEnrollment(db, studentId, courseId);
  assertEnrolledFlag(Boolean(enrollment));
  return enrollment!;
}

/**
 * May the viewer see this student's learning data (analytics, progress, grades)?
 * The student, admins, and instructors of a course the student is enrolled in.
 */
export async function canViewStudentData(db: Executor, viewer: AuthUser, studentId: string): Promise<boolean> {
  if (viewer.id === studentId || viewer.role === 'admin') return true;
  if (viewer.role !== 'instructor') return false;
  const rows = await queryRows<{ ok: number }>(db, sql`
    select 1 as ok from ${courseEnrollments} e join ${courses} c on c.id = e.course_id
    where e.student_id = ${studentId} and c.instructor_id = ${viewer.id} limit 1`);
  return rows.length > 0;
}

export async function assertCanViewStudentData(db: Executor, viewer: AuthUser, studentId: string): Promise<void> {
  if (!(await canViewStudentData(db, viewer, studentId))) {
    throw new AppError('FORBIDDEN', "You may not see this user's learning data");
  }
}

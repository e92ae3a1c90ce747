// Finding an assignment and deciding who may see or manage it: one place for every assignment route.
import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { reusableQuery } from '../../db/reusable-queries.js';
import { assignmentSubmissions, assignments, courses, lessons, users } from '../../db/schema.js';
import type { AuthUser } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { assertEnrolledFlag, findActiveEnrollment, isActivelyEnrolled, isCourseStaff } from '../courses/policy.js';

/**
 * A row lock on the assignment. Edits of the assignment or its rubric take `no key update`, grading takes
 * `share`: a grade cannot be given against points or a rubric that are being changed at the same time,
 * while graders do not wait for each other, and inserts referencing the assignment are never blocked.
 */
export type AssignmentLock = 'no key update' | 'share';

const selectInContext = <Extra extends Record<string, SQL>>(db: Executor, extra = {} as Extra) =>
  db
    .select({
      assignment: assignments,
      course: { id: courses.id, title: courses.title, category: courses.category, instructorId: courses.instructorId },
      lesson: { id: lessons.id, title: lessons.title, order: lessons.order },
      ...extra,
    })
    .from(assignments)
    .innerJoin(courses, eq(courses.id, assignments.courseId))
    .leftJoin(lessons, eq(lessons.id, assignments.lessonId));

/** Without a lock, the most frequent case (every submission), built once. */
const assignmentInContext = reusableQuery('assignment_in_context', (db) =>
  selectInContext(db)
    .where(eq(assignments.id, sql.placeholder('assignmentId')))
    .limit(1),
);

/** The assignment with the course and lesson it belongs to, or a 404. */
export async function findAssignmentInContext(db: Executor, assignmentId: string, lock?: AssignmentLock) {
  const [row] = lock
    ? await selectInContext(db).where(eq(assignments.id, assignmentId)).limit(1).for(lock, { of: assignments })
    : await assignmentInContext(db, { assignmentId });
  if (!row) throw new AppError('ASSIGNMENT_NOT_FOUND', 'Assignment not found');
  return row;
}

export type AssignmentInContext = Awaited<ReturnType<typeof findAssignmentInContext>>;

const submitterColumn = (column: typeof users.firstName | typeof users.lastName) =>
  sql<string>`(select ${column} from ${users} where ${users.id} = ${sql.placeholder('studentId')})`;

const assignmentForSubmitter = reusableQuery('assignment_for_submitter', (db) =>
  selectInContext(db, {
    enrolled: isActivelyEnrolled(sql.placeholder('studentId'), assignments.courseId),
    // For the instructor's notice, read here rather than by a statement of its own.
    submitterFirstName: submitterColumn(users.firstName),
    submitterLastName: submitterColumn(users.lastName),
  })
    .where(eq(assignments.id, sql.placeholder('assignmentId')))
    .limit(1),
);

/**
 * The assignment in context and the submitter's name, or a 404; 403 unless the student is actively
 * enrolled in its course.
 */
export async function findAssignmentForSubmitter(
  db: Executor,
  assignmentId: string,
  studentId: string,
): Promise<AssignmentInContext & { submitter: { firstName: string; lastName: string } }> {
  const [row] = await assignmentForSubmitter(db, { assignmentId, studentId });
  if (!row) throw new AppError('ASSIGNMENT_NOT_FOUND', 'Assignment not found');
  assertEnrolledFlag(row.enrolled, 'You must be enrolled in this course to submit its assignments');
  const { submitterFirstName: firstName, submitterLastName: lastName, ...found } = row;
  return { ...found, submitter: { firstName, lastName } };
}

/** The assignment, if the caller is its course's instructor or an admin: 404 when missing, 403 otherwise. */
export async function findManagedAssignment(db: Executor, user: AuthUser, assignmentId: string, lock?: AssignmentLock) {
  const found = await findAssignmentInContext(db, assignmentId, lock);
  if (!isCourseStaff(user, found.course)) {
    throw new AppError('FORBIDDEN', 'Only the course instructor or an admin can do this');
  }
  return found;
}

/** Course staff, and students actively enrolled in the course, may see an assignment. */
export async function assertCanViewAssignment(db: Executor, user: AuthUser, found: AssignmentInContext): Promise<void> {
  if (isCourseStaff(user, found.course)) return;
  if (user.role !== 'student') {
    throw new AppError('FORBIDDEN', 'Only the course instructor, an admin or an enrolled student can see this assignment');
  }
  if (!(await findActiveEnrollment(db, user.id, found.course.id))) {
    throw new AppError('NOT_ENROLLED', 'You must be enrolled in this course to see its assignments');
  }
}

/** A submission of this assignment, locked for the rest of the transaction, or a 404. */
export async function lockSubmission(tx: Executor, assignmentId: string, submissionId: string) {
  const [row] = await tx
    .select()
    .from(assignmentSubmissions)
    .where(and(eq(assignmentSubmissions.id, submissionId), eq(assignmentSubmissions.assignmentId, assignmentId)))
    .for('update')
    .limit(1);
  if (!row) throw new AppError('SUBMISSION_NOT_FOUND', 'Submission not found for this assignment');
  return row;
}

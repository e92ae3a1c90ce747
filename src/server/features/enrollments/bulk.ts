// Enrolling many students at once (the course's instructor or an admin), by id or email, through the
// same enrolment as a student's own, minus the prerequisite check. Knows nothing of HTTP.
import { inArray, or, sql } from 'drizzle-orm';
import type { BulkEnrollBody, BulkEnrollResult, BulkEnrollRow } from '../../../contract/enrollments.js';
import type { Database, Executor } from '../../db/client.js';
import { users } from '../../db/schema.js';
import type { AuthUser } from '../../http/auth.js';
import { AppError, isUniqueViolation } from '../../http/errors.js';
import { recordAudit } from '../audit/log.js';
import { findManagedCourse } from '../courses/policy.js';
import { enrollStudent } from './enroll.js';

/** all_or_nothing with a failed row: every row was rolled back; `results` says why. */
export class BulkEnrollmentError extends AppError {
  constructor(readonly results: BulkEnrollRow[]) {
    const failed = results.filter((row) => row.status !== 'rolled_back').length;
    super(
      'BULK_ENROLLMENT_FAILED',
      `${failed} of ${results.length} students could not be enrolled, so nobody was`,
      Object.fromEntries(
        results.filter((row) => row.status !== 'rolled_back').map((row) => [`body.students.${row.index}`, row.status]),
      ),
    );
  }
}

type StudentRow = { id: string; email: string; role: string };

async function findStudents(db: Executor, body: BulkEnrollBody): Promise<{ byId: Map<string, StudentRow>; byEmail: Map<string, StudentRow> }> {
  const ids = [...new Set(body.students.flatMap((row) => (row.studentId ? [row.studentId] : [])))];
  const emails = [...new Set(body.students.flatMap((row) => (row.email ? [row.email.toLowerCase()] : [])))];
  const conditions = [
    ...(ids.length ? [inArray(users.id, ids)] : []),
    ...(emails.length ? [inArray(sql`lower(${users.email})`, emails)] : []),
  ];
  const rows = await db.select({ id: users.id, email: users.email, role: users.role }).from(users).where(or(...conditions));
  return {
    byId: new Map(rows.map((row) => [row.id, row])),
    byEmail: new Map(rows.map((row) => [row.email.toLowerCase(), row])),
  };
}

export async function bulkEnroll(db: Database, user: AuthUser, courseId: string, body: BulkEnrollBody): Promise<BulkEnrollResult> {
  const now = new Date();
  return db.transaction(async (tx) => {
    const course = await findManagedCourse(tx, user, courseId, 'share');
    const { byId, byEmail } = await findStudents(tx, body);
    const results: BulkEnrollRow[] = [];
    for (const [index, row] of body.students.entries()) {
      const student = row.studentId ? byId.get(row.studentId) : byEmail.get(row.email!.toLowerCase());
      const entry: BulkEnrollRow = {
        index,
        ...(row.studentId ? { studentId: row.studentId } : {}),
        ...(row.email ? { email: row.email } : {}),
        status: 'not_found',
      };
      results.push(entry);
      if (!student) continue;
      if (student.role !== 'student') {
        entry.status = 'not_a_student';
        continue;
      }
      entry.studentId = student.id;
      try {
        // A savepoint per row: a row that fails leaves the others untouched.
        const enrollment = await tx.transaction((row) => enrollStudent(row, user, course, student.id, { checkPrerequisites: false, now }));
        entry.status = 'enrolled';
        entry.enrollmentId = enrollment.id;
      } catch (error) {
        const duplicate = (error instanceof AppError && error.code === 'ALREADY_ENROLLED') || isUniqueViolation(error);
        if (!duplicate) throw error;
        entry.status = 'already_enrolled';
      }
    }
    const enrolled = results.filter((entry) => entry.status === 'enrolled');
    if (body.mode === 'all_or_nothing' && enrolled.length < results.length) {
      // Thrown inside the transaction, so that every enrolment made above is rolled back.
      throw new BulkEnrollmentError(
        results.map(({ enrollmentId: _rolledBack, ...entry }) =>
          entry.status === 'enrolled' ? { ...entry, status: 'rolled_back' } : entry,
        ),
      );
    }
    if (enrolled.length > 0) {
      await recordAudit(tx, user, {
        action: 'enrollment.bulk',
        targetType: 'course',
        targetId: courseId,
        after: {
          mode: body.mode,
          enrolled: enrolled.map((entry) => entry.studentId),
          failed: results.length - enrolled.length,
        },
      });
    }
    return { courseId, mode: body.mode, enrolled: enrolled.length, failed: results.length - enrolled.length, results };
  });
}

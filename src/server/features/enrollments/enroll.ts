// Enrolling one student in a course, the step shared by a student's own enrolment and bulk enrolment
// by staff. Runs in the caller's transaction. Knows nothing of HTTP.
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Enrollment } from '../../../contract/enrollments.js';
import type { Executor } from '../../db/client.js';
import { courseEnrollments, coursePrerequisites, courses } from '../../db/schema.js';
import type { AuthUser } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { awardBadges, badgeRules } from '../achievements/rules.js';
import { recordActivity } from '../analytics/activity.js';
import { recordAudit } from '../audit/log.js';
import { iso } from '../users/presenter.js';
import { progressForCourse } from './progress.js';

type CourseRow = typeof courses.$inferSelect;
type EnrollmentRow = typeof courseEnrollments.$inferSelect;

export const alreadyEnrolled = (self: boolean) =>
  new AppError('ALREADY_ENROLLED', self ? 'You are already enrolled in this course' : 'The student is already enrolled in this course');

/** Titles of the course's prerequisites the student has not completed, in title order. */
async function missingPrerequisites(db: Executor, studentId: string, courseId: string): Promise<string[]> {
  const rows = await db
    .select({ title: courses.title })
    .from(coursePrerequisites)
    .innerJoin(courses, eq(courses.id, coursePrerequisites.prerequisiteId))
    .leftJoin(
      courseEnrollments,
      and(eq(courseEnrollments.courseId, coursePrerequisites.prerequisiteId), eq(courseEnrollments.studentId, studentId)),
    )
    .where(and(eq(coursePrerequisites.courseId, courseId), isNull(courseEnrollments.completedAt)))
    .orderBy(asc(courses.title));
  return rows.map((row) => row.title);
}

/**
 * Makes the enrollment row active: a new row, or the student's withdrawn row re-activated (the pair is
 * unique, so the history stays on one row). Throws ALREADY_ENROLLED when it is active already,
 * including when a concurrent request won.
 */
async function activateEnrollment(tx: Executor, studentId: string, courseId: string, now: Date, self: boolean) {
  const [reactivated] = await tx
    .update(courseEnrollments)
    .set({ status: 'active', enrolledAt: now, withdrawnAt: null })
    .where(
      and(
        eq(courseEnrollments.studentId, studentId),
        eq(courseEnrollments.courseId, courseId),
        eq(courseEnrollments.status, 'withdrawn'),
      ),
    )
    .returning();
  if (reactivated) return { enrollment: reactivated, reactivated: true };
  const [inserted] = await tx
    .insert(courseEnrollments)
    .values({ studentId, courseId, status: 'active', enrolledAt: now })
    .onConflictDoNothing()
    .returning();
  if (!inserted) throw alreadyEnrolled(self);
  return { enrollment: inserted, reactivated: false };
}

export interface EnrollOptions {
  /** Students enrolling themselves must have completed the prerequisites; staff enrolling them need not. */
  checkPrerequisites: boolean;
  now: Date;
}

/**
 * Enrols one student, in the caller's transaction, which must hold a `share` lock on the course row
 * (see CourseLock): creates their not_started submissions, the timeline entry, badges and the audit row.
 */
export async function enrollStudent(
  tx: Executor,
  actor: AuthUser,
  course: CourseRow,
  studentId: string,
  { checkPrerequisites, now }: EnrollOptions,
): Promise<EnrollmentRow> {
  const self = actor.id === studentId;
  const [existing] = await tx
    .select({ status: courseEnrollments.status })
    .from(courseEnrollments)
    .where(and(eq(courseEnrollments.studentId, studentId), eq(courseEnrollments.courseId, course.id)))
    .limit(1);
  if (existing?.status === 'active') throw alreadyEnrolled(self);
  if (checkPrerequisites) {
    const missing = await missingPrerequisites(tx, studentId, course.id);
    if (missing.length > 0) {
      throw new AppError('PREREQUISITES_NOT_MET', `Complete the prerequisite courses first: ${missing.join(', ')}`);
    }
  }
  const { enrollment, reactivated } = await activateEnrollment(tx, studentId, course.id, now, self);
  // Every assignment of the course starts as not_started for the new student.
  await tx.execute(sql`
    insert into assignment_submissions (student_id, assignment_id, course_id, status, assigned_at, due_date)
    select ${studentId}::uuid, a.id, a.course_id, 'not_started', ${now.toISOString()}::timestamptz, a.due_date
      from assignments a where a.course_id = ${course.id}::uuid
    on conflict (student_id, assignment_id) do nothing`);
  await recordActivity(tx, {
    userId: studentId,
    type: 'course_enrolled',
    title: `Enrolled in ${course.title}`,
    courseId: course.id,
    entityId: course.id,
    at: now,
  });
  for (const badge of await awardBadges(tx, studentId, now, ['enrolled'])) {
    await recordActivity(tx, { userId: studentId, type: 'achievement_earned', title: `Earned ${badgeRules[badge].title}`, at: now });
  }
  await recordAudit(tx, actor, {
    action: 'enrollment.create',
    targetType: 'enrollment',
    targetId: enrollment.id,
    before: reactivated ? { status: 'withdrawn' } : null,
    after: { courseId: course.id, studentId, status: 'active', enrolledAt: iso(now) },
  });
  return enrollment;
}

export async function presentEnrollment(db: Executor, enrollment: EnrollmentRow, course: Pick<CourseRow, 'id' | 'title'>): Promise<Enrollment> {
  return {
    enrollmentId: enrollment.id,
    courseId: course.id,
    studentId: enrollment.studentId,
    status: enrollment.status,
    enrolledAt: iso(enrollment.enrolledAt),
    ...(enrollment.status === 'withdrawn' && enrollment.withdrawnAt ? { withdrawnAt: iso(enrollment.withdrawnAt) } : {}),
    course: { courseId: course.id, title: course.title },
    progress: await progressForCourse(db, enrollment.studentId, course.id),
  };
}

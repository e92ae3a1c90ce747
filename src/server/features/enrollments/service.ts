// Enrolling a student in a course, leaving it, and a student's progress in it. Knows nothing of HTTP.
import { eq } from 'drizzle-orm';
import type { CourseProgress } from '../../../contract/analytics.js';
import type { BulkEnrollBody, Enrollment } from '../../../contract/enrollments.js';
import type { Database } from '../../db/client.js';
import { courseEnrollments } from '../../db/schema.js';
import { assertActingForSelf, type AuthUser } from '../../http/auth.js';
import { AppError, isUniqueViolation } from '../../http/errors.js';
import { can } from '../../http/permissions.js';
import { courseProgressFor } from '../analytics/service.js';
import { recordAudit } from '../audit/log.js';
import { activeEnrollmentOf, assertCanViewStudentData, findCourse, isCourseStaff } from '../courses/policy.js';
import { iso } from '../users/presenter.js';
import { bulkEnroll } from './bulk.js';
import { alreadyEnrolled, enrollStudent, presentEnrollment } from './enroll.js';

export interface EnrollmentsServiceDeps {
  db: Database;
}

export function createEnrollmentsService({ db }: EnrollmentsServiceDeps) {
  return {
    async enroll(user: AuthUser, courseId: string): Promise<Enrollment> {
      const course = await findCourse(db, courseId);
      // Checked before the permission: an instructor enrolling in their own course learns why.
      if (course.instructorId === user.id) {
        throw new AppError('INSTRUCTOR_CANNOT_ENROLL', 'You cannot enroll in a course you teach');
      }
      if (!can(user.role, 'courses:enroll')) {
        throw new AppError('FORBIDDEN', 'Only students can enroll in courses');
      }
      const now = new Date();
      try {
        return await db.transaction(async (tx) => {
          const locked = await findCourse(tx, courseId, 'share');
          const enrollment = await enrollStudent(tx, user, locked, user.id, { checkPrerequisites: true, now });
          return presentEnrollment(tx, enrollment, locked);
        });
      } catch (error) {
        // A concurrent enrolment inserted the same (student, course) row first.
        if (isUniqueViolation(error)) throw alreadyEnrolled(true);
        throw error;
      }
    },

    /**
     * Withdraws an active enrollment: the seat is freed, while completions, submissions and grades stay,
     * and enrolling again re-activates the same enrollment. Students leave themselves; an admin names
     * the student.
     */
    async withdraw(user: AuthUser, courseId: string, studentId: string | undefined): Promise<Enrollment> {
      assertActingForSelf(user, studentId, 'studentId');
      const targetId = studentId ?? user.id;
      if (targetId === user.id && !can(user.role, 'courses:enroll')) {
        throw new AppError('FORBIDDEN', 'Only students can unenroll; an admin names the student with studentId');
      }
      return db.transaction(async (tx) => {
        const course = await findCourse(tx, courseId);
        const [enrollment] = await tx
          .select()
          .from(courseEnrollments)
          .where(activeEnrollmentOf(targetId, courseId))
          .limit(1)
          .for('update');
        if (!enrollment) {
          throw new AppError(
            'ENROLLMENT_NOT_FOUND',
            targetId === user.id ? 'You are not enrolled in this course' : 'The student is not enrolled in this course',
          );
        }
        const now = new Date();
        const [withdrawn] = await tx
          .update(courseEnrollments)
          .set({ status: 'withdrawn', withdrawnAt: now })
          .where(eq(courseEnrollments.id, enrollment.id))
          .returning();
        await recordAudit(tx, user, {
          action: 'enrollment.withdraw',
          targetType: 'enrollment',
          targetId: enrollment.id,
          before: { status: 'active' },
          after: { courseId, studentId: targetId, status: 'withdrawn', withdrawnAt: iso(now) },
        });
        return presentEnrollment(tx, withdrawn!, course);
      });
    },

    /**
     * The spec's CourseProgress of the caller, or of `studentId` for the course's instructor and admins
     * (who must also be allowed to see that student's learning data).
     */
    async progress(viewer: AuthUser, courseId: string, studentId: string | undefined): Promise<CourseProgress> {
      const course = await findCourse(db, courseId);
      const targetId = studentId ?? viewer.id;
      const self = targetId === viewer.id;
      if (!self) {
        if (!isCourseStaff(viewer, course)) {
          throw new AppError('FORBIDDEN', "Only the course instructor or an admin can see another student's progress");
        }
        await assertCanViewStudentData(db, viewer, targetId);
      }
      const [progress] = await courseProgressFor(db, targetId, [courseId]);
      if (progress) return progress;
      if (self) throw new AppError('NOT_ENROLLED', 'You must be enrolled in this course');
      throw new AppError('ENROLLMENT_NOT_FOUND', 'The student is not enrolled in this course');
    },

    bulk: (user: AuthUser, courseId: string, body: BulkEnrollBody) => bulkEnroll(db, user, courseId, body),
  };
}

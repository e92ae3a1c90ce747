// Assignments: creation, details, and the submission lifecycle (not_started → in_progress → submitted →
// graded). Knows nothing of HTTP.
import { and, asc, eq, sql } from 'drizzle-orm';
import type {
  AssignmentDetails,
  AssignmentListQuery,
  CreateAssignmentBody,
  SubmitAssignmentBody,
} from '../../../contract/assignments.js';
import { concurrentSteps, type Database } from '../../db/client.js';
import { placeholders, reusableQuery } from '../../db/reusable-queries.js';
import { assignmentSubmissions, assignments, users } from '../../db/schema.js';
import { assertActingForSelf, type AuthUser } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { recordAudit, recordAuditWithActivity } from '../audit/log.js';
import { announceSubmission } from '../communication/triggers.js';
import { findManagedCourse, isCourseStaff } from '../courses/policy.js';
import { resolveOwnUpload } from '../files/service.js';
import { iso } from '../users/presenter.js';
import { assertCanViewAssignment, findAssignmentForSubmitter, findAssignmentInContext } from './access.js';
import { assertLessonOfCourse } from './authoring.js';
import { listCourseAssignments, listManagedAssignments, listStudentAssignments } from './listing.js';
import {
  assignmentSnapshot,
  presentAssignment,
  presentReceipt,
  presentStudentSubmission,
  presentSubmission,
  type SubmissionRow,
} from './presenter.js';
import { settleCourseProgress } from '../enrollments/completion.js';

export interface AssignmentServiceDeps {
  db: Database;
}

/** A graded submission is final until regraded by an instructor: the student can no longer change it. */
export function assertSubmittable(submission: Pick<SubmissionRow, 'status'> | undefined): void {
  if (submission?.status === 'graded') {
    throw new AppError('ALREADY_GRADED', 'This assignment has already been graded and can no longer be resubmitted');
  }
}

const submissionStatusForUpdate = reusableQuery('submission_status_for_update', (db) =>
  db
    .select({ status: assignmentSubmissions.status })
    .from(assignmentSubmissions)
    .where(
      and(
        eq(assignmentSubmissions.studentId, sql.placeholder('studentId')),
        eq(assignmentSubmissions.assignmentId, sql.placeholder('assignmentId')),
      ),
    )
    .for('update')
    .limit(1),
);

const placeholder = (name: string) => sql`${sql.placeholder(name)}`;
const nowParameter = sql`${sql.placeholder('now')}::timestamptz`;
// The row's own due date (it may differ from the assignment's) decides lateness.
const rowDueDate = sql`coalesce(${assignmentSubmissions.dueDate}, excluded.due_date)`;

/** The student's work handed in: a new submission, or the existing one (unless graded) updated. */
const handIn = reusableQuery('hand_in_submission', (db) =>
  db
    .insert(assignmentSubmissions)
    .values({
      ...placeholders('studentId', 'assignmentId', 'courseId', 'submissionContent', 'fileUrl', 'fileName', 'rubricUrl', 'isLate'),
      status: 'submitted',
      startedAt: nowParameter,
      endedAt: nowParameter,
      submittedAt: nowParameter,
      assignedAt: nowParameter,
      dueDate: sql`${sql.placeholder('dueDate')}`,
      updatedAt: nowParameter,
    })
    .onConflictDoUpdate({
      target: [assignmentSubmissions.studentId, assignmentSubmissions.assignmentId],
      set: {
        status: 'submitted',
        submissionContent: placeholder('submissionContent'),
        fileUrl: placeholder('fileUrl'),
        fileName: placeholder('fileName'),
        rubricUrl: placeholder('rubricUrl'),
        startedAt: sql`coalesce(${assignmentSubmissions.startedAt}, ${nowParameter})`,
        endedAt: nowParameter,
        submittedAt: nowParameter,
        dueDate: rowDueDate,
        isLate: sql`coalesce(${nowParameter} > ${rowDueDate}, false)`,
        updatedAt: nowParameter,
      },
      setWhere: sql`${assignmentSubmissions.status} <> 'graded'`,
    })
    .returning(),
);

export function createAssignmentService({ db }: AssignmentServiceDeps) {
  return {
    async create(user: AuthUser, body: CreateAssignmentBody) {
      return db.transaction(async (tx) => {
        // Locked against a concurrent enrolment (which takes a share lock): either the enrolment sees this
        // assignment, or this insert sees the new student.
        const course = await findManagedCourse(tx, user, body.courseId, 'no key update');
        if (body.lessonId) await assertLessonOfCourse(tx, body.lessonId, course.id);
        const now = new Date();
        const [row] = await tx
          .insert(assignments)
          .values({
            courseId: course.id,
            lessonId: body.lessonId ?? null,
            title: body.title,
            description: body.description,
            points: body.points,
            dueDate: body.dueDate ? new Date(body.dueDate) : null,
            rubricUrl: body.rubricUrl ?? null,
            createdAt: now,
            updatedAt: now,
          })
          .returning();
        const assignment = row!;
        // Students already enrolled get their not_started row now; later enrolments create theirs.
        await tx.execute(sql`
          insert into assignment_submissions (student_id, assignment_id, course_id, status, assigned_at, due_date)
          select e.student_id, ${assignment.id}::uuid, e.course_id, 'not_started', ${now.toISOString()}::timestamptz,
                 ${assignment.dueDate ? assignment.dueDate.toISOString() : null}::timestamptz
          from course_enrollments e
          where e.course_id = ${course.id}::uuid and e.status = 'active'
          on conflict (student_id, assignment_id) do nothing`);
        await recordAudit(tx, user, {
          action: 'assignment.create',
          targetType: 'assignment',
          targetId: assignment.id,
          after: assignmentSnapshot(assignment),
        });
        return presentAssignment(assignment);
      });
    },

    async listForCourse(user: AuthUser, courseId: string, studentId: string | undefined) {
      return listCourseAssignments(db, user, courseId, studentId);
    },

    async listMine(user: AuthUser, query: AssignmentListQuery) {
      return user.role === 'student' ? listStudentAssignments(db, user.id, query) : listManagedAssignments(db, user, query);
    },

    /** The assignment as the caller may see it, and its version (for the ETag). */
    async details(user: AuthUser, assignmentId: string): Promise<{ details: AssignmentDetails; version: Date }> {
      const found = await findAssignmentInContext(db, assignmentId);
      const { assignment, course, lesson } = found;
      const version = assignment.updatedAt;
      const { updatedAt: _updatedAt, ...base } = presentAssignment(assignment);
      const details: AssignmentDetails = {
        ...base,
        course: { courseId: course.id, title: course.title, category: course.category },
        ...(lesson ? { lesson: { lessonId: lesson.id, title: lesson.title, order: lesson.order } } : {}),
      };

      if (isCourseStaff(user, course)) {
        const rows = await db
          .select({
            submission: assignmentSubmissions,
            student: { firstName: users.firstName, lastName: users.lastName, username: users.username },
          })
          .from(assignmentSubmissions)
          .innerJoin(users, eq(users.id, assignmentSubmissions.studentId))
          .where(eq(assignmentSubmissions.assignmentId, assignment.id))
          .orderBy(asc(users.lastName), asc(users.firstName), asc(users.username));
        details.submissions = rows.map((r) => presentStudentSubmission(r.submission, r.student));
        return { details, version };
      }
      await assertCanViewAssignment(db, user, found);
      const [own] = await db
        .select()
        .from(assignmentSubmissions)
        .where(and(eq(assignmentSubmissions.assignmentId, assignment.id), eq(assignmentSubmissions.studentId, user.id)))
        .limit(1);
      if (own) details.submission = presentSubmission(own);
      return { details, version };
    },

    /**
     * Submits (or resubmits, until graded) the student's work. A late submission is accepted and
     * flagged. Two submissions at once end in one row: the unique (student, assignment) index decides.
     */
    async submit(user: AuthUser, body: SubmitAssignmentBody) {
      assertActingForSelf(user, body.studentId, 'studentId');
      const studentId = body.studentId ?? user.id;
      return db.transaction(async (tx) => {
        // Sent together: the submission's lock does not need the assignment found first (none found, no row).
        const [found, [existing]] = await concurrentSteps([
          findAssignmentForSubmitter(tx, body.assignmentId, studentId),
          submissionStatusForUpdate(tx, { studentId, assignmentId: body.assignmentId }),
        ]);
        assertSubmittable(existing);
        const { assignment, course } = found;

        const now = new Date();
        // A file must be the student's own upload; its name is the one it was uploaded with.
        const upload = body.fileUrl ? await resolveOwnUpload(tx, studentId, body.fileUrl) : null;
        const [row] = await handIn(tx, {
          studentId,
          assignmentId: assignment.id,
          courseId: assignment.courseId,
          submissionContent: body.submissionContent?.trim() ? body.submissionContent : null,
          fileUrl: upload?.url ?? null,
          fileName: upload?.fileName ?? null,
          rubricUrl: body.rubricUrl ?? null,
          now,
          dueDate: assignment.dueDate,
          isLate: assignment.dueDate !== null && now > assignment.dueDate,
        });
        // Graded by a concurrent request between our check and our write.
        if (!row) assertSubmittable({ status: 'graded' });

        // None of these depends on another: sent together.
        await concurrentSteps([
          recordAuditWithActivity(
            tx,
            user,
            {
              action: 'submission.submit',
              targetType: 'submission',
              targetId: row!.id,
              before: existing ? { status: existing.status } : null,
              after: {
                status: row!.status,
                studentId,
                assignmentId: assignment.id,
                submittedAt: iso(now),
                isLate: row!.isLate,
                fileUrl: row!.fileUrl,
                fileName: row!.fileName,
              },
            },
            {
              userId: studentId,
              type: 'assignment_submitted',
              title: `Submitted ${assignment.title}`,
              courseId: assignment.courseId,
              entityId: assignment.id,
              at: now,
            },
          ),
          settleCourseProgress(tx, studentId, { id: assignment.courseId, title: course.title }, now, 'work_submitted'),
          announceSubmission(tx, { id: row!.id, studentId, isLate: row!.isLate }, found),
        ]);
        return presentReceipt(row!);
      });
    },
  };
}

// Grading submissions (one, or many at once), the submissions list staff grade from, and the feedback a
// student reads. Every grade given is kept in grade_history; the submission row holds the latest.
import { and, asc, count, desc, eq, inArray, sql } from 'drizzle-orm';
import type {
  AssignmentFeedback,
  AssignmentSubmissionsQuery,
  BulkGradeBody,
  GradedSubmission,
  GradeSubmissionBody,
} from '../../../contract/assignments.js';
import type { Database, Executor } from '../../db/client.js';
import { pageInfo, pageOffset } from '../../db/pagination.js';
import {
  assignmentSubmissions,
  gradeHistory,
  type RubricScoreRecord,
  users,
} from '../../db/schema.js';
import type { AuthUser } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { recordActivity } from '../analytics/activity.js';
import { recordAudit } from '../audit/log.js';
import { announceGrade } from '../communication/triggers.js';
import { isCourseStaff } from '../courses/policy.js';
import { iso } from '../users/presenter.js';
import { type AssignmentInContext, findAssignmentInContext, findManagedAssignment, lockSubmission } from './access.js';
import {
  gradeSnapshot,
  optional,
  optionalIso,
  presentGradedSubmission,
  presentRubricScore,
  presentStudentSubmission,
  type SubmissionRow,
} from './presenter.js';
import { loadRubric, roundPoints, scoreWithRubric } from './rubric.js';
import { awardBadgesWithActivity } from '../enrollments/completion.js';

type AssignmentRow = AssignmentInContext['assignment'];

const studentColumns = { firstName: users.firstName, lastName: users.lastName, username: users.username };

async function studentNames(tx: Executor, studentId: string) {
  const [student] = await tx.select(studentColumns).from(users).where(eq(users.id, studentId)).limit(1);
  return student ?? { firstName: '', lastName: '', username: '' };
}

/** Why a submission cannot be graded, or null when it can. */
function notGradable(submission: Pick<SubmissionRow, 'status'>): string | null {
  return submission.status === 'submitted' || submission.status === 'graded'
    ? null
    : `has not been submitted yet (status ${submission.status})`;
}

interface GradeToWrite {
  grade: number;
  feedback: string;
  rubricScores: RubricScoreRecord[] | null;
}

/**
 * Writes one grade to a locked, gradable submission: the row, its history entry, the student's
 * activity and badges, and the audit row. A grade given before history was kept (a regrade of such a
 * row) is first copied into the history, so the history is complete.
 */
async function writeGrade(
  tx: Executor,
  user: AuthUser,
  assignment: AssignmentRow,
  submission: SubmissionRow,
  grade: GradeToWrite,
  action: 'submission.grade' | 'submission.bulk_grade',
  at: Date,
): Promise<SubmissionRow> {
  const [last] = await tx
    .select({ sequence: gradeHistory.sequence })
    .from(gradeHistory)
    .where(eq(gradeHistory.submissionId, submission.id))
    .orderBy(desc(gradeHistory.sequence))
    .limit(1);
  let sequence = last?.sequence ?? 0;
  if (sequence === 0 && submission.status === 'graded' && submission.grade !== null) {
    await tx.insert(gradeHistory).values({
      submissionId: submission.id,
      sequence: ++sequence,
      grade: submission.grade,
      feedback: submission.feedback,
      gradedBy: submission.gradedBy,
      gradedAt: submission.gradedAt ?? submission.updatedAt,
    });
  }
  const feedback = grade.feedback.length > 0 ? grade.feedback : null;
  const [updated] = await tx
    .update(assignmentSubmissions)
    .set({ status: 'graded', grade: grade.grade, feedback, gradedAt: at, gradedBy: user.id, updatedAt: at })
    .where(eq(assignmentSubmissions.id, submission.id))
    .returning();
  await tx.insert(gradeHistory).values({
    submissionId: submission.id,
    sequence: sequence + 1,
    grade: grade.grade,
    feedback,
    rubricScores: grade.rubricScores,
    gradedBy: user.id,
    gradedAt: at,
  });
  await recordActivity(tx, {
    userId: submission.studentId,
    type: 'assignment_graded',
    title: `${assignment.title} graded: ${grade.grade}/${assignment.points}`,
    courseId: assignment.courseId,
    entityId: assignment.id,
    at,
  });
  await recordAudit(tx, user, {
    action,
    targetType: 'submission',
    targetId: submission.id,
    before: gradeSnapshot(submission),
    after: { ...gradeSnapshot(updated!), ...(grade.rubricScores ? { rubricScores: grade.rubricScores } : {}) },
  });
  await announceGrade(tx, updated!, assignment, submission.status === 'graded');
  return updated!;
}

function assertWithinPoints(grade: number, points: number, field: string): void {
  if (grade > points) {
    throw new AppError('VALIDATION_ERROR', `Invalid request: ${field} must be at most ${points}`, {
      [field]: `must be at most ${points}, the assignment's points`,
    });
  }
}

export function createGradingService({ db }: { db: Database }) {
  return {
    /**
     * Grades (or regrades) one submission. With rubric scores the grade is their sum, and a grade sent
     * alongside must equal it. Concurrent grades of one submission run one after the other (the row is
     * locked), each kept in the history; the last one is the submission's grade.
     */
    async grade(user: AuthUser, assignmentId: string, body: GradeSubmissionBody): Promise<{ submission: GradedSubmission; regraded: boolean }> {
      return db.transaction(async (tx) => {
        const { assignment } = await findManagedAssignment(tx, user, assignmentId, 'share');
        let grade = body.grade === undefined ? undefined : roundPoints(body.grade);
        let rubricScores: RubricScoreRecord[] | null = null;
        if (body.rubricScores) {
          const scored = scoreWithRubric(await loadRubric(tx, assignment.id), body.rubricScores);
          if (grade !== undefined && grade !== scored.grade) {
            throw new AppError('VALIDATION_ERROR', `Invalid request: body.grade must equal the rubric total of ${scored.grade}`, {
              'body.grade': `must equal the sum of the rubric scores (${scored.grade}), or be left out`,
            });
          }
          grade = scored.grade;
          rubricScores = scored.records;
        }
        assertWithinPoints(grade!, assignment.points, 'body.grade');

        const submission = await lockSubmission(tx, assignment.id, body.submissionId);
        const reason = notGradable(submission);
        if (reason) throw new AppError('NOT_SUBMITTED', `This submission ${reason}; only submitted work can be graded`);
        // Taken after the lock: a grade that waited for another is recorded after it.
        const now = new Date();
        const updated = await writeGrade(
          tx,
          user,
          assignment,
          submission,
          { grade: grade!, feedback: body.feedback, rubricScores },
          'submission.grade',
          now,
        );
        await awardBadgesWithActivity(tx, submission.studentId, now, ['graded']);
        return {
          submission: presentGradedSubmission(updated, await studentNames(tx, submission.studentId), rubricScores),
          regraded: submission.status === 'graded',
        };
      });
    },

    /** Grades many submissions in one transaction: every row is checked first, and any error saves none. */
    async bulkGrade(user: AuthUser, assignmentId: string, body: BulkGradeBody): Promise<GradedSubmission[]> {
      return db.transaction(async (tx) => {
        const { assignment } = await findManagedAssignment(tx, user, assignmentId, 'share');
        const ids = [...new Set(body.grades.map((g) => g.submissionId))];
        // Locked in id order, so two bulk gradings of overlapping rows cannot deadlock.
        const rows = await tx
          .select()
          .from(assignmentSubmissions)
          .where(and(eq(assignmentSubmissions.assignmentId, assignment.id), inArray(assignmentSubmissions.id, ids)))
          .orderBy(asc(assignmentSubmissions.id))
          .for('update');
        const byId = new Map(rows.map((row) => [row.id, row]));

        const details: Record<string, string> = {};
        const seen = new Set<string>();
        body.grades.forEach((entry, index) => {
          const at = `body.grades.${index}`;
          const row = byId.get(entry.submissionId);
          if (seen.has(entry.submissionId)) details[`${at}.submissionId`] = 'appears more than once';
          else if (!row) details[`${at}.submissionId`] = 'is not a submission of this assignment';
          else {
            const reason = notGradable(row);
            if (reason) details[`${at}.submissionId`] = reason;
          }
          seen.add(entry.submissionId);
          if (roundPoints(entry.grade) > assignment.points) details[`${at}.grade`] = `must be at most ${assignment.points}`;
        });
        const invalid = new Set(Object.keys(details).map((key) => key.split('.')[2])).size;
        if (invalid > 0) {
          throw new AppError(
            'BULK_GRADING_FAILED',
            `No grades were saved: ${invalid} of ${body.grades.length} rows are invalid`,
            details,
          );
        }

        const now = new Date();
        const graded: SubmissionRow[] = [];
        for (const entry of body.grades) {
          const grade = { grade: roundPoints(entry.grade), feedback: entry.feedback, rubricScores: null };
          graded.push(await writeGrade(tx, user, assignment, byId.get(entry.submissionId)!, grade, 'submission.bulk_grade', now));
        }
        for (const studentId of new Set(graded.map((row) => row.studentId))) {
          await awardBadgesWithActivity(tx, studentId, now, ['graded']);
        }
        const students = await tx
          .select({ id: users.id, ...studentColumns })
          .from(users)
          .where(inArray(users.id, [...new Set(graded.map((row) => row.studentId))]));
        const names = new Map(students.map((s) => [s.id, s]));
        return graded.map((row) => presentGradedSubmission(row, names.get(row.studentId)!, null));
      });
    },

    /** Every submission of the assignment, newest submitted first, for the course's staff. */
    async listSubmissions(user: AuthUser, assignmentId: string, query: AssignmentSubmissionsQuery) {
      const { assignment } = await findManagedAssignment(db, user, assignmentId);
      const where = and(
        eq(assignmentSubmissions.assignmentId, assignment.id),
        query.status ? eq(assignmentSubmissions.status, query.status) : undefined,
      );
      const [rows, [total]] = await Promise.all([
        db
          .select({ submission: assignmentSubmissions, student: studentColumns })
          .from(assignmentSubmissions)
          .innerJoin(users, eq(users.id, assignmentSubmissions.studentId))
          .where(where)
          .orderBy(
            sql`${assignmentSubmissions.submittedAt} desc nulls last`,
            asc(users.lastName),
            asc(users.firstName),
            asc(assignmentSubmissions.id),
          )
          .limit(query.limit)
          .offset(pageOffset(query.page, query.limit)),
        db.select({ count: count() }).from(assignmentSubmissions).where(where),
      ]);
      return {
        data: rows.map((row) => presentStudentSubmission(row.submission, row.student)),
        pagination: pageInfo(query.page, query.limit, total?.count ?? 0),
      };
    },

    /**
     * A student's grade, feedback, rubric scores and grade history. Students read their own (even after
     * leaving the course: it is their record); course staff name the student.
     */
    async feedback(user: AuthUser, assignmentId: string, studentId: string | undefined): Promise<AssignmentFeedback> {
      const { assignment, course } = await findAssignmentInContext(db, assignmentId);
      const target = studentId ?? user.id;
      const staff = isCourseStaff(user, course);
      if (!staff && (target !== user.id || user.role !== 'student')) {
        throw new AppError('FORBIDDEN', "Only the student, the course instructor or an admin can see this student's feedback");
      }
      const [submission] = await db
        .select()
        .from(assignmentSubmissions)
        .where(and(eq(assignmentSubmissions.assignmentId, assignment.id), eq(assignmentSubmissions.studentId, target)))
        .limit(1);
      if (!submission) {
        if (!staff) {
          throw new AppError('NOT_ENROLLED', 'You must be enrolled in this course to see feedback on its assignments');
        }
        throw new AppError('SUBMISSION_NOT_FOUND', 'This student has no submission for this assignment');
      }
      const history = await db
        .select({ entry: gradeHistory, grader: { id: users.id, firstName: users.firstName, lastName: users.lastName } })
        .from(gradeHistory)
        .leftJoin(users, eq(users.id, gradeHistory.gradedBy))
        .where(eq(gradeHistory.submissionId, submission.id))
        .orderBy(desc(gradeHistory.sequence));
      const graded = submission.status === 'graded';
      const [grader] = graded && submission.gradedBy
        ? await db
            .select({ id: users.id, firstName: users.firstName, lastName: users.lastName })
            .from(users)
            .where(eq(users.id, submission.gradedBy))
            .limit(1)
        : [];
      const current = graded ? history[0]?.entry.rubricScores : null;
      return {
        assignmentId: assignment.id,
        submissionId: submission.id,
        studentId: submission.studentId,
        title: assignment.title,
        points: assignment.points,
        status: submission.status,
        ...optionalIso('submittedAt', submission.submittedAt),
        ...(graded ? optional('grade', submission.grade) : {}),
        ...(graded ? optional('feedback', submission.feedback) : {}),
        rubricScores: (current ?? []).map(presentRubricScore),
        ...(graded ? optionalIso('gradedAt', submission.gradedAt) : {}),
        ...(grader ? { gradedBy: grader } : {}),
        history: history.map(({ entry, grader: by }) => ({
          grade: entry.grade,
          ...optional('feedback', entry.feedback),
          ...(entry.rubricScores ? { rubricScores: entry.rubricScores.map(presentRubricScore) } : {}),
          gradedAt: iso(entry.gradedAt),
          ...(by ? { gradedBy: by } : {}),
        })),
      };
    },
  };
}

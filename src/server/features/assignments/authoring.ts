// Editing and deleting an assignment (the course's instructor or an admin). Knows nothing of HTTP.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Assignment, UpdateAssignmentBody } from '../../../contract/assignments.js';
import { type Database, type Executor, queryRows } from '../../db/client.js';
import { assignmentSubmissions, assignments, lessons } from '../../db/schema.js';
import type { AuthUser } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { changedFields, recordAudit } from '../audit/log.js';
import { isSatisfied, nextVersion, type Precondition, StaleVersionError } from '../courses/versioning.js';
import { settleCourseForActiveStudents } from '../enrollments/completion.js';
import { findManagedAssignment } from './access.js';
import { type AssignmentRow, assignmentSnapshot, presentAssignment } from './presenter.js';
import { loadRubric, rubricTotal } from './rubric.js';

/** 400 unless the lesson belongs to the course. */
export async function assertLessonOfCourse(db: Executor, lessonId: string, courseId: string): Promise<void> {
  const [lesson] = await db
    .select({ id: lessons.id })
    .from(lessons)
    .where(and(eq(lessons.id, lessonId), eq(lessons.courseId, courseId)))
    .limit(1);
  if (!lesson) {
    throw new AppError('VALIDATION_ERROR', 'Invalid request: lessonId must be a lesson of this course', {
      'body.lessonId': 'must be a lesson of this course',
    });
  }
}

const invalidPoints = (message: string) =>
  new AppError('VALIDATION_ERROR', `Invalid request: body.points ${message}`, { 'body.points': message });

/** New points may not fall below a grade already given, nor differ from the rubric's total. */
async function assertPointsFit(tx: Executor, assignmentId: string, points: number): Promise<void> {
  const [highest] = await queryRows<{ grade: number | null }>(
    tx,
    sql`select max(grade) as grade from ${assignmentSubmissions}
        where assignment_id = ${assignmentId}::uuid and status = 'graded'`,
  );
  if (highest?.grade !== null && highest?.grade !== undefined && points < highest.grade) {
    throw invalidPoints(`must be at least ${highest.grade}, the highest grade already given`);
  }
  const criteria = await loadRubric(tx, assignmentId);
  if (criteria.length > 0 && rubricTotal(criteria) !== points) {
    throw invalidPoints(
      `must equal the rubric total of ${rubricTotal(criteria)}; replace or remove the rubric first (POST .../rubric)`,
    );
  }
}

const editableFields = ['title', 'description', 'points', 'rubricUrl', 'lessonId'] as const;

export function createAssignmentAuthoring({ db }: { db: Database }) {
  return {
    /**
     * Applies the fields sent. A new due date also applies to the submissions not yet handed in (those
     * handed in keep the date they were judged against). A stale `If-Match` is refused with the current
     * assignment.
     */
    async update(user: AuthUser, assignmentId: string, body: UpdateAssignmentBody, precondition?: Precondition): Promise<Assignment> {
      return db.transaction(async (tx) => {
        const { assignment } = await findManagedAssignment(tx, user, assignmentId, 'no key update');
        if (!isSatisfied(precondition, assignment.updatedAt)) {
          throw new StaleVersionError(presentAssignment(assignment), 'assignment');
        }
        const changes: Partial<AssignmentRow> = {};
        for (const field of editableFields) {
          const value = body[field];
          if (value !== undefined && value !== assignment[field]) Object.assign(changes, { [field]: value });
        }
        if (body.dueDate !== undefined) {
          const dueDate = body.dueDate === null ? null : new Date(body.dueDate);
          if (dueDate?.getTime() !== assignment.dueDate?.getTime()) changes.dueDate = dueDate;
        }
        if (changes.lessonId) await assertLessonOfCourse(tx, changes.lessonId, assignment.courseId);
        if (changes.points !== undefined) await assertPointsFit(tx, assignment.id, changes.points);
        if (Object.keys(changes).length === 0) return presentAssignment(assignment);

        const [updated] = await tx
          .update(assignments)
          .set({ ...changes, updatedAt: nextVersion(assignments.updatedAt) })
          .where(eq(assignments.id, assignment.id))
          .returning();
        if (changes.dueDate !== undefined) {
          await tx
            .update(assignmentSubmissions)
            .set({ dueDate: changes.dueDate, updatedAt: new Date() })
            .where(
              and(
                eq(assignmentSubmissions.assignmentId, assignment.id),
                inArray(assignmentSubmissions.status, ['not_started', 'in_progress']),
              ),
            );
        }
        await recordAudit(tx, user, {
          action: 'assignment.update',
          targetType: 'assignment',
          targetId: assignment.id,
          ...changedFields(assignmentSnapshot(assignment), assignmentSnapshot(updated!)),
        });
        return presentAssignment(updated!);
      });
    },

    /**
     * Deletes the assignment with its submissions, grades and rubric. Students for whom it was the last
     * thing left to do have now completed the course.
     */
    async remove(user: AuthUser, assignmentId: string, precondition?: Precondition): Promise<void> {
      await db.transaction(async (tx) => {
        const { assignment, course } = await findManagedAssignment(tx, user, assignmentId, 'no key update');
        if (!isSatisfied(precondition, assignment.updatedAt)) {
          throw new StaleVersionError(presentAssignment(assignment), 'assignment');
        }
        const [counts] = await queryRows<{ submissions: number; graded: number }>(
          tx,
          sql`select count(*) filter (where status in ('submitted', 'graded'))::int as submissions,
                     count(*) filter (where status = 'graded')::int as graded
              from ${assignmentSubmissions} where assignment_id = ${assignment.id}::uuid`,
        );
        await tx.delete(assignments).where(eq(assignments.id, assignment.id));
        await recordAudit(tx, user, {
          action: 'assignment.delete',
          targetType: 'assignment',
          targetId: assignment.id,
          before: {
            ...assignmentSnapshot(assignment),
            submittedCount: counts?.submissions ?? 0,
            gradedCount: counts?.graded ?? 0,
          },
        });
        await settleCourseForActiveStudents(tx, course, new Date());
      });
    },
  };
}

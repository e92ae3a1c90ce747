// The one computation of course progress (see CourseProgressSummary), for any number of courses in
// one query, and the enrollment's completion mark that follows from it.
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { CourseProgressSummary } from '../../../contract/progress.js';
import { type Executor, queryRows } from '../../db/client.js';
import { courseEnrollments } from '../../db/schema.js';

interface ProgressRow {
  course_id: string;
  total_lessons: number;
  completed_lessons: number;
  total_assignments: number;
  completed_assignments: number;
  total_quizzes: number;
  completed_quizzes: number;
  last_activity: Date | string | null;
}

export function completionPercentage(p: Omit<CourseProgressSummary, 'completionPercentage' | 'lastActivity'>): number {
  const total = p.totalLessons + p.totalAssignments + p.totalQuizzes;
  if (total === 0) return 0;
  const done = p.completedLessons + p.completedAssignments + p.completedQuizzes;
  return Math.floor((done / total) * 100);
}

export const isComplete = (p: CourseProgressSummary): boolean =>
  p.totalLessons + p.totalAssignments + p.totalQuizzes > 0 && p.completionPercentage === 100;

const emptyProgress = (): CourseProgressSummary => ({
  totalLessons: 0,
  completedLessons: 0,
  totalAssignments: 0,
  completedAssignments: 0,
  totalQuizzes: 0,
  completedQuizzes: 0,
  completionPercentage: 0,
});

/** Progress of one student in each of the given courses (every course id gets an entry). */
export async function progressForCourses(
  db: Executor,
  studentId: string,
  courseIds: readonly string[],
): Promise<Map<string, CourseProgressSummary>> {
  const result = new Map<string, CourseProgressSummary>();
  if (courseIds.length === 0) return result;
  const ids = sql.join(
    courseIds.map((id) => sql`${id}::uuid`),
    sql`, `,
  );
  const rows = await queryRows<ProgressRow>(
    db,
    sql`
    select c.id as course_id,
      (select count(*)::int from lessons l where l.course_id = c.id) as total_lessons,
      (select count(*)::int from lesson_completions lc where lc.course_id = c.id and lc.student_id = ${studentId}) as completed_lessons,
      (select count(*)::int from assignments a where a.course_id = c.id) as total_assignments,
      (select count(*)::int from assignment_submissions s
         where s.course_id = c.id and s.student_id = ${studentId} and s.status in ('submitted', 'graded')) as completed_assignments,
      (select count(*)::int from quizzes q where q.course_id = c.id) as total_quizzes,
      (select count(distinct qs.quiz_id)::int from quiz_submissions qs
         where qs.course_id = c.id and qs.student_id = ${studentId} and qs.status = 'submitted') as completed_quizzes,
      greatest(
        (select max(lc.completed_at) from lesson_completions lc where lc.course_id = c.id and lc.student_id = ${studentId}),
        (select max(s.submitted_at) from assignment_submissions s where s.course_id = c.id and s.student_id = ${studentId}),
        (select max(qs.submitted_at) from quiz_submissions qs where qs.course_id = c.id and qs.student_id = ${studentId})
      ) as last_activity
    from courses c where c.id in (${ids})`,
  );
  for (const id of courseIds) result.set(id, emptyProgress());
  for (const row of rows) {
    const counts = {
      totalLessons: row.total_lessons,
      completedLessons: row.completed_lessons,
      totalAssignments: row.total_assignments,
      completedAssignments: row.completed_assignments,
      totalQuizzes: row.total_quizzes,
      completedQuizzes: row.completed_quizzes,
    };
    const progress: CourseProgressSummary = { ...counts, completionPercentage: completionPercentage(counts) };
    if (row.last_activity) progress.lastActivity = new Date(row.last_activity).toISOString();
    result.set(row.course_id, progress);
  }
  return result;
}

export async function progressForCourse(db: Executor, studentId: string, courseId: string): Promise<CourseProgressSummary> {
  return (await progressForCourses(db, studentId, [courseId])).get(courseId) ?? emptyProgress();
}

/**
 * Marks the enrollment complete the first time progress reaches 100%. Call it in the same
 * transaction as any change that can complete a course. Says whether it just completed, with the progress
 * it read (which that change's answer may show without reading it again).
 */
export async function markCompletionIfDone(
  db: Executor,
  studentId: string,
  courseId: string,
  at = new Date(),
): Promise<{ justCompleted: boolean; progress: CourseProgressSummary }> {
  const progress = await progressForCourse(db, studentId, courseId);
  if (!isComplete(progress)) return { justCompleted: false, progress };
  const updated = await db
    .update(courseEnrollments)
    .set({ completedAt: at })
    .where(
      and(
        eq(courseEnrollments.studentId, studentId),
        eq(courseEnrollments.courseId, courseId),
        isNull(courseEnrollments.completedAt),
      ),
    )
    .returning({ id: courseEnrollments.id });
  return { justCompleted: updated.length > 0, progress };
}

interface StudentProgressRow extends Omit<ProgressRow, 'course_id'> {
  student_id: string;
}

/** Progress of every actively enrolled student of one course, in one query. */
export async function progressForStudents(db: Executor, courseId: string): Promise<Map<string, CourseProgressSummary>> {
  const rows = await queryRows<StudentProgressRow>(
    db,
    sql`
    with totals as (
      select
        (select count(*)::int from lessons l where l.course_id = ${courseId}) as total_lessons,
        (select count(*)::int from assignments a where a.course_id = ${courseId}) as total_assignments,
        (select count(*)::int from quizzes q where q.course_id = ${courseId}) as total_quizzes
    )
    select e.student_id, t.total_lessons, t.total_assignments, t.total_quizzes,
      (select count(*)::int from lesson_completions lc where lc.course_id = e.course_id and lc.student_id = e.student_id) as completed_lessons,
      (select count(*)::int from assignment_submissions s
         where s.course_id = e.course_id and s.student_id = e.student_id and s.status in ('submitted', 'graded')) as completed_assignments,
      (select count(distinct qs.quiz_id)::int from quiz_submissions qs
         where qs.course_id = e.course_id and qs.student_id = e.student_id and qs.status = 'submitted') as completed_quizzes,
      greatest(
        (select max(lc.completed_at) from lesson_completions lc where lc.course_id = e.course_id and lc.student_id = e.student_id),
        (select max(s.submitted_at) from assignment_submissions s where s.course_id = e.course_id and s.student_id = e.student_id),
        (select max(qs.submitted_at) from quiz_submissions qs where qs.course_id = e.course_id and qs.student_id = e.student_id)
      ) as last_activity
    from course_enrollments e cross join totals t
    where e.course_id = ${courseId} and e.status = 'active'`,
  );
  const result = new Map<string, CourseProgressSummary>();
  for (const row of rows) {
    const counts = {
      totalLessons: row.total_lessons,
      completedLessons: row.completed_lessons,
      totalAssignments: row.total_assignments,
      completedAssignments: row.completed_assignments,
      totalQuizzes: row.total_quizzes,
      completedQuizzes: row.completed_quizzes,
    };
    const progress: CourseProgressSummary = { ...counts, completionPercentage: completionPercentage(counts) };
    if (row.last_activity) progress.lastActivity = new Date(row.last_activity).toISOString();
    result.set(row.student_id, progress);
  }
  return result;
}

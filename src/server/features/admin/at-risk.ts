// Students at risk in a course, with the reasons, so that an instructor can act before they drop out.
// One query per kind of evidence (students and activity, progress, missed due dates, grades),
// whatever the number of students.
import { sql } from 'drizzle-orm';
import type { AtRiskQuery, AtRiskReasonCode, AtRiskResponse, AtRiskStudent } from '../../../contract/admin.js';
import { type Executor, queryRows } from '../../db/client.js';
import { pageInfo, pageOffset } from '../../db/pagination.js';
import type { AuthUser } from '../../http/auth.js';
import { findManagedCourse } from '../courses/policy.js';
import { progressForStudents } from '../enrollments/progress.js';
import { iso, isoOrNull } from '../users/presenter.js';

const DAY_MS = 86_400_000;
/** Completion this many points below the class median counts as behind pace. */
export const BEHIND_PACE_MARGIN = 25;

type Timestamp = Date | string;

interface StudentRow {
  student_id: string;
  first_name: string;
  last_name: string;
  username: string;
  enrolled_at: Timestamp;
  last_activity: Timestamp | null;
}

const oneDecimal = (value: number): number => Math.round(value * 10) / 10;

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function sinceText(ms: number): string {
  const days = Math.floor(ms / DAY_MS);
  if (days >= 1) return plural(days, 'day');
  const hours = Math.floor(ms / 3_600_000);
  return hours >= 1 ? plural(hours, 'hour') : 'less than an hour';
}

/** Active students of the course with their last activity in it (any activity row linked to the course). */
const enrolledStudents = (db: Executor, courseId: string) =>
  queryRows<StudentRow>(
    db,
    sql`
    select e.student_id, u.first_name, u.last_name, u.username, e.enrolled_at,
      (select max(a.created_at) from activities a where a.user_id = e.student_id and a.course_id = e.course_id) as last_activity
    from course_enrollments e join users u on u.id = e.student_id
    where e.course_id = ${courseId} and e.status = 'active' and u.status = 'active'`,
  );

/**
 * Assignments whose due date (the student's own copy, else the assignment's) has passed without a
 * submission. A deadline that passed before the student enrolled is not held against them.
 */
const missedDueDates = (db: Executor, courseId: string, now: Date) =>
  queryRows<{ student_id: string; missed: number }>(
    db,
    sql`
    select e.student_id, count(*)::int as missed
    from course_enrollments e
    join assignments a on a.course_id = e.course_id
    left join assignment_submissions s on s.assignment_id = a.id and s.student_id = e.student_id
    where e.course_id = ${courseId} and e.status = 'active'
      and coalesce(s.due_date, a.due_date) < ${now}
      and coalesce(s.due_date, a.due_date) > e.enrolled_at
      and (s.id is null or s.status in ('not_started', 'in_progress'))
    group by e.student_id`,
  );

/** Earned over possible points: graded assignments, and each quiz's best submitted attempt. */
const averageGrades = (db: Executor, courseId: string) =>
  queryRows<{ student_id: string; percentage: number; items: number }>(
    db,
    sql`
    with items as (
      select s.student_id, s.grade::float8 as earned, a.points::float8 as possible
        from assignment_submissions s join assignments a on a.id = s.assignment_id
        where s.course_id = ${courseId} and s.status = 'graded' and s.grade is not null
      union all
      select best.student_id, best.earned, best.possible from (
        select distinct on (qs.student_id, qs.quiz_id) qs.student_id, qs.score::float8 as earned, qs.total_points::float8 as possible
          from quiz_submissions qs
          where qs.course_id = ${courseId} and qs.status = 'submitted' and qs.score is not null and qs.total_points > 0
          order by qs.student_id, qs.quiz_id, qs.score desc
      ) best
    )
    select student_id, (sum(earned) / sum(possible) * 100)::float8 as percentage, count(*)::int as items
      from items group by student_id having sum(possible) > 0`,
  );

/** The course's instructor and admins (403 for anyone else, 404 for an unknown course). */
export async function atRiskStudents(
  db: Executor,
  viewer: AuthUser,
  courseId: string,
  query: AtRiskQuery,
  now = new Date(),
): Promise<AtRiskResponse> {
  const course = await findManagedCourse(db, viewer, courseId);
  const [students, progress, missed, grades] = await Promise.all([
    enrolledStudents(db, courseId),
    progressForStudents(db, courseId),
    missedDueDates(db, courseId, now),
    averageGrades(db, courseId),
  ]);
  const missedBy = new Map(missed.map((row) => [row.student_id, row.missed]));
  const gradeBy = new Map(grades.map((row) => [row.student_id, row.percentage]));
  const medianCompletion = median(students.map((s) => progress.get(s.student_id)?.completionPercentage ?? 0));
  const inactiveMs = query.inactiveDays * DAY_MS;

  const atRisk: AtRiskStudent[] = [];
  for (const row of students) {
    const studentProgress = progress.get(row.student_id);
    if (!studentProgress) continue;
    const reasons: AtRiskStudent['reasons'] = [];
    const add = (code: AtRiskReasonCode, detail: string) => reasons.push({ code, detail });

    const lastActivity = row.last_activity ? new Date(row.last_activity) : null;
    const enrolledAt = new Date(row.enrolled_at);
    // A student who just enrolled has not been inactive for longer than they have been enrolled.
    const reference = lastActivity && lastActivity > enrolledAt ? lastActivity : enrolledAt;
    const idle = now.getTime() - reference.getTime();
    if (idle >= inactiveMs) {
      add('inactive', lastActivity ? `No activity in the course for ${sinceText(idle)}` : `No activity in the course since enrolling ${sinceText(idle)} ago`);
    }
    const missedCount = missedBy.get(row.student_id) ?? 0;
    if (missedCount > 0) add('missed_due_dates', `${plural(missedCount, 'assignment')} past due without a submission`);
    const grade = gradeBy.get(row.student_id);
    const averageGrade = grade === undefined ? null : oneDecimal(grade);
    if (averageGrade !== null && averageGrade < query.gradeThreshold) {
      add('low_grades', `Average grade ${averageGrade}% is below ${query.gradeThreshold}%`);
    }
    const behind = medianCompletion - studentProgress.completionPercentage;
    if (behind > BEHIND_PACE_MARGIN) {
      add('behind_pace', `${studentProgress.completionPercentage}% complete, ${oneDecimal(behind)} points below the class median of ${oneDecimal(medianCompletion)}%`);
    }
    if (reasons.length === 0) continue;
    atRisk.push({
      student: { id: row.student_id, firstName: row.first_name, lastName: row.last_name, username: row.username },
      enrolledAt: iso(enrolledAt),
      lastActivityAt: isoOrNull(lastActivity),
      progress: studentProgress,
      averageGrade,
      missedAssignments: missedCount,
      reasons,
    });
  }
  atRisk.sort(
    (a, b) =>
      b.reasons.length - a.reasons.length ||
      a.progress.completionPercentage - b.progress.completionPercentage ||
      a.student.lastName.localeCompare(b.student.lastName) ||
      a.student.id.localeCompare(b.student.id),
  );

  const start = pageOffset(query.page, query.limit);
  return {
    data: atRisk.slice(start, start + query.limit),
    pagination: pageInfo(query.page, query.limit, atRisk.length),
    course: { courseId: course.id, title: course.title },
    criteria: {
      inactiveDays: query.inactiveDays,
      gradeThreshold: query.gradeThreshold,
      medianCompletion: oneDecimal(medianCompletion),
      behindPaceMargin: BEHIND_PACE_MARGIN,
      enrolledStudents: students.length,
    },
  };
}

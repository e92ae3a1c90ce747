// Maintenance: bring assignment submissions back in line with the rules the rest of the code relies on.
// Every repair is one set-based statement; running it again finds nothing left to fix.
import { sql } from 'drizzle-orm';
import type { AssignmentRepairReport } from '../../../contract/admin.js';
import { type Database, type Executor, queryRows } from '../../db/client.js';
import type { AuthUser } from '../../http/auth.js';
import { recordAudit } from '../audit/log.js';
import { markCompletionIfDone } from '../enrollments/progress.js';

export interface AdminServiceDeps {
  db: Database;
}

interface StudentCourse {
  student_id: string;
  course_id: string;
}

/** Every actively enrolled student has a row for each assignment of the course. */
const createMissingSubmissions = (tx: Executor) =>
  queryRows<{ id: string }>(
    tx,
    sql`
    insert into assignment_submissions (student_id, assignment_id, course_id, status, assigned_at, due_date)
    select e.student_id, a.id, a.course_id, 'not_started', now(), a.due_date
    from course_enrollments e join assignments a on a.course_id = e.course_id
    where e.status = 'active'
      and not exists (select 1 from assignment_submissions s where s.student_id = e.student_id and s.assignment_id = a.id)
    on conflict (student_id, assignment_id) do nothing
    returning id`,
  );

/**
 * A status must agree with the row's grade and submission time: graded without a grade falls back to
 * submitted (or not_started when never submitted); a grade means graded; a submission time means at
 * least submitted.
 */
const fixStatuses = (tx: Executor) =>
  queryRows<StudentCourse>(
    tx,
    sql`
    update assignment_submissions set
      status = case
        when status = 'graded' and grade is null
          then (case when submitted_at is not null then 'submitted' else 'not_started' end)::submission_status
        when grade is not null then 'graded'::submission_status
        else 'submitted'::submission_status
      end,
      graded_at = case when grade is null then null else coalesce(graded_at, now()) end,
      graded_by = case when grade is null then null else graded_by end,
      updated_at = now()
    where (status = 'graded' and grade is null)
       or (status <> 'graded' and grade is not null)
       or (status in ('not_started', 'in_progress') and submitted_at is not null)
    returning student_id, course_id`,
  );

/** A row's due date is a copy of its assignment's when it has none of its own. */
const fixDueDates = (tx: Executor) =>
  queryRows<{ id: string }>(
    tx,
    sql`
    update assignment_submissions s set due_date = a.due_date, updated_at = now()
    from assignments a
    where a.id = s.assignment_id and s.due_date is null and a.due_date is not null
    returning s.id`,
  );

const fixLateFlags = (tx: Executor) =>
  queryRows<{ id: string }>(
    tx,
    sql`
    update assignment_submissions set
      is_late = coalesce(submitted_at > due_date, false),
      updated_at = now()
    where is_late <> coalesce(submitted_at > due_date, false)
    returning id`,
  );

export function createAdminService({ db }: AdminServiceDeps) {
  return {
    async repairAssignments(user: AuthUser): Promise<AssignmentRepairReport> {
      return db.transaction(async (tx) => {
        const created = await createMissingSubmissions(tx);
        const statusFixes = await fixStatuses(tx);
        // Due dates before late flags: lateness is measured against the repaired due date.
        const dueDateFixes = await fixDueDates(tx);
        const lateFixes = await fixLateFlags(tx);

        // A row that became submitted or graded may complete its student's course.
        const pairs = new Map(statusFixes.map((row) => [`${row.student_id}:${row.course_id}`, row]));
        for (const { student_id, course_id } of pairs.values()) {
          await markCompletionIfDone(tx, student_id, course_id);
        }
        const report = {
          createdSubmissions: created.length,
          fixedStatuses: statusFixes.length,
          fixedDueDates: dueDateFixes.length,
          fixedLateFlags: lateFixes.length,
        };
        await recordAudit(tx, user, { action: 'admin.fix_assignments', targetType: 'assignment_submissions', after: report });
        return report;
      });
    },
  };
}

// Alerts about their students, for instructors who opted in (a notification preference): a student with no
// activity in the course for a week, and a due date that passed without a submission. The same evidence as
// the at-risk list. Each alert carries a key (student and course and the last activity; student and
// assignment), so a check run again, or by two instances at once, creates each alert once.
import { sql } from 'drizzle-orm';
import type { NotificationType } from '../../../contract/communication.js';
import { arrayLiteral, type Database, queryRows } from '../../db/client.js';
import type { NotificationChannelChoices } from '../../db/schema.js';
import { type NewNotification, notify } from './notify.js';
import { channelsFor } from './preferences.js';

const DAY_MS = 86_400_000;
/** No activity in the course for this long makes a student inactive. */
export const INACTIVE_AFTER_MS = 7 * DAY_MS;
/** Due dates that passed longer ago than this are not alerted any more (an instructor who opts in is not flooded). */
export const MISSED_LOOKBACK_MS = 7 * DAY_MS;
/** Alerts written per transaction. */
const BATCH = 100;

type Timestamp = Date | string;

const alertTypes: NotificationType[] = ['student_inactive', 'assignment_missed'];

/** Instructors who want at least one of the two alerts, with the ones they want. */
async function optedIn(db: Database) {
  const rows = await queryRows<{ user_id: string; types: NotificationChannelChoices }>(
    db,
    sql`select p.user_id, p.types from notification_preferences p join users u on u.id = p.user_id
        where u.status = 'active' and u.role in ('instructor', 'admin') and p.types ?| array['student_inactive', 'assignment_missed']`,
  );
  const wants = (types: NotificationChannelChoices, type: NotificationType) => {
    const channels = channelsFor(types, type);
    return channels.inApp || channels.email;
  };
  const result: Record<NotificationType, string[]> = Object.fromEntries(alertTypes.map((t) => [t, []])) as unknown as Record<NotificationType, string[]>;
  for (const row of rows) for (const type of alertTypes) if (wants(row.types, type)) result[type].push(row.user_id);
  return result;
}

async function inactiveStudents(db: Database, instructorIds: string[], now: Date): Promise<NewNotification[]> {
  if (instructorIds.length === 0) return [];
  const rows = await queryRows<{
    course_id: string;
    course_title: string;
    instructor_id: string;
    student_id: string;
    first_name: string;
    last_name: string;
    last_active: Timestamp;
    dedupe_key: string;
  }>(
    db,
    sql`select s.*, 'student_inactive:' || s.course_id || ':' || s.student_id || ':' || extract(epoch from s.last_active)::text as dedupe_key
        from (
          select c.id as course_id, c.title as course_title, c.instructor_id, e.student_id, u.first_name, u.last_name,
            coalesce((select max(a.created_at) from activities a where a.user_id = e.student_id and a.course_id = e.course_id), e.enrolled_at) as last_active
          from courses c
          join course_enrollments e on e.course_id = c.id and e.status = 'active'
          join users u on u.id = e.student_id and u.status = 'active'
          where c.instructor_id = any(${arrayLiteral(instructorIds)}::uuid[])
        ) s
        where s.last_active < ${new Date(now.getTime() - INACTIVE_AFTER_MS).toISOString()}::timestamptz
          and not exists (select 1 from notifications n where n.user_id = s.instructor_id
            and n.dedupe_key = 'student_inactive:' || s.course_id || ':' || s.student_id || ':' || extract(epoch from s.last_active)::text)`,
  );
  return rows.map((row) => {
    const lastActive = new Date(row.last_active);
    const days = Math.floor((now.getTime() - lastActive.getTime()) / DAY_MS);
    return {
      recipients: { userIds: [row.instructor_id] },
      type: 'student_inactive',
      title: `${row.first_name} ${row.last_name} has been inactive in ${row.course_title}`,
      body: `No activity in ${row.course_title} for ${days} days (since ${lastActive.toISOString().slice(0, 10)}).`,
      link: `/courses/${row.course_id}/at-risk`,
      data: { courseId: row.course_id, studentId: row.student_id },
      dedupeKey: row.dedupe_key,
    };
  });
}

async function missedDueDates(db: Database, instructorIds: string[], now: Date): Promise<NewNotification[]> {
  if (instructorIds.length === 0) return [];
  const rows = await queryRows<{
    course_id: string;
    instructor_id: string;
    assignment_id: string;
    assignment_title: string;
    student_id: string;
    first_name: string;
    last_name: string;
    due: Timestamp;
  }>(
    db,
    sql`select c.id as course_id, c.instructor_id, a.id as assignment_id, a.title as assignment_title,
          e.student_id, u.first_name, u.last_name, coalesce(s.due_date, a.due_date) as due
        from courses c
        join assignments a on a.course_id = c.id
        join course_enrollments e on e.course_id = c.id and e.status = 'active'
        join users u on u.id = e.student_id and u.status = 'active'
        left join assignment_submissions s on s.assignment_id = a.id and s.student_id = e.student_id
        where c.instructor_id = any(${arrayLiteral(instructorIds)}::uuid[])
          and coalesce(s.due_date, a.due_date) < ${now.toISOString()}::timestamptz
          and coalesce(s.due_date, a.due_date) >= ${new Date(now.getTime() - MISSED_LOOKBACK_MS).toISOString()}::timestamptz
          and coalesce(s.due_date, a.due_date) > e.enrolled_at
          and (s.id is null or s.status in ('not_started', 'in_progress'))
          and not exists (select 1 from notifications n where n.user_id = c.instructor_id
            and n.dedupe_key = 'assignment_missed:' || a.id || ':' || e.student_id)`,
  );
  return rows.map((row) => ({
    recipients: { userIds: [row.instructor_id] },
    type: 'assignment_missed',
    title: `${row.first_name} ${row.last_name} missed ${row.assignment_title}`,
    body: `${row.assignment_title} was due ${new Date(row.due).toISOString().replace('T', ' ').slice(0, 16)} UTC and has not been handed in.`,
    link: `/assignments/${row.assignment_id}/submissions`,
    data: { courseId: row.course_id, assignmentId: row.assignment_id, studentId: row.student_id },
    dedupeKey: `assignment_missed:${row.assignment_id}:${row.student_id}`,
  }));
}

export interface AlertRun {
  /** Alerts created by this run (those created before are skipped). */
  created: number;
}

/** Finds what to alert opted-in instructors of at `now`, and creates the alerts not created before. */
export async function queueStudentAlerts(db: Database, now = new Date()): Promise<AlertRun> {
  const wanted = await optedIn(db);
  const alerts = [
    ...(await inactiveStudents(db, wanted.student_inactive, now)),
    ...(await missedDueDates(db, wanted.assignment_missed, now)),
  ];
  let created = 0;
  for (let start = 0; start < alerts.length; start += BATCH) {
    await db.transaction(async (tx) => {
      for (const alert of alerts.slice(start, start + BATCH)) created += (await notify(tx, alert)).length;
    });
  }
  return { created };
}

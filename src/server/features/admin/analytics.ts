// Platform-wide figures for admins. Each block is one set-based query; the range is `from` inclusive,
// `to` exclusive (see reports/range.ts, shared with the reports so both read a range the same way).
import { sql } from 'drizzle-orm';
import type { PlatformAnalytics, PlatformAnalyticsQuery } from '../../../contract/admin.js';
import type { CourseCategory } from '../../../contract/common.js';
import { CourseCategory as Categories } from '../../../contract/common.js';
import { type Executor, queryRows } from '../../db/client.js';
import { reportRange, type TimeRange } from '../reports/range.js';

const DAY_MS = 86_400_000;
const TOP_COMPLETION = 20;
const TOP_COURSES = 10;

const oneDecimal = (value: number): number => Math.round(value * 10) / 10;
const percentage = (part: number, whole: number): number | null => (whole > 0 ? oneDecimal((part / whole) * 100) : null);
const dayKey = (at: Date): string => at.toISOString().slice(0, 10);

/** Every UTC day the range touches, as `YYYY-MM-DD`. */
function daysOf(range: TimeRange): string[] {
  const days: string[] = [];
  const first = Date.UTC(range.from.getUTCFullYear(), range.from.getUTCMonth(), range.from.getUTCDate());
  for (let at = first; at < range.to.getTime(); at += DAY_MS) days.push(dayKey(new Date(at)));
  return days;
}

interface UserCounts {
  total: number;
  student: number;
  instructor: number;
  admin: number;
  active: number;
  suspended: number;
  registered: number;
}

const userCounts = (db: Executor, range: TimeRange) =>
  queryRows<UserCounts>(
    db,
    sql`
    select count(*)::int as total,
      count(*) filter (where role = 'student')::int as student,
      count(*) filter (where role = 'instructor')::int as instructor,
      count(*) filter (where role = 'admin')::int as admin,
      count(*) filter (where status = 'active')::int as active,
      count(*) filter (where status = 'suspended')::int as suspended,
      count(*) filter (where created_at >= ${range.from} and created_at < ${range.to})::int as registered
    from users`,
  );

const activeUsers = (db: Executor, now: Date) =>
  queryRows<{ daily: number; weekly: number; monthly: number }>(
    db,
    sql`
    select count(distinct user_id) filter (where created_at >= ${new Date(now.getTime() - DAY_MS)})::int as daily,
      count(distinct user_id) filter (where created_at >= ${new Date(now.getTime() - 7 * DAY_MS)})::int as weekly,
      count(distinct user_id)::int as monthly
    from activities where created_at >= ${new Date(now.getTime() - 30 * DAY_MS)} and created_at <= ${now}`,
  );

const dailyCounts = (db: Executor, range: TimeRange) =>
  queryRows<{ kind: 'enrollments' | 'completions'; day: string; n: number }>(
    db,
    sql`
    select 'enrollments' as kind, to_char(enrolled_at at time zone 'UTC', 'YYYY-MM-DD') as day, count(*)::int as n
      from course_enrollments where enrolled_at >= ${range.from} and enrolled_at < ${range.to} group by 2
    union all
    select 'completions', to_char(completed_at at time zone 'UTC', 'YYYY-MM-DD'), count(*)::int
      from course_enrollments where completed_at >= ${range.from} and completed_at < ${range.to} group by 2`,
  );

interface CourseCohortRow {
  course_id: string;
  title: string;
  category: CourseCategory;
  enrollments: number;
  completions: number;
}

/** Courses by enrolments made in the range, with how many of those enrolments have completed. */
const courseCohorts = (db: Executor, range: TimeRange) =>
  queryRows<CourseCohortRow>(
    db,
    sql`
    select c.id as course_id, c.title, c.category, count(*)::int as enrollments, count(e.completed_at)::int as completions
      from course_enrollments e join courses c on c.id = e.course_id
      where e.enrolled_at >= ${range.from} and e.enrolled_at < ${range.to}
      group by c.id
      order by enrollments desc, completions desc, c.title, c.id
      limit ${TOP_COMPLETION}`,
  );

const topRated = (db: Executor) =>
  queryRows<{ course_id: string; title: string; category: CourseCategory; average: number; n: number }>(
    db,
    sql`
    select c.id as course_id, c.title, c.category, avg(r.rating)::float8 as average, count(*)::int as n
      from course_ratings r join courses c on c.id = r.course_id
      group by c.id
      order by average desc, n desc, c.title, c.id
      limit ${TOP_COURSES}`,
  );

/** Points earned and possible per category: assignments graded and quiz attempts submitted in the range. */
const gradePoints = (db: Executor, range: TimeRange) =>
  queryRows<{ category: CourseCategory; earned: number; possible: number; items: number }>(
    db,
    sql`
    with items as (
      select c.category, s.grade::float8 as earned, a.points::float8 as possible
        from assignment_submissions s
        join assignments a on a.id = s.assignment_id
        join courses c on c.id = s.course_id
        where s.status = 'graded' and s.grade is not null and s.graded_at >= ${range.from} and s.graded_at < ${range.to}
      union all
      select c.category, qs.score::float8, qs.total_points::float8
        from quiz_submissions qs join courses c on c.id = qs.course_id
        where qs.status = 'submitted' and qs.score is not null and qs.total_points > 0
          and qs.submitted_at >= ${range.from} and qs.submitted_at < ${range.to}
    )
    select category, sum(earned)::float8 as earned, sum(possible)::float8 as possible, count(*)::int as items
      from items group by category`,
  );

export async function platformAnalytics(db: Executor, query: PlatformAnalyticsQuery, now = new Date()): Promise<PlatformAnalytics> {
  const range = reportRange(query.from, query.to, now);
  const [[users], [active], daily, cohorts, rated, grades] = await Promise.all([
    userCounts(db, range),
    activeUsers(db, now),
    dailyCounts(db, range),
    courseCohorts(db, range),
    topRated(db),
    gradePoints(db, range),
  ]);

  const series = new Map(daysOf(range).map((day) => [day, { date: day, enrollments: 0, completions: 0 }]));
  for (const row of daily) {
    const entry = series.get(row.day);
    if (entry) entry[row.kind] = row.n;
  }
  const dailySeries = [...series.values()];

  const byCategory = new Map(grades.map((row) => [row.category, row]));
  const earned = grades.reduce((sum, row) => sum + row.earned, 0);
  const possible = grades.reduce((sum, row) => sum + row.possible, 0);
  const course = (row: CourseCohortRow) => ({ courseId: row.course_id, title: row.title, category: row.category });

  return {
    range: { from: range.from.toISOString(), to: range.to.toISOString() },
    users: {
      total: users?.total ?? 0,
      byRole: { student: users?.student ?? 0, instructor: users?.instructor ?? 0, admin: users?.admin ?? 0 },
      byStatus: { active: users?.active ?? 0, suspended: users?.suspended ?? 0 },
      registeredInRange: users?.registered ?? 0,
    },
    activeUsers: { daily: active?.daily ?? 0, weekly: active?.weekly ?? 0, monthly: active?.monthly ?? 0 },
    enrollments: {
      enrollments: dailySeries.reduce((sum, day) => sum + day.enrollments, 0),
      completions: dailySeries.reduce((sum, day) => sum + day.completions, 0),
      daily: dailySeries,
    },
    completionRates: cohorts.map((row) => ({
      ...course(row),
      enrollments: row.enrollments,
      completions: row.completions,
      completionRate: percentage(row.completions, row.enrollments) ?? 0,
    })),
    topCourses: {
      byEnrollments: cohorts.slice(0, TOP_COURSES).map((row) => ({ ...course(row), enrollments: row.enrollments })),
      byRating: rated.map((row) => ({
        courseId: row.course_id,
        title: row.title,
        category: row.category,
        averageRating: oneDecimal(row.average),
        ratingCount: row.n,
      })),
    },
    grades: {
      overall: { averagePercentage: percentage(earned, possible), gradedItems: grades.reduce((sum, row) => sum + row.items, 0) },
      byCategory: Categories.options.map((category) => {
        const row = byCategory.get(category);
        return {
          category,
          averagePercentage: row ? percentage(row.earned, row.possible) : null,
          gradedItems: row?.items ?? 0,
        };
      }),
    },
  };
}

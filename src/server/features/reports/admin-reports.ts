// The admin reports: what each type reads (in keyset batches), its CSV and PDF columns, and the
// summary and chart its PDF shows. Rows are never all in memory: a PDF keeps the first rows for its
// table and running totals for its summary and chart.
import { sql } from 'drizzle-orm';
import type { ReportType } from '../../../contract/reports.js';
import { type Executor, queryRows } from '../../db/client.js';
import { progressForCourses } from '../enrollments/progress.js';
import { keysetBatches } from './batches.js';
import { type CsvColumn, csvStream } from './csv.js';
import {
  barChart,
  type ChartPoint,
  createPdf,
  finish,
  heading,
  lineChart,
  note,
  type PdfColumn,
  type PdfDoc,
  sectionTitle,
  summaryGrid,
  table,
} from './pdf.js';
import { daysOf, type TimeRange } from './range.js';

const MAX_BARS = 60;

type Timestamp = Date | string;
const toDate = (value: Timestamp): Date => (value instanceof Date ? value : new Date(value));
const dayOf = (value: Timestamp): string => toDate(value).toISOString().slice(0, 10);
const oneDecimal = (value: number): number => Math.round(value * 10) / 10;
const dateTime = (value: Date | null): string => (value ? value.toISOString().slice(0, 16).replace('T', ' ') : '');

/** Keyset cursor: the sort timestamp as PostgreSQL prints it (microseconds kept), then the id. */
interface Cursor {
  at: string;
  id: string;
}
const after = (cursor: Cursor | null, timeColumn: ReturnType<typeof sql.raw>, idColumn: ReturnType<typeof sql.raw>) =>
  cursor ? sql`and (${timeColumn}, ${idColumn}) > (${cursor.at}::timestamptz, ${cursor.id}::uuid)` : sql``;

export interface ReportAccumulator<Row> {
  add(row: Row): void;
  summary(): [string, string][];
  chart(doc: PdfDoc): void;
}

export interface PdfTableColumn<Row> extends PdfColumn {
  value: (row: Row) => string;
}

export interface ReportDefinition<Row> {
  type: ReportType;
  title: string;
  describe: string;
  csvColumns: CsvColumn<Row>[];
  pdfColumns: PdfTableColumn<Row>[];
  batches(db: Executor, range: TimeRange): AsyncIterable<Row[]>;
  accumulator(range: TimeRange): ReportAccumulator<Row>;
}

/** Per-day values as at most MAX_BARS points: consecutive days are summed when the range is long. */
function bucketDays(days: readonly string[], valueOf: (day: string) => number): { size: number; points: ChartPoint[] } {
  const size = Math.max(1, Math.ceil(days.length / MAX_BARS));
  const points: ChartPoint[] = [];
  for (let i = 0; i < days.length; i += size) {
    const group = days.slice(i, i + size);
    points.push({ label: size === 1 ? group[0]!.slice(5) : group[0]!, value: group.reduce((sum, day) => sum + valueOf(day), 0) });
  }
  return { size, points };
}

const fullName = (first: string, last: string): string => `${first} ${last}`.trim();

// ---- enrollments

interface EnrollmentRow {
  id: string;
  cursorAt: string;
  course: string;
  category: string;
  student: string;
  studentEmail: string;
  enrolledAt: Date;
  status: string;
  completionPercentage: number;
  completedAt: Date | null;
}

interface EnrollmentQueryRow {
  id: string;
  cursor_at: string;
  course_id: string;
  student_id: string;
  course: string;
  category: string;
  first_name: string;
  last_name: string;
  email: string;
  enrolled_at: Timestamp;
  status: string;
  completed_at: Timestamp | null;
}

async function enrollmentPage(db: Executor, range: TimeRange, cursor: Cursor | null, limit: number): Promise<EnrollmentRow[]> {
  const rows = await queryRows<EnrollmentQueryRow>(
    db,
    sql`
    select e.id, e.enrolled_at::text as cursor_at, e.course_id, e.student_id, c.title as course, c.category,
        u.first_name, u.last_name, u.email, e.enrolled_at, e.status, e.completed_at
      from course_enrollments e
      join courses c on c.id = e.course_id
      join users u on u.id = e.student_id
      where e.enrolled_at >= ${range.from} and e.enrolled_at < ${range.to}
        ${after(cursor, sql.raw('e.enrolled_at'), sql.raw('e.id'))}
      order by e.enrolled_at, e.id
      limit ${limit}`,
  );
  // Completion comes from the one definition of progress, a query per student in the batch.
  const coursesByStudent = new Map<string, string[]>();
  for (const row of rows) coursesByStudent.set(row.student_id, [...(coursesByStudent.get(row.student_id) ?? []), row.course_id]);
  const progress = new Map<string, number>();
  await Promise.all(
    [...coursesByStudent].map(async ([studentId, courseIds]) => {
      const perCourse = await progressForCourses(db, studentId, courseIds);
      for (const [courseId, summary] of perCourse) progress.set(`${studentId}:${courseId}`, summary.completionPercentage);
    }),
  );
  return rows.map((row) => ({
    id: row.id,
    cursorAt: row.cursor_at,
    course: row.course,
    category: row.category,
    student: fullName(row.first_name, row.last_name),
    studentEmail: row.email,
    enrolledAt: toDate(row.enrolled_at),
    status: row.status,
    completionPercentage: progress.get(`${row.student_id}:${row.course_id}`) ?? 0,
    completedAt: row.completed_at ? toDate(row.completed_at) : null,
  }));
}

const enrollmentsReport: ReportDefinition<EnrollmentRow> = {
  type: 'enrollments',
  title: 'Enrollments report',
  describe: 'One row per enrolment made in the range',
  csvColumns: [
    { header: 'enrollmentId', value: (r) => r.id },
    { header: 'course', value: (r) => r.course },
    { header: 'category', value: (r) => r.category },
    { header: 'student', value: (r) => r.student },
    { header: 'studentEmail', value: (r) => r.studentEmail },
    { header: 'enrolledAt', value: (r) => r.enrolledAt },
    { header: 'status', value: (r) => r.status },
    { header: 'completionPercentage', value: (r) => r.completionPercentage },
    { header: 'completedAt', value: (r) => r.completedAt },
  ],
  pdfColumns: [
    { header: 'Course', weight: 4, value: (r) => r.course },
    { header: 'Category', weight: 1.6, value: (r) => r.category },
    { header: 'Student', weight: 3, value: (r) => r.student },
    { header: 'Enrolled', weight: 2, value: (r) => dateTime(r.enrolledAt) },
    { header: 'Status', weight: 1.3, value: (r) => r.status },
    { header: 'Complete', weight: 1.3, align: 'right', value: (r) => `${r.completionPercentage}%` },
    { header: 'Completed at', weight: 2, value: (r) => dateTime(r.completedAt) },
  ],
  batches: (db, range) =>
    keysetBatches<EnrollmentRow, Cursor>(
      (cursor, limit) => enrollmentPage(db, range, cursor, limit),
      (row) => ({ at: row.cursorAt, id: row.id }),
    ),
  accumulator(range) {
    let total = 0;
    let completed = 0;
    let withdrawn = 0;
    let completionSum = 0;
    const students = new Set<string>();
    const courses = new Set<string>();
    const perDay = new Map<string, number>();
    return {
      add(row) {
        total++;
        if (row.completedAt) completed++;
        if (row.status === 'withdrawn') withdrawn++;
        completionSum += row.completionPercentage;
        students.add(row.studentEmail);
        courses.add(row.course);
        const day = dayOf(row.enrolledAt);
        perDay.set(day, (perDay.get(day) ?? 0) + 1);
      },
      summary: () => [
        ['Enrolments', String(total)],
        ['Students', String(students.size)],
        ['Courses', String(courses.size)],
        ['Completed', String(completed)],
        ['Withdrawn', String(withdrawn)],
        ['Average completion', `${total ? oneDecimal(completionSum / total) : 0}%`],
      ],
      chart: (doc) => {
        const { size, points } = bucketDays(daysOf(range), (day) => perDay.get(day) ?? 0);
        barChart(doc, size === 1 ? 'Enrolments per day' : `Enrolments per ${size} days (labelled by their first day)`, points);
      },
    };
  },
};

// ---- grades

interface GradeRow {
  id: string;
  cursorAt: string;
  course: string;
  assignment: string;
  student: string;
  studentEmail: string;
  grade: number;
  points: number;
  percent: number;
  gradedAt: Date;
  grader: string;
}

interface GradeQueryRow {
  id: string;
  cursor_at: string;
  course: string;
  assignment: string;
  first_name: string;
  last_name: string;
  email: string;
  grade: number;
  points: number;
  graded_at: Timestamp;
  grader_first: string | null;
  grader_last: string | null;
}

async function gradePage(db: Executor, range: TimeRange, cursor: Cursor | null, limit: number): Promise<GradeRow[]> {
  const rows = await queryRows<GradeQueryRow>(
    db,
    sql`
    select s.id, s.graded_at::text as cursor_at, c.title as course, a.title as assignment,
        u.first_name, u.last_name, u.email, s.grade::float8 as grade, a.points, s.graded_at,
        g.first_name as grader_first, g.last_name as grader_last
      from assignment_submissions s
      join assignments a on a.id = s.assignment_id
      join courses c on c.id = s.course_id
      join users u on u.id = s.student_id
      left join users g on g.id = s.graded_by
      where s.status = 'graded' and s.grade is not null
        and s.graded_at >= ${range.from} and s.graded_at < ${range.to}
        ${after(cursor, sql.raw('s.graded_at'), sql.raw('s.id'))}
      order by s.graded_at, s.id
      limit ${limit}`,
  );
  return rows.map((row) => ({
    id: row.id,
    cursorAt: row.cursor_at,
    course: row.course,
    assignment: row.assignment,
    student: fullName(row.first_name, row.last_name),
    studentEmail: row.email,
    grade: row.grade,
    points: row.points,
    percent: row.points > 0 ? oneDecimal((row.grade / row.points) * 100) : 0,
    gradedAt: toDate(row.graded_at),
    grader: row.grader_first !== null ? fullName(row.grader_first, row.grader_last ?? '') : '',
  }));
}

const gradesReport: ReportDefinition<GradeRow> = {
  type: 'grades',
  title: 'Grades report',
  describe: 'One row per submission graded in the range (its current grade)',
  csvColumns: [
    { header: 'submissionId', value: (r) => r.id },
    { header: 'course', value: (r) => r.course },
    { header: 'assignment', value: (r) => r.assignment },
    { header: 'student', value: (r) => r.student },
    { header: 'studentEmail', value: (r) => r.studentEmail },
    { header: 'grade', value: (r) => r.grade },
    { header: 'points', value: (r) => r.points },
    { header: 'percent', value: (r) => r.percent },
    { header: 'gradedAt', value: (r) => r.gradedAt },
    { header: 'grader', value: (r) => r.grader },
  ],
  pdfColumns: [
    { header: 'Course', weight: 3.4, value: (r) => r.course },
    { header: 'Assignment', weight: 3.4, value: (r) => r.assignment },
    { header: 'Student', weight: 2.6, value: (r) => r.student },
    { header: 'Grade', weight: 1.2, align: 'right', value: (r) => `${r.grade}/${r.points}` },
    { header: 'Percent', weight: 1.1, align: 'right', value: (r) => `${r.percent}%` },
    { header: 'Graded', weight: 2, value: (r) => dateTime(r.gradedAt) },
    { header: 'Grader', weight: 2.3, value: (r) => r.grader },
  ],
  batches: (db, range) =>
    keysetBatches<GradeRow, Cursor>(
      (cursor, limit) => gradePage(db, range, cursor, limit),
      (row) => ({ at: row.cursorAt, id: row.id }),
    ),
  accumulator() {
    let total = 0;
    let percentSum = 0;
    let full = 0;
    const students = new Set<string>();
    const courses = new Set<string>();
    // Ten bands of ten points; 100% goes in the last.
    const bands = Array.from({ length: 10 }, () => 0);
    return {
      add(row) {
        total++;
        percentSum += row.percent;
        if (row.percent >= 100) full++;
        students.add(row.studentEmail);
        courses.add(row.course);
        bands[Math.min(9, Math.max(0, Math.floor(row.percent / 10)))]!++;
      },
      summary: () => [
        ['Graded submissions', String(total)],
        ['Average', `${total ? oneDecimal(percentSum / total) : 0}%`],
        ['Full marks', String(full)],
        ['Students', String(students.size)],
        ['Courses', String(courses.size)],
      ],
      chart: (doc) =>
        barChart(
          doc,
          'Grade distribution (percent of points)',
          bands.map((value, band) => ({ label: `${band * 10}-${band === 9 ? 100 : band * 10 + 9}%`, value })),
        ),
    };
  },
};

// ---- engagement

interface EngagementRow {
  date: string;
  activeUsers: number;
  lessonsCompleted: number;
  submissions: number;
  enrollments: number;
  studyMinutes: number;
}

interface EngagementQueryRow {
  day: string;
  active_users: number;
  lessons: number;
  submissions: number;
  enrollments: number;
  minutes: number;
}

/** One row per day of the range, days without anything included; at most MAX_RANGE_DAYS rows. */
async function engagementDays(db: Executor, range: TimeRange): Promise<EngagementRow[]> {
  const { from, to } = range;
  const utcDay = (column: string) => sql.raw(`(${column} at time zone 'UTC')::date`);
  const rows = await queryRows<EngagementQueryRow>(
    db,
    sql`
    with days as (
      select generate_series(${dayOf(from)}::date, ${dayOf(new Date(to.getTime() - 1))}::date, interval '1 day')::date as day
    ),
    actors as (
      select user_id, ${utcDay('created_at')} as day from activities where created_at >= ${from} and created_at < ${to}
      union select student_id, ${utcDay('completed_at')} from lesson_completions where completed_at >= ${from} and completed_at < ${to}
      union select student_id, ${utcDay('submitted_at')} from assignment_submissions where submitted_at >= ${from} and submitted_at < ${to}
      union select student_id, ${utcDay('started_at')} from quiz_submissions where started_at >= ${from} and started_at < ${to}
      union select student_id, ${utcDay('enrolled_at')} from course_enrollments where enrolled_at >= ${from} and enrolled_at < ${to}
      union select user_id, ${utcDay('end_time')} from study_sessions where end_time >= ${from} and end_time < ${to}
    )
    select d.day::text as day,
        coalesce(a.n, 0)::int as active_users, coalesce(l.n, 0)::int as lessons, coalesce(s.n, 0)::int as submissions,
        coalesce(e.n, 0)::int as enrollments, coalesce(m.n, 0)::int as minutes
      from days d
      left join (select day, count(distinct user_id) as n from actors group by day) a on a.day = d.day
      left join (select ${utcDay('completed_at')} as day, count(*) as n from lesson_completions
                   where completed_at >= ${from} and completed_at < ${to} group by 1) l on l.day = d.day
      left join (select ${utcDay('submitted_at')} as day, count(*) as n from assignment_submissions
                   where status in ('submitted', 'graded') and submitted_at >= ${from} and submitted_at < ${to} group by 1) s on s.day = d.day
      left join (select ${utcDay('enrolled_at')} as day, count(*) as n from course_enrollments
                   where enrolled_at >= ${from} and enrolled_at < ${to} group by 1) e on e.day = d.day
      left join (select ${utcDay('end_time')} as day, sum(duration) as n from study_sessions
                   where end_time >= ${from} and end_time < ${to} group by 1) m on m.day = d.day
      order by d.day`,
  );
  return rows.map((row) => ({
    date: row.day.slice(0, 10),
    activeUsers: row.active_users,
    lessonsCompleted: row.lessons,
    submissions: row.submissions,
    enrollments: row.enrollments,
    studyMinutes: row.minutes,
  }));
}

const engagementReport: ReportDefinition<EngagementRow> = {
  type: 'engagement',
  title: 'Engagement report',
  describe: 'One row per day (UTC): users active that day and what they did',
  csvColumns: [
    { header: 'date', value: (r) => r.date },
    { header: 'activeUsers', value: (r) => r.activeUsers },
    { header: 'lessonsCompleted', value: (r) => r.lessonsCompleted },
    { header: 'submissions', value: (r) => r.submissions },
    { header: 'enrollments', value: (r) => r.enrollments },
    { header: 'studyMinutes', value: (r) => r.studyMinutes },
  ],
  pdfColumns: [
    { header: 'Date', weight: 2, value: (r) => r.date },
    { header: 'Active users', weight: 1.5, align: 'right', value: (r) => String(r.activeUsers) },
    { header: 'Lessons completed', weight: 1.5, align: 'right', value: (r) => String(r.lessonsCompleted) },
    { header: 'Submissions', weight: 1.5, align: 'right', value: (r) => String(r.submissions) },
    { header: 'Enrolments', weight: 1.5, align: 'right', value: (r) => String(r.enrollments) },
    { header: 'Study minutes', weight: 1.5, align: 'right', value: (r) => String(r.studyMinutes) },
  ],
  async *batches(db, range) {
    yield await engagementDays(db, range);
  },
  accumulator() {
    const totals = { days: 0, active: 0, lessons: 0, submissions: 0, enrollments: 0, minutes: 0 };
    let peak: EngagementRow | undefined;
    const points: ChartPoint[] = [];
    return {
      add(row) {
        totals.days++;
        totals.active += row.activeUsers;
        totals.lessons += row.lessonsCompleted;
        totals.submissions += row.submissions;
        totals.enrollments += row.enrollments;
        totals.minutes += row.studyMinutes;
        if (!peak || row.activeUsers > peak.activeUsers) peak = row;
        points.push({ label: row.date.slice(5), value: row.activeUsers });
      },
      summary: () => [
        ['Days', String(totals.days)],
        ['Average active users per day', String(totals.days ? oneDecimal(totals.active / totals.days) : 0)],
        ['Busiest day', peak && peak.activeUsers > 0 ? `${peak.date} (${peak.activeUsers})` : '-'],
        ['Lessons completed', String(totals.lessons)],
        ['Submissions', String(totals.submissions)],
        ['Enrolments', String(totals.enrollments)],
        ['Study minutes', String(totals.minutes)],
      ],
      chart: (doc) => lineChart(doc, 'Active users per day', points),
    };
  },
};

/** The first rows a PDF lists; the summary and chart always cover every row. */
export const PDF_TABLE_LIMIT = 500;

/** A report whose row type is hidden: what the service needs to serve it. */
export interface RunnableReport {
  type: ReportType;
  title: string;
  describe: string;
  csv(db: Executor, range: TimeRange): AsyncGenerator<string>;
  /** Reads every row first (keeping only the first PDF_TABLE_LIMIT), then lays the document out. */
  pdf(db: Executor, range: TimeRange, headingLines: string[], footer: string): Promise<PdfDoc>;
}

function runnable<Row>(definition: ReportDefinition<Row>): RunnableReport {
  return {
    type: definition.type,
    title: definition.title,
    describe: definition.describe,
    csv: (db, range) => csvStream(definition.csvColumns, definition.batches(db, range)),
    async pdf(db, range, headingLines, footer) {
      const accumulator = definition.accumulator(range);
      const tableRows: string[][] = [];
      let total = 0;
      for await (const batch of definition.batches(db, range)) {
        for (const row of batch) {
          total++;
          accumulator.add(row);
          if (tableRows.length < PDF_TABLE_LIMIT) tableRows.push(definition.pdfColumns.map((column) => column.value(row)));
        }
      }
      const doc = await createPdf(`skillEd ${definition.title}`);
      heading(doc, `skillEd ${definition.title}`, [...headingLines, definition.describe]);
      sectionTitle(doc, 'Summary');
      summaryGrid(doc, accumulator.summary());
      accumulator.chart(doc);
      sectionTitle(doc, `Rows (${total})`);
      table(doc, definition.pdfColumns, tableRows);
      if (total > tableRows.length) {
        note(doc, `Showing the first ${tableRows.length} of ${total} rows. The CSV format of this report lists every row.`);
      }
      finish(doc, footer);
      return doc;
    },
  };
}

export const reports: Record<ReportType, RunnableReport> = {
  enrollments: runnable(enrollmentsReport),
  grades: runnable(gradesReport),
  engagement: runnable(engagementReport),
};

// A learner's progress report (the spec's exportProgressReport): their courses with progress, grades
// and study time, and their streaks, as CSV or PDF. The figures come from the analytics service, so
// the report always agrees with the analytics pages.
import { eq, sql } from 'drizzle-orm';
import type { CourseProgress, ProgressAnalytics } from '../../../contract/analytics.js';
import type { ProgressReportQuery } from '../../../contract/reports.js';
import { type Executor, queryRows } from '../../db/client.js';
import { users } from '../../db/schema.js';
import { startOfUtcWeek } from '../analytics/service.js';
import { type CsvColumn, csvLine } from './csv.js';
import { barChart, createPdf, finish, heading, note, type PdfColumn, type PdfDoc, sectionTitle, summaryGrid, table } from './pdf.js';

const WEEK = 7 * 86_400_000;
export const CHART_WEEKS = 12;
const GRADE_TABLE_LIMIT = 500;

const oneDecimal = (value: number): number => Math.round(value * 10) / 10;
const day = (iso: string | undefined): string => (iso ? iso.slice(0, 10) : '');
const days = (count: number): string => `${count} ${count === 1 ? 'day' : 'days'}`;

export interface Learner {
  id: string;
  firstName: string;
  lastName: string;
  username: string;
}

export async function findLearnerName(db: Executor, userId: string): Promise<Learner | undefined> {
  const [row] = await db
    .select({ id: users.id, firstName: users.firstName, lastName: users.lastName, username: users.username })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  return row;
}

/** Minutes of study per week (Monday 00:00 UTC), the last CHART_WEEKS weeks, this one included. */
export async function weeklyStudyMinutes(db: Executor, userId: string, now = new Date()): Promise<{ weekStart: string; minutes: number }[]> {
  const firstWeek = new Date(startOfUtcWeek(now).getTime() - (CHART_WEEKS - 1) * WEEK);
  const rows = await queryRows<{ week: number; minutes: number }>(
    db,
    sql`
    select floor(extract(epoch from (end_time - ${firstWeek}::timestamptz)) / ${WEEK / 1000})::int as week,
        coalesce(sum(duration), 0)::int as minutes
      from study_sessions
      where user_id = ${userId} and end_time >= ${firstWeek}
      group by 1`,
  );
  const byWeek = new Map(rows.map((row) => [row.week, row.minutes]));
  return Array.from({ length: CHART_WEEKS }, (_, index) => ({
    weekStart: new Date(firstWeek.getTime() + index * WEEK).toISOString().slice(0, 10),
    minutes: byWeek.get(index) ?? 0,
  }));
}

interface GradedItem {
  course: string;
  item: string;
  kind: 'assignment' | 'quiz';
  score: number;
  points: number;
  date: string;
}

function gradedItems(course: CourseProgress): GradedItem[] {
  const items: GradedItem[] = [];
  for (const assignment of course.assignments) {
    if (assignment.status === 'graded' && assignment.grade !== undefined) {
      items.push({ course: course.courseTitle, item: assignment.title, kind: 'assignment', score: assignment.grade, points: assignment.points, date: day(assignment.submittedAt) });
    }
  }
  for (const quiz of course.quizzes) {
    if (quiz.score !== undefined) {
      items.push({ course: course.courseTitle, item: quiz.title, kind: 'quiz', score: quiz.score, points: quiz.totalPoints, date: day(quiz.completedAt) });
    }
  }
  return items;
}

/** Percent of the points of graded assignments and best quiz scores; null if none. */
const gradePercent = (course: CourseProgress): number | null => gradePercentOf(gradedItems(course));

function gradePercentOf(items: GradedItem[]): number | null {
  const possible = items.reduce((sum, item) => sum + item.points, 0);
  if (possible === 0) return null;
  return oneDecimal((items.reduce((sum, item) => sum + item.score, 0) / possible) * 100);
}

export interface ProgressReportData {
  learner: Learner;
  period: ProgressReportQuery['period'];
  analytics: ProgressAnalytics;
  courses: CourseProgress[];
  weeks: { weekStart: string; minutes: number }[];
  generatedAt: Date;
}

/** One row per course, then an "All courses" row with the learner's totals and streaks. */
interface CourseLine {
  course: string;
  enrolledAt: string;
  completionPercentage: number | null;
  lessons: [number, number];
  assignments: [number, number];
  quizzes: [number, number];
  gradePercent: number | null;
  studyMinutes: number;
  lastActivity: string;
  currentStreak?: number;
  longestStreak?: number;
}

function courseLines(data: ProgressReportData): CourseLine[] {
  const lines: CourseLine[] = data.courses.map((course) => ({
    course: course.courseTitle,
    enrolledAt: course.enrolledAt,
    completionPercentage: course.progress.completionPercentage,
    lessons: [course.progress.completedLessons, course.progress.totalLessons],
    assignments: [course.progress.completedAssignments, course.progress.totalAssignments],
    quizzes: [course.progress.completedQuizzes, course.progress.totalQuizzes],
    gradePercent: gradePercent(course),
    studyMinutes: course.timeTracking.totalTimeSpent,
    lastActivity: course.timeTracking.lastActivity ?? '',
  }));
  const sum = (pick: (line: CourseLine) => [number, number]): [number, number] =>
    lines.reduce<[number, number]>((total, line) => [total[0] + pick(line)[0], total[1] + pick(line)[1]], [0, 0]);
  lines.push({
    course: 'All courses',
    enrolledAt: '',
    completionPercentage: null,
    lessons: sum((line) => line.lessons),
    assignments: sum((line) => line.assignments),
    quizzes: sum((line) => line.quizzes),
    gradePercent: gradePercentOf(data.courses.flatMap(gradedItems)),
    studyMinutes: lines.reduce((total, line) => total + line.studyMinutes, 0),
    lastActivity: '',
    currentStreak: data.analytics.streaks.current,
    longestStreak: data.analytics.streaks.longest,
  });
  return lines;
}

const csvColumns: CsvColumn<CourseLine>[] = [
  { header: 'course', value: (l) => l.course },
  { header: 'enrolledAt', value: (l) => l.enrolledAt },
  { header: 'completionPercentage', value: (l) => l.completionPercentage },
  { header: 'lessonsCompleted', value: (l) => l.lessons[0] },
  { header: 'lessonsTotal', value: (l) => l.lessons[1] },
  { header: 'assignmentsCompleted', value: (l) => l.assignments[0] },
  { header: 'assignmentsTotal', value: (l) => l.assignments[1] },
  { header: 'quizzesCompleted', value: (l) => l.quizzes[0] },
  { header: 'quizzesTotal', value: (l) => l.quizzes[1] },
  { header: 'gradePercent', value: (l) => l.gradePercent },
  { header: 'studyMinutes', value: (l) => l.studyMinutes },
  { header: 'lastActivity', value: (l) => l.lastActivity },
  { header: 'currentStreak', value: (l) => l.currentStreak },
  { header: 'longestStreak', value: (l) => l.longestStreak },
];

/** Small enough to build whole: one line per enrolled course. */
export function progressCsv(data: ProgressReportData): string {
  return [csvLine(csvColumns.map((c) => c.header)), ...courseLines(data).map((line) => csvLine(csvColumns.map((c) => c.value(line))))].join('');
}

const courseTable: PdfColumn[] = [
  { header: 'Course', weight: 4.5 },
  { header: 'Enrolled', weight: 1.6 },
  { header: 'Complete', weight: 1.3, align: 'right' },
  { header: 'Lessons', weight: 1.3, align: 'right' },
  { header: 'Assignments', weight: 1.5, align: 'right' },
  { header: 'Quizzes', weight: 1.2, align: 'right' },
  { header: 'Grade', weight: 1.2, align: 'right' },
  { header: 'Study min', weight: 1.3, align: 'right' },
  { header: 'Last activity', weight: 1.8 },
];

const gradeTable: PdfColumn[] = [
  { header: 'Course', weight: 4 },
  { header: 'Item', weight: 4 },
  { header: 'Type', weight: 1.4 },
  { header: 'Score', weight: 1.4, align: 'right' },
  { header: 'Percent', weight: 1.2, align: 'right' },
  { header: 'Date', weight: 1.6 },
];

const fraction = ([done, total]: [number, number]): string => `${done}/${total}`;

export async function progressPdf(data: ProgressReportData): Promise<PdfDoc> {
  const { analytics, learner } = data;
  const name = `${learner.firstName} ${learner.lastName}`.trim();
  const doc = await createPdf(`skillEd progress report: ${name}`);
  heading(doc, `Progress report: ${name}`, [
    `@${learner.username}  -  generated ${data.generatedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    `Study time and activity figures cover the last ${data.period}.`,
  ]);

  sectionTitle(doc, 'Summary');
  summaryGrid(doc, [
    ['Study time this week', `${analytics.studyTime.thisWeek} min`],
    ['Study time last week', `${analytics.studyTime.lastWeek} min`],
    [`Study time this ${data.period}`, `${analytics.studyTime.totalThisPeriod} min (${analytics.studyTime.averagePerDay}/day)`],
    ['Weekly goal', `${analytics.weeklyGoalProgress}% of ${analytics.weeklyLearningGoal} min`],
    ['Current streak', days(analytics.streaks.current)],
    ['Longest streak', days(analytics.streaks.longest)],
    ['Courses enrolled', String(analytics.courses.totalEnrolled)],
    ['In progress / not started', `${analytics.courses.inProgress} / ${analytics.courses.notStarted}`],
    [`Completed this ${data.period}`, String(analytics.courses.completedThisPeriod)],
    ['Average grade', `${analytics.performance.averageGrade}%`],
    ['Lessons completed', String(analytics.performance.lessonsCompleted)],
    ['Assignments / quizzes completed', `${analytics.performance.assignmentsCompleted} / ${analytics.performance.quizzesCompleted}`],
  ]);

  barChart(
    doc,
    `Study minutes per week (last ${CHART_WEEKS} weeks, weeks start on Monday)`,
    data.weeks.map((week) => ({ label: week.weekStart.slice(5), value: week.minutes })),
    130,
  );

  sectionTitle(doc, `Courses (${data.courses.length})`);
  table(
    doc,
    courseTable,
    courseLines(data).map((line) => [
      line.course,
      day(line.enrolledAt),
      line.completionPercentage === null ? '' : `${line.completionPercentage}%`,
      fraction(line.lessons),
      fraction(line.assignments),
      fraction(line.quizzes),
      line.gradePercent === null ? '-' : `${line.gradePercent}%`,
      String(line.studyMinutes),
      day(line.lastActivity),
    ]),
    'Not enrolled in any course',
  );

  const grades = data.courses.flatMap(gradedItems);
  sectionTitle(doc, `Grades (${grades.length})`);
  table(
    doc,
    gradeTable,
    grades.slice(0, GRADE_TABLE_LIMIT).map((item) => [
      item.course,
      item.item,
      item.kind,
      `${oneDecimal(item.score)}/${item.points}`,
      item.points > 0 ? `${oneDecimal((item.score / item.points) * 100)}%` : '-',
      item.date,
    ]),
    'Nothing graded yet',
  );
  if (grades.length > GRADE_TABLE_LIMIT) note(doc, `Showing the first ${GRADE_TABLE_LIMIT} of ${grades.length} graded items.`);

  finish(doc, `skillEd progress report: ${name}`);
  return doc;
}

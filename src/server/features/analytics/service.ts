// Learning analytics computed from the rows themselves: study sessions, completions, submissions,
// quiz attempts and the activity timeline. Each answer costs a fixed number of queries that read
// only the learner's own rows (all filtered by an indexed user id), whatever the size of the tables.
import { eq, sql } from 'drizzle-orm';
import type { AnalyticsPeriod } from '../../../contract/common.js';
import type { CourseProgress, ProgressAnalytics } from '../../../contract/analytics.js';
import { type Database, type Executor, queryRows } from '../../db/client.js';
import { reusableQuery } from '../../db/reusable-queries.js';
import { users } from '../../db/schema.js';
import type { AuthUser } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { assertCanViewStudentData } from '../courses/policy.js';
import { progressForCourses } from '../enrollments/progress.js';
import { learnerTotals } from '../users/statistics.js';
import { effectiveStreak, streakRuns } from './streaks.js';

const DAY = 86_400_000;
const PERIOD_DAYS: Record<AnalyticsPeriod, number> = { week: 7, month: 30, quarter: 90, year: 365 };
const RECENT_ACTIVITY = 10;
const STUDY_SESSIONS_PER_COURSE = 50;

const oneDecimal = (value: number): number => Math.round(value * 10) / 10;
const iso = (value: Date | string): string => new Date(value).toISOString();
const isoOrUndefined = (value: Date | string | null): string | undefined => (value ? iso(value) : undefined);

/** Monday 00:00 UTC of the week holding `now`. */
export function startOfUtcWeek(now: Date): Date {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const daysSinceMonday = (now.getUTCDay() + 6) % 7;
  return new Date(midnight - daysSinceMonday * DAY);
}

const learnerById = reusableQuery('analytics_learner_by_id', (db) =>
  db
    .select({
      id: users.id,
      weeklyLearningGoal: users.weeklyLearningGoal,
      currentStreak: users.currentStreak,
      longestStreak: users.longestStreak,
      lastLearned: users.lastLearned,
    })
    .from(users)
    .where(eq(users.id, sql.placeholder('userId')))
    .limit(1),
);

async function findLearner(db: Executor, userId: string) {
  const [user] = await learnerById(db, { userId });
  if (!user) throw new AppError('USER_NOT_FOUND', 'User not found');
  return user;
}

interface PeriodRow {
  this_week: number;
  last_week: number;
  period_minutes: number;
  lessons: number;
  submissions: number;
  quizzes_completed: number;
  quizzes_in_period: number;
  enrolled_in_period: number;
  completed_in_period: number;
}

interface ActivityRow {
  id: string;
  type: ProgressAnalytics['recentActivity'][number]['type'];
  title: string;
  created_at: Date | string;
  course_id: string | null;
  course_title: string | null;
}

/** The spec's ProgressAnalytics for one learner over a period ending now. */
export async function learningAnalytics(
  db: Executor,
  userId: string,
  period: AnalyticsPeriod,
  now = new Date(),
): Promise<ProgressAnalytics> {
  const learner = await findLearner(db, userId);
  const periodStart = new Date(now.getTime() - PERIOD_DAYS[period] * DAY);
  const weekStart = startOfUtcWeek(now);
  const lastWeekStart = new Date(weekStart.getTime() - 7 * DAY);

  const [periodRows, activityRows, learningDays, enrollmentRows, totals] = await Promise.all([
    queryRows<PeriodRow>(
      db,
      sql`
      select
        (select coalesce(sum(duration), 0)::int from study_sessions
           where user_id = ${userId} and end_time >= ${weekStart}) as this_week,
        (select coalesce(sum(duration), 0)::int from study_sessions
           where user_id = ${userId} and end_time >= ${lastWeekStart} and end_time < ${weekStart}) as last_week,
        (select coalesce(sum(duration), 0)::int from study_sessions
           where user_id = ${userId} and end_time >= ${periodStart}) as period_minutes,
        (select count(*)::int from lesson_completions
           where student_id = ${userId} and completed_at >= ${periodStart}) as lessons,
        (select count(*)::int from assignment_submissions
           where student_id = ${userId} and status in ('submitted', 'graded') and submitted_at >= ${periodStart}) as submissions,
        (select count(distinct quiz_id)::int from quiz_submissions
           where student_id = ${userId} and status = 'submitted') as quizzes_completed,
        (select count(*)::int from quiz_submissions
           where student_id = ${userId} and status = 'submitted' and submitted_at >= ${periodStart}) as quizzes_in_period,
        (select count(*)::int from course_enrollments
           where student_id = ${userId} and enrolled_at >= ${periodStart}) as enrolled_in_period,
        (select count(*)::int from course_enrollments
           where student_id = ${userId} and status = 'active' and completed_at >= ${periodStart}) as completed_in_period`,
    ),
    queryRows<ActivityRow>(
      db,
      sql`
      select a.id, a.type, a.title, a.created_at, a.course_id, c.title as course_title
        from activities a left join courses c on c.id = a.course_id
        where a.user_id = ${userId}
          and a.type in ('lesson_completed', 'assignment_submitted', 'quiz_completed', 'course_enrolled')
        order by a.created_at desc, a.id desc
        limit ${RECENT_ACTIVITY}`,
    ),
    queryRows<{ day: Date | string }>(
      db,
      sql`
      select distinct date_trunc('day', completed_at at time zone 'UTC') as day
        from lesson_completions where student_id = ${userId}`,
    ),
    queryRows<{ course_id: string }>(
      db,
      sql`select course_id from course_enrollments where student_id = ${userId} and status = 'active'`,
    ),
    learnerTotals(db, userId),
  ]);
  const counts = periodRows[0]!;

  const progress = await progressForCourses(
    db,
    userId,
    enrollmentRows.map((row) => row.course_id),
  );
  let inProgress = 0;
  let notStarted = 0;
  for (const course of progress.values()) {
    const done = course.completedLessons + course.completedAssignments + course.completedQuizzes;
    if (done === 0) notStarted++;
    else if (course.completionPercentage < 100) inProgress++;
  }

  const runs = streakRuns(learningDays.map((row) => new Date(`${iso(row.day).slice(0, 10)}T00:00:00Z`)));
  const goal = learner.weeklyLearningGoal;

  return {
    userId,
    period,
    studyTime: {
      thisWeek: counts.this_week,
      lastWeek: counts.last_week,
      averagePerDay: oneDecimal(counts.period_minutes / PERIOD_DAYS[period]),
      totalThisPeriod: counts.period_minutes,
    },
    courses: {
      totalEnrolled: enrollmentRows.length,
      completedThisPeriod: counts.completed_in_period,
      inProgress,
      notStarted,
    },
    performance: {
      averageGrade: totals.averageGrade,
      assignmentsCompleted: totals.totalAssignmentsSubmitted,
      quizzesCompleted: counts.quizzes_completed,
      lessonsCompleted: totals.totalLessonsCompleted,
    },
    streaks: {
      current: effectiveStreak(learner, now),
      longest: Math.max(learner.longestStreak, ...runs, 0),
      average: runs.length ? oneDecimal(runs.reduce((sum, run) => sum + run, 0) / runs.length) : 0,
    },
    weeklyLearningGoal: goal,
    weeklyGoalProgress: goal > 0 ? Math.round((counts.this_week / goal) * 100) : 0,
    recentActivity: activityRows.map((row) => ({
      activityId: row.id,
      type: row.type,
      title: row.title,
      timestamp: iso(row.created_at),
      ...(row.course_id ? { courseId: row.course_id } : {}),
      ...(row.course_title ? { courseTitle: row.course_title } : {}),
    })),
    periodData: {
      lessonsCompleted: counts.lessons,
      assignmentsSubmitted: counts.submissions,
      quizzesCompleted: counts.quizzes_in_period,
      coursesEnrolled: counts.enrolled_in_period,
    },
  };
}

interface EnrollmentRow {
  enrollment_id: string;
  course_id: string;
  course_title: string;
  enrolled_at: Date | string;
}
interface LessonRow {
  course_id: string;
  lesson_id: string;
  title: string;
  order: number;
  estimated_time: number;
  completed_at: Date | string | null;
  time_spent: number | null;
}
interface AssignmentRow {
  course_id: string;
  assignment_id: string;
  title: string;
  points: number;
  due_date: Date | string | null;
  status: CourseProgress['assignments'][number]['status'] | null;
  grade: number | null;
  submitted_at: Date | string | null;
}
interface QuizRow {
  course_id: string;
  quiz_id: string;
  title: string;
  total_points: number;
  best_score: number | null;
  submitted: number;
  in_progress: number;
  completed_at: Date | string | null;
}
interface SessionRow {
  course_id: string;
  id: string;
  start_time: Date | string;
  end_time: Date | string;
  duration: number;
  lessons_covered: string[] | string;
}
interface TimeRow {
  course_id: string;
  total: number;
}

function groupByCourse<T extends { course_id: string }>(rows: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(row.course_id);
    if (group) group.push(row);
    else groups.set(row.course_id, [row]);
  }
  return groups;
}

/**
 * The spec's CourseProgress for each of a learner's active enrollments (or only those in
 * `onlyCourseIds`), in a fixed number of queries however many courses there are.
 */
export async function courseProgressFor(
  db: Executor,
  userId: string,
  onlyCourseIds?: readonly string[],
): Promise<CourseProgress[]> {
  if (onlyCourseIds && onlyCourseIds.length === 0) return [];
  const courseFilter = onlyCourseIds
    ? sql`and e.course_id in (${sql.join(
        onlyCourseIds.map((id) => sql`${id}::uuid`),
        sql`, `,
      )})`
    : sql``;
  const enrollments = await queryRows<EnrollmentRow>(
    db,
    sql`
    select e.id as enrollment_id, e.course_id, c.title as course_title, e.enrolled_at
      from course_enrollments e join courses c on c.id = e.course_id
      where e.student_id = ${userId} and e.status = 'active' ${courseFilter}
      order by e.enrolled_at desc, e.id`,
  );
  if (enrollments.length === 0) return [];
  const courseIds = enrollments.map((row) => row.course_id);
  const ids = sql.join(
    courseIds.map((id) => sql`${id}::uuid`),
    sql`, `,
  );

  const [summaries, lessonRows, assignmentRows, quizRows, sessionRows, timeRows] = await Promise.all([
    progressForCourses(db, userId, courseIds),
    queryRows<LessonRow>(
      db,
      sql`
      select l.course_id, l.id as lesson_id, l.title, l."order", l.estimated_time, lc.completed_at, lc.time_spent
        from lessons l
        left join lesson_completions lc on lc.lesson_id = l.id and lc.student_id = ${userId}
        where l.course_id in (${ids})
        order by l.course_id, l."order"`,
    ),
    queryRows<AssignmentRow>(
      db,
      sql`
      select a.course_id, a.id as assignment_id, a.title, a.points,
          coalesce(s.due_date, a.due_date) as due_date, s.status, s.grade::float8 as grade, s.submitted_at
        from assignments a
        left join assignment_submissions s on s.assignment_id = a.id and s.student_id = ${userId}
        where a.course_id in (${ids})
        order by a.course_id, a.due_date, a.id`,
    ),
    queryRows<QuizRow>(
      db,
      sql`
      select q.course_id, q.id as quiz_id, q.title,
          (select coalesce(sum(qq.points), 0)::int from quiz_questions qq where qq.quiz_id = q.id) as total_points,
          max(qs.score) filter (where qs.status = 'submitted')::float8 as best_score,
          count(qs.id) filter (where qs.status = 'submitted')::int as submitted,
          count(qs.id) filter (where qs.status = 'in_progress')::int as in_progress,
          max(qs.submitted_at) filter (where qs.status = 'submitted') as completed_at
        from quizzes q
        left join quiz_submissions qs on qs.quiz_id = q.id and qs.student_id = ${userId}
        where q.course_id in (${ids})
        group by q.id
        order by q.course_id, q.created_at, q.id`,
    ),
    queryRows<SessionRow>(
      db,
      sql`
      select course_id, id, start_time, end_time, duration, lessons_covered from (
        select ss.*, row_number() over (partition by ss.course_id order by ss.start_time desc, ss.id) as n
          from study_sessions ss where ss.user_id = ${userId} and ss.course_id in (${ids})
      ) ranked where n <= ${STUDY_SESSIONS_PER_COURSE}
      order by course_id, start_time desc`,
    ),
    queryRows<TimeRow>(
      db,
      sql`
      select course_id, coalesce(sum(duration), 0)::int as total
        from study_sessions where user_id = ${userId} and course_id in (${ids})
        group by course_id`,
    ),
  ]);

  const lessonsByCourse = groupByCourse(lessonRows);
  const assignmentsByCourse = groupByCourse(assignmentRows);
  const quizzesByCourse = groupByCourse(quizRows);
  const sessionsByCourse = groupByCourse(sessionRows);
  const timeByCourse = new Map(timeRows.map((row) => [row.course_id, row.total]));

  return enrollments.map((enrollment) => {
    const courseId = enrollment.course_id;
    const summary = summaries.get(courseId)!;
    const lessonList = lessonsByCourse.get(courseId) ?? [];
    const totalTime = timeByCourse.get(courseId) ?? 0;
    return {
      courseId,
      courseTitle: enrollment.course_title,
      enrollmentId: enrollment.enrollment_id,
      enrolledAt: iso(enrollment.enrolled_at),
      progress: {
        totalLessons: summary.totalLessons,
        completedLessons: summary.completedLessons,
        totalAssignments: summary.totalAssignments,
        completedAssignments: summary.completedAssignments,
        totalQuizzes: summary.totalQuizzes,
        completedQuizzes: summary.completedQuizzes,
        completionPercentage: summary.completionPercentage,
        estimatedTimeRemaining: lessonList
          .filter((lesson) => !lesson.completed_at)
          .reduce((sum, lesson) => sum + lesson.estimated_time, 0),
      },
      lessons: lessonList.map((lesson) => ({
        lessonId: lesson.lesson_id,
        title: lesson.title,
        order: lesson.order,
        estimatedTime: lesson.estimated_time,
        ...(lesson.completed_at ? { completedAt: iso(lesson.completed_at) } : {}),
        ...(lesson.time_spent != null ? { timeSpent: lesson.time_spent } : {}),
      })),
      assignments: (assignmentsByCourse.get(courseId) ?? []).map((assignment) => ({
        assignmentId: assignment.assignment_id,
        title: assignment.title,
        points: assignment.points,
        ...(assignment.due_date ? { dueDate: iso(assignment.due_date) } : {}),
        status: assignment.status ?? 'not_started',
        ...(assignment.grade != null ? { grade: assignment.grade } : {}),
        ...(assignment.submitted_at ? { submittedAt: iso(assignment.submitted_at) } : {}),
      })),
      quizzes: (quizzesByCourse.get(courseId) ?? []).map((quiz) => ({
        quizId: quiz.quiz_id,
        title: quiz.title,
        totalPoints: quiz.total_points,
        ...(quiz.best_score != null ? { score: quiz.best_score } : {}),
        status: quiz.submitted > 0 ? 'completed' : quiz.in_progress > 0 ? 'in_progress' : 'not_started',
        ...(quiz.completed_at ? { completedAt: iso(quiz.completed_at) } : {}),
      })),
      timeTracking: {
        totalTimeSpent: totalTime,
        averageTimePerLesson: summary.completedLessons > 0 ? oneDecimal(totalTime / summary.completedLessons) : 0,
        lastActivity: isoOrUndefined(summary.lastActivity ?? null),
        studySessions: (sessionsByCourse.get(courseId) ?? []).map((session) => ({
          sessionId: session.id,
          startTime: iso(session.start_time),
          endTime: iso(session.end_time),
          duration: session.duration,
          lessonsCovered: typeof session.lessons_covered === 'string' ? JSON.parse(session.lessons_covered) : session.lessons_covered,
        })),
      },
    };
  });
}

/** Courses an instructor teaches among the given ones: what an instructor may see of a student. */
async function coursesTaughtBy(db: Executor, instructorId: string): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(db, sql`select id from courses where instructor_id = ${instructorId}`);
  return rows.map((row) => row.id);
}

export function createAnalyticsService({ db }: { db: Database }) {
  return {
    // Visibility is checked before existence, so that a 404 tells nobody but admins that an id exists.
    /** Analytics of `userId` as `viewer` may see them: the learner, admins, instructors of their courses. */
    async forUser(viewer: AuthUser, userId: string, period: AnalyticsPeriod): Promise<ProgressAnalytics> {
      await assertCanViewStudentData(db, viewer, userId);
      return learningAnalytics(db, userId, period);
    },

    /** Per-course progress; an instructor looking at a student sees only the courses they teach. */
    async coursesForUser(viewer: AuthUser, userId: string): Promise<CourseProgress[]> {
      await assertCanViewStudentData(db, viewer, userId);
      await findLearner(db, userId);
      const onlyTheirs = viewer.role === 'instructor' && viewer.id !== userId;
      return courseProgressFor(db, userId, onlyTheirs ? await coursesTaughtBy(db, viewer.id) : undefined);
    },
  };
}

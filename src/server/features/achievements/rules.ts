// Every badge of the spec with a real rule: what is measured, and the target that earns it.
// Earning (after a change) and progress toward unearned badges both read from here.
import { sql } from 'drizzle-orm';
import type { BadgeType } from '../../../contract/common.js';
import { type Executor, queryRows } from '../../db/client.js';
import { achievements } from '../../db/schema.js';
import { effectiveStreak } from '../analytics/streaks.js';
import { announceBadges } from '../communication/triggers.js';

export interface BadgeStats {
  enrollments: number;
  completedCourses: number;
  currentStreak: number;
  longestStreak: number;
  gradedItems: number;
  averageGradePercent: number;
  perfectScores: number;
  earlySubmissions: number;
  reviewsWritten: number;
}

/** The figures a rule reads; a change reads only those of the badges it can earn. */
export type BadgeMeasure = 'enrollments' | 'completedCourses' | 'streak' | 'grades' | 'earlySubmissions' | 'reviewsWritten';

/**
 * The changes that move a badge's figures. A change checks only the badges it can earn; the achievements
 * page checks every badge, so a badge missed by a change (a rule added later) is still awarded.
 */
export type BadgeChange = 'enrolled' | 'lesson_completed' | 'course_completed' | 'work_submitted' | 'graded' | 'reviewed';

export interface BadgeRule {
  title: string;
  description: string;
  target: number;
  reads: BadgeMeasure;
  movedBy: readonly BadgeChange[];
  measure: (stats: BadgeStats) => number;
}

/** High scorer needs a real average, not one lucky grade. */
const HIGH_SCORER_MIN_ITEMS = 3;

export const badgeRules: Record<BadgeType, BadgeRule> = {
  first_course: {
    title: 'First Course',
    description: 'Enrol in your first course',
    target: 1,
    reads: 'enrollments',
    movedBy: ['enrolled'],
    measure: (s) => s.enrollments,
  },
  course_completer: {
    title: 'Course Completer',
    description: 'Complete every lesson, assignment and quiz of a course',
    target: 1,
    reads: 'completedCourses',
    movedBy: ['course_completed'],
    measure: (s) => s.completedCourses,
  },
  seven_day_streak: {
    title: 'Seven-Day Streak',
    description: 'Learn on 7 days in a row',
    target: 7,
    reads: 'streak',
    movedBy: ['lesson_completed'],
    measure: (s) => Math.max(s.currentStreak, s.longestStreak),
  },
  streak_master: {
    title: 'Streak Master',
    description: 'Learn on 30 days in a row',
    target: 30,
    reads: 'streak',
    movedBy: ['lesson_completed'],
    measure: (s) => Math.max(s.currentStreak, s.longestStreak),
  },
  high_scorer: {
    title: 'High Scorer',
    description: `Keep an average of 90% or more over at least ${HIGH_SCORER_MIN_ITEMS} graded assignments and quizzes`,
    target: 90,
    reads: 'grades',
    movedBy: ['graded'],
    measure: (s) => (s.gradedItems >= HIGH_SCORER_MIN_ITEMS ? Math.floor(s.averageGradePercent) : 0),
  },
  perfect_score: {
    title: 'Perfect Score',
    description: 'Earn full marks on an assignment or quiz',
    target: 1,
    reads: 'grades',
    movedBy: ['graded'],
    measure: (s) => s.perfectScores,
  },
  early_bird: {
    title: 'Early Bird',
    description: 'Submit 3 assignments at least a day before they are due',
    target: 3,
    reads: 'earlySubmissions',
    movedBy: ['work_submitted'],
    measure: (s) => s.earlySubmissions,
  },
  social_learner: {
    title: 'Social Learner',
    description: 'Review 3 courses to help other learners choose',
    target: 3,
    reads: 'reviewsWritten',
    movedBy: ['reviewed'],
    measure: (s) => s.reviewsWritten,
  },
};

export const badgeTypes = Object.keys(badgeRules) as BadgeType[];

interface StatsRow {
  enrollments?: number;
  completed_courses?: number;
  current_streak?: number;
  longest_streak?: number;
  last_learned?: Date | string | null;
  graded_items?: number;
  grade_percent_sum?: number | null;
  perfect_scores?: number;
  early_submissions?: number;
  reviews_written?: number;
  earned_badges: BadgeType[];
}

/**
 * While the student has yet to earn one of the badges that read `measure`. Once all are earned, a change
 * need not read that figure again: a student's history keeps growing, the badge does not.
 */
function stillToEarn(measure: BadgeMeasure): string {
  const badges = badgeTypes.filter((type) => badgeRules[type].reads === measure);
  const names = badges.map((type) => `'${type}'`).join(', ');
  return `(select count(*) from achievements a where a.student_id = u.id and a.badge_type::text in (${names})) < ${badges.length}`;
}

/** A count, read only while `guard` holds (null otherwise) when a guard is given. */
const counted = (count: string, alias: string, guard: string | null): string =>
  guard ? `case when ${guard} then ${count} end as ${alias}` : `${count} as ${alias}`;

/** Each figure's columns, read for the student `u`; with a guard, only while it holds. */
const MEASURE_COLUMNS: Record<BadgeMeasure, (guard: string | null) => string> = {
  enrollments: (guard) => counted('(select count(*)::int from course_enrollments e where e.student_id = u.id)', 'enrollments', guard),
  completedCourses: (guard) =>
    counted('(select count(*)::int from course_enrollments e where e.student_id = u.id and e.completed_at is not null)', 'completed_courses', guard),
  // Columns of the student's own row: nothing to spare.
  streak: () => 'u.current_streak, u.longest_streak, u.last_learned',
  grades: () => 'g.graded_items, g.grade_percent_sum, g.perfect_scores',
  earlySubmissions: (guard) =>
    counted(
      `(select count(*)::int from assignment_submissions s
     where s.student_id = u.id and s.submitted_at is not null and s.due_date is not null
       and s.submitted_at <= s.due_date - interval '1 day')`,
      'early_submissions',
      guard,
    ),
  reviewsWritten: (guard) =>
    counted(
      `(select count(*)::int from course_ratings r
     where r.student_id = u.id and r.review is not null and length(trim(r.review)) > 0)`,
      'reviews_written',
      guard,
    ),
};

/** Graded assignments and quizzes as percentages, summed once for both grade badges (while `guard` holds). */
const gradesJoin = (guard: string | null) => `left join lateral (
    select count(*)::int as graded_items, sum(percent)::float8 as grade_percent_sum,
        (count(*) filter (where percent >= 100))::int as perfect_scores
      from (
        select s.grade::float8 / a.points * 100 as percent
          from assignment_submissions s join assignments a on a.id = s.assignment_id
          where s.student_id = u.id and s.status = 'graded' and s.grade is not null
        union all
        select case when qs.total_points > 0 then qs.score::float8 / qs.total_points * 100 else 0 end
          from quiz_submissions qs
          where qs.student_id = u.id and qs.status = 'submitted' and qs.score is not null
      ) graded${guard ? `\n      where ${guard}` : ''}
  ) g on true`;

const MEASURES = Object.keys(MEASURE_COLUMNS) as BadgeMeasure[];

/**
 * Read for the achievements page (every figure, for the progress shown toward each badge), or to award
 * badges after a change (a figure only while one of its badges is still to earn).
 */
export type StatsPurpose = 'progress' | 'award';

/** One statement text per set of figures and purpose (a handful in use), so that each is prepared once per connection. */
const statsStatements = new Map<string, string>();

/** The text of the figures' statement, the student's id to follow (exported for a test of its plan). */
export function statsStatement(measures: ReadonlySet<BadgeMeasure>, purpose: StatsPurpose): string {
  const wanted = MEASURES.filter((measure) => measures.has(measure));
  const key = `${purpose}:${wanted.join(',')}`;
  let text = statsStatements.get(key);
  if (!text) {
    const guard = (measure: BadgeMeasure) => (purpose === 'award' ? stillToEarn(measure) : null);
    const columns = [
      ...wanted.map((measure) => MEASURE_COLUMNS[measure](guard(measure))),
      'array(select a.badge_type::text from achievements a where a.student_id = u.id) as earned_badges',
    ];
    text = `select ${columns.join(',\n    ')}\n  from users u ${measures.has('grades') ? gradesJoin(guard('grades')) : ''}\n  where u.id = `;
    statsStatements.set(key, text);
  }
  return text;
}

export async function badgeStats(db: Executor, studentId: string): Promise<BadgeStats> {
  return (await readBadgeStats(db, studentId, new Set(MEASURES), 'progress')).stats;
}

/** The student's figures (those asked for; the others, and those skipped, read as 0) and the badges already earned, in one statement. */
async function readBadgeStats(
  db: Executor,
  studentId: string,
  measures: ReadonlySet<BadgeMeasure>,
  purpose: StatsPurpose,
): Promise<{ stats: BadgeStats; earned: ReadonlySet<BadgeType> }> {
  const [row] = await queryRows<StatsRow>(db, sql`${sql.raw(statsStatement(measures, purpose))}${studentId}`);
  if (!row) return { stats: noStats(), earned: new Set() };
  const lastLearned = row.last_learned ? new Date(row.last_learned) : null;
  const gradedItems = row.graded_items ?? 0;
  const stats: BadgeStats = {
    enrollments: row.enrollments ?? 0,
    completedCourses: row.completed_courses ?? 0,
    currentStreak: effectiveStreak({ currentStreak: row.current_streak ?? 0, lastLearned }),
    longestStreak: row.longest_streak ?? 0,
    gradedItems,
    averageGradePercent: gradedItems > 0 ? (row.grade_percent_sum ?? 0) / gradedItems : 0,
    perfectScores: row.perfect_scores ?? 0,
    earlySubmissions: row.early_submissions ?? 0,
    reviewsWritten: row.reviews_written ?? 0,
  };
  return { stats, earned: new Set(row.earned_badges) };
}

function noStats(): BadgeStats {
  return {
    enrollments: 0,
    completedCourses: 0,
    currentStreak: 0,
    longestStreak: 0,
    gradedItems: 0,
    averageGradePercent: 0,
    perfectScores: 0,
    earlySubmissions: 0,
    reviewsWritten: 0,
  };
}

/** Every change that moves some badge: what the achievements page and the demo seed check. */
const EVERY_CHANGE: readonly BadgeChange[] = [...new Set(badgeTypes.flatMap((type) => badgeRules[type].movedBy))];

/**
 * Awards every badge that the given changes can earn and whose rule the student now meets. Call it in
 * the transaction of the change (enrolment, lesson completion, submission, grading, rating). Only the
 * figures of those badges are read. Returns the new badges.
 */
export async function awardBadges(
  db: Executor,
  studentId: string,
  at = new Date(),
  after: readonly BadgeChange[] = EVERY_CHANGE,
): Promise<BadgeType[]> {
  const candidates = badgeTypes.filter((type) => badgeRules[type].movedBy.some((change) => after.includes(change)));
  if (candidates.length === 0) return [];
  const { stats, earned: alreadyEarned } = await readBadgeStats(
    db,
    studentId,
    new Set(candidates.map((type) => badgeRules[type].reads)),
    'award',
  );
  // Most changes earn nothing new: then nothing is written (a concurrent award is still caught by the
  // unique index below).
  const met = candidates.filter((type) => !alreadyEarned.has(type) && badgeRules[type].measure(stats) >= badgeRules[type].target);
  if (met.length === 0) return [];
  const inserted = await db
    .insert(achievements)
    .values(met.map((badgeType) => ({ studentId, badgeType, earnedAt: at })))
    .onConflictDoNothing()
    .returning({ badgeType: achievements.badgeType });
  const earned = inserted.map((r) => r.badgeType);
  await announceBadges(
    db,
    studentId,
    earned.map((type) => ({ badgeType: type, title: badgeRules[type].title, description: badgeRules[type].description })),
  );
  return earned;
}

// A learner's totals, in one query: shown on the profile page and the achievements page.
import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.js';

export interface LearnerTotals {
  /** Active enrollments. */
  totalCourses: number;
  completedCourses: number;
  totalLessonsCompleted: number;
  /** Assignments submitted or graded. */
  totalAssignmentsSubmitted: number;
  /** Percent of the points of graded assignments and submitted quiz attempts, one decimal; 0 if none. */
  averageGrade: number;
  /** Minutes of study sessions. */
  totalStudyTime: number;
  totalAchievements: number;
  /** Of the ratings the learner gave, one decimal; 0 if none. */
  averageRating: number;
}

interface TotalsRow {
  total_courses: number;
  completed_courses: number;
  lessons_completed: number;
  assignments_submitted: number;
  points_earned: number | null;
  points_possible: number | null;
  study_minutes: number;
  achievements: number;
  average_rating: number | null;
}

const oneDecimal = (value: number): number => Math.round(value * 10) / 10;

export async function learnerTotals(db: Executor, userId: string): Promise<LearnerTotals> {
  const [row] = await queryRows<TotalsRow>(
    db,
    sql`
    with graded as (
      select s.grade::float8 as earned, a.points::float8 as possible
        from assignment_submissions s join assignments a on a.id = s.assignment_id
        where s.student_id = ${userId} and s.status = 'graded' and s.grade is not null
      union all
      select qs.score::float8, qs.total_points::float8
        from quiz_submissions qs
        where qs.student_id = ${userId} and qs.status = 'submitted' and qs.score is not null and qs.total_points > 0
    )
    select
      (select count(*)::int from course_enrollments e where e.student_id = ${userId} and e.status = 'active') as total_courses,
      (select count(*)::int from course_enrollments e
         where e.student_id = ${userId} and e.status = 'active' and e.completed_at is not null) as completed_courses,
      (select count(*)::int from lesson_completions lc where lc.student_id = ${userId}) as lessons_completed,
      (select count(*)::int from assignment_submissions s
         where s.student_id = ${userId} and s.status in ('submitted', 'graded')) as assignments_submitted,
      (select sum(earned)::float8 from graded) as points_earned,
      (select sum(possible)::float8 from graded) as points_possible,
      (select coalesce(sum(ss.duration), 0)::int from study_sessions ss where ss.user_id = ${userId}) as study_minutes,
      (select count(*)::int from achievements ac where ac.student_id = ${userId}) as achievements,
      (select avg(r.rating)::float8 from course_ratings r where r.student_id = ${userId}) as average_rating`,
  );
  const possible = row?.points_possible ?? 0;
  return {
    totalCourses: row?.total_courses ?? 0,
    completedCourses: row?.completed_courses ?? 0,
    totalLessonsCompleted: row?.lessons_completed ?? 0,
    totalAssignmentsSubmitted: row?.assignments_submitted ?? 0,
    averageGrade: possible > 0 ? oneDecimal(((row?.points_earned ?? 0) / possible) * 100) : 0,
    totalStudyTime: row?.study_minutes ?? 0,
    totalAchievements: row?.achievements ?? 0,
    averageRating: row?.average_rating != null ? oneDecimal(row.average_rating) : 0,
  };
}

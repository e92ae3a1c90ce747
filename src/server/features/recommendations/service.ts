// Course recommendations. Candidates are courses the learner has never enrolled in, does not teach,
// and may enrol in now (every prerequisite completed). Each is scored on weighted signals: a next
// step in a prerequisite path, what learners sharing the learner's courses took, interest in the
// category, the right next level, ratings and popularity. With no history the last two lead, so a
// brand-new learner gets well-rated, popular beginner courses.
import { eq, inArray, sql } from 'drizzle-orm';
import type { DifficultyLevel } from '../../../contract/common.js';
import type { Recommendation, RecommendationReason } from '../../../contract/recommendations.js';
import { type Database, type Executor, queryRows } from '../../db/client.js';
import { courses, users } from '../../db/schema.js';
import { courseCounts, instructorColumns } from '../courses/catalogue.js';
import { presentCourseListItem } from '../courses/presenter.js';

const LEVELS: readonly DifficultyLevel[] = ['beginner', 'intermediate', 'advanced'];
/** Learners sharing a course with the caller that are sampled for "similar learners". */
const PEER_SAMPLE = 300;

const WEIGHTS: Record<RecommendationReason, number> = {
  next_in_path: 3,
  similar_learners: 2.5,
  category_interest: 2,
  level_progression: 1.5,
  highly_rated: 1,
  popular: 0.5,
};

interface HistoryRow {
  category: string;
  difficulty_level: DifficultyLevel;
  completed: boolean;
}

interface CandidateRow {
  id: string;
  title: string;
  category: string;
  difficulty_level: DifficultyLevel;
  prerequisite_title: string | null;
  peers: number;
  average_rating: number;
  total_ratings: number;
  enrollments: number;
}

interface Scored {
  id: string;
  score: number;
  reasonType: RecommendationReason;
  reason: string;
}

/** A Bayesian average: a few ratings cannot outrank many good ones. */
const smoothedRating = (average: number, count: number): number => (average * count + 3.5 * 5) / (count + 5);

function describe(reason: RecommendationReason, course: CandidateRow, level: DifficultyLevel | undefined): string {
  switch (reason) {
    case 'next_in_path':
      return `Next step after "${course.prerequisite_title}", which you completed`;
    case 'similar_learners':
      return `Taken by ${course.peers} ${course.peers === 1 ? 'learner' : 'learners'} who share your courses`;
    case 'category_interest':
      return `Because you are learning ${course.category}`;
    case 'level_progression':
      return level
        ? `A ${course.difficulty_level} ${course.category} course to follow your ${level} ones`
        : `A ${course.difficulty_level} course to start with`;
    case 'highly_rated':
      return `Highly rated: ${course.average_rating.toFixed(1)} from ${course.total_ratings} ${course.total_ratings === 1 ? 'review' : 'reviews'}`;
    case 'popular':
      return `Popular: ${course.enrollments} ${course.enrollments === 1 ? 'learner' : 'learners'} enrolled`;
  }
}

export function scoreCandidates(history: HistoryRow[], candidates: CandidateRow[]): Scored[] {
  const byCategory = new Map<string, { count: number; highestCompleted: number; highestTaken: number }>();
  for (const row of history) {
    const entry = byCategory.get(row.category) ?? { count: 0, highestCompleted: -1, highestTaken: -1 };
    const level = LEVELS.indexOf(row.difficulty_level);
    entry.count++;
    entry.highestTaken = Math.max(entry.highestTaken, level);
    if (row.completed) entry.highestCompleted = Math.max(entry.highestCompleted, level);
    byCategory.set(row.category, entry);
  }
  const maxPeers = Math.max(1, ...candidates.map((course) => course.peers));
  const maxEnrollments = Math.max(1, ...candidates.map((course) => course.enrollments));

  return candidates.map((course) => {
    const mine = byCategory.get(course.category);
    const level = LEVELS.indexOf(course.difficulty_level);
    // The level to take next: one above the highest completed, else the highest taken, else beginner.
    const nextLevel = mine ? (mine.highestCompleted >= 0 ? Math.min(mine.highestCompleted + 1, 2) : mine.highestTaken) : 0;
    const signals: Record<RecommendationReason, number> = {
      next_in_path: course.prerequisite_title ? 1 : 0,
      similar_learners: course.peers / maxPeers,
      category_interest: mine && history.length ? mine.count / history.length : 0,
      level_progression: level === nextLevel ? 1 : Math.abs(level - nextLevel) === 1 ? 0.3 : 0,
      highly_rated: course.total_ratings ? (smoothedRating(course.average_rating, course.total_ratings) - 1) / 4 : 0,
      popular: Math.log1p(course.enrollments) / Math.log1p(maxEnrollments),
    };
    let best: RecommendationReason = 'popular';
    let score = 0;
    for (const reason of Object.keys(WEIGHTS) as RecommendationReason[]) {
      const contribution = WEIGHTS[reason] * signals[reason];
      score += contribution;
      if (contribution > WEIGHTS[best] * signals[best]) best = reason;
    }
    const maxScore = Object.values(WEIGHTS).reduce((sum, weight) => sum + weight, 0);
    const previous = mine && mine.highestTaken >= 0 ? LEVELS[mine.highestCompleted >= 0 ? mine.highestCompleted : mine.highestTaken] : undefined;
    return {
      id: course.id,
      score: Math.round((score / maxScore) * 1000) / 1000,
      reasonType: best,
      reason: describe(best, course, previous),
    };
  });
}

async function loadSignals(db: Executor, userId: string): Promise<{ history: HistoryRow[]; candidates: CandidateRow[] }> {
  const [history, candidates] = await Promise.all([
    queryRows<HistoryRow>(
      db,
      sql`
      select c.category, c.difficulty_level, (e.completed_at is not null) as completed
        from course_enrollments e join courses c on c.id = e.course_id
        where e.student_id = ${userId} and e.status = 'active'`,
    ),
    queryRows<CandidateRow>(
      db,
      sql`
      with taken as (
        select course_id, completed_at from course_enrollments where student_id = ${userId}
      ),
      peers as (
        select distinct e.student_id from course_enrollments e
          where e.course_id in (select course_id from taken) and e.student_id <> ${userId} and e.status = 'active'
          limit ${PEER_SAMPLE}
      ),
      peer_courses as (
        select e.course_id, count(*)::int as peers from course_enrollments e
          where e.student_id in (select student_id from peers) and e.status = 'active'
          group by e.course_id
      )
      select c.id, c.title, c.category, c.difficulty_level,
          (select p.title from course_prerequisites cp join courses p on p.id = cp.prerequisite_id
             where cp.course_id = c.id order by p.title limit 1) as prerequisite_title,
          coalesce(pc.peers, 0) as peers,
          coalesce((select avg(r.rating)::float8 from course_ratings r where r.course_id = c.id), 0) as average_rating,
          (select count(*)::int from course_ratings r where r.course_id = c.id) as total_ratings,
          (select count(*)::int from course_enrollments e where e.course_id = c.id and e.status = 'active') as enrollments
        from courses c
        left join peer_courses pc on pc.course_id = c.id
        where c.instructor_id <> ${userId}
          and not exists (select 1 from taken t where t.course_id = c.id)
          and not exists (
            select 1 from course_prerequisites cp
              where cp.course_id = c.id
                and not exists (select 1 from taken t where t.course_id = cp.prerequisite_id and t.completed_at is not null)
          )`,
    ),
  ]);
  return { history, candidates };
}

export function createRecommendationsService({ db }: { db: Database }) {
  return {
    async forUser(userId: string, limit: number): Promise<Recommendation[]> {
      const { history, candidates } = await loadSignals(db, userId);
      const top = scoreCandidates(history, candidates)
        .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id))
        .slice(0, limit);
      if (top.length === 0) return [];
      const rows = await db
        .select({ course: courses, instructor: instructorColumns, ...courseCounts })
        .from(courses)
        .innerJoin(users, eq(users.id, courses.instructorId))
        .where(
          inArray(
            courses.id,
            top.map((entry) => entry.id),
          ),
        );
      const items = new Map(rows.map((row) => [row.course.id, presentCourseListItem(row.course, row.instructor, row)]));
      return top.flatMap((entry) => {
        const item = items.get(entry.id);
        return item ? [{ ...item, reason: entry.reason, reasonType: entry.reasonType, score: entry.score }] : [];
      });
    },
  };
}

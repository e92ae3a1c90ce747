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
/** Enrolments read to draw that sample (a learner shares several courses with some peers). */
const PEER_SCAN_FACTOR = 4;

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

const REASONS = Object.keys(WEIGHTS) as RecommendationReason[];
const MAX_SCORE = Object.values(WEIGHTS).reduce((sum, weight) => sum + weight, 0);

/** Best first; equal scores by course id, so that the order is stable. */
const better = (a: { score: number; id: string }, b: { score: number; id: string }): number => b.score - a.score || a.id.localeCompare(b.id);

/**
 * The `limit` best candidates with their main reason. Every candidate is scored, but only the best are
 * kept and described: ranking thousands of courses must not build a sentence or sort for each.
 */
export function rankCandidates(
  history: HistoryRow[],
  candidates: readonly Omit<CandidateRow, 'peers'>[],
  peersOf: ReadonlyMap<string, number>,
  limit: number,
): Scored[] {
  const byCategory = new Map<string, { count: number; highestCompleted: number; highestTaken: number }>();
  for (const row of history) {
    const entry = byCategory.get(row.category) ?? { count: 0, highestCompleted: -1, highestTaken: -1 };
    const level = LEVELS.indexOf(row.difficulty_level);
    entry.count++;
    entry.highestTaken = Math.max(entry.highestTaken, level);
    if (row.completed) entry.highestCompleted = Math.max(entry.highestCompleted, level);
    byCategory.set(row.category, entry);
  }
  let maxPeers = 1;
  let maxEnrollments = 1;
  for (const course of candidates) {
    maxPeers = Math.max(maxPeers, peersOf.get(course.id) ?? 0);
    maxEnrollments = Math.max(maxEnrollments, course.enrollments);
  }
  const logMaxEnrollments = Math.log1p(maxEnrollments);

  const top: { id: string; score: number; reasonType: RecommendationReason; course: Omit<CandidateRow, 'peers'> }[] = [];
  // Reused for every candidate: thousands of them are scored per request.
  const signals: Record<RecommendationReason, number> = {
    next_in_path: 0,
    similar_learners: 0,
    category_interest: 0,
    level_progression: 0,
    highly_rated: 0,
    popular: 0,
  };
  for (const course of candidates) {
    const mine = byCategory.get(course.category);
    const level = LEVELS.indexOf(course.difficulty_level);
    // The level to take next: one above the highest completed, else the highest taken, else beginner.
    const nextLevel = mine ? (mine.highestCompleted >= 0 ? Math.min(mine.highestCompleted + 1, 2) : mine.highestTaken) : 0;
    signals.next_in_path = course.prerequisite_title ? 1 : 0;
    signals.similar_learners = (peersOf.get(course.id) ?? 0) / maxPeers;
    signals.category_interest = mine && history.length ? mine.count / history.length : 0;
    signals.level_progression = level === nextLevel ? 1 : Math.abs(level - nextLevel) === 1 ? 0.3 : 0;
    signals.highly_rated = course.total_ratings ? (smoothedRating(course.average_rating, course.total_ratings) - 1) / 4 : 0;
    signals.popular = Math.log1p(course.enrollments) / logMaxEnrollments;
    let best: RecommendationReason = 'popular';
    let score = 0;
    for (const reason of REASONS) {
      const contribution = WEIGHTS[reason] * signals[reason];
      score += contribution;
      if (contribution > WEIGHTS[best] * signals[best]) best = reason;
    }
    const rounded = Math.round((score / MAX_SCORE) * 1000) / 1000;
    if (top.length === limit && better({ id: course.id, score: rounded }, top[top.length - 1]!) >= 0) continue;
    const entry = { id: course.id, score: rounded, reasonType: best, course };
    let at = top.length;
    while (at > 0 && better(entry, top[at - 1]!) < 0) at--;
    top.splice(at, 0, entry);
    if (top.length > limit) top.pop();
  }

  return top.map(({ id, score, reasonType, course }) => {
    const mine = byCategory.get(course.category);
    const previous = mine && mine.highestTaken >= 0 ? LEVELS[mine.highestCompleted >= 0 ? mine.highestCompleted : mine.highestTaken] : undefined;
    return { id, score, reasonType, reason: describe(reasonType, { ...course, peers: peersOf.get(id) ?? 0 }, previous) };
  });
}

/** What ranking needs of every course: the same for every learner, so it is loaded once and shared. */
interface CatalogueCourse extends Omit<CandidateRow, 'peers'> {
  instructor_id: string;
  prerequisite_ids: string[];
}

export interface CandidateCatalogue {
  courses: CatalogueCourse[];
}

/** Every course with its prerequisites and counts (kept by triggers in course_stats). */
export async function loadCandidateCatalogue(db: Executor): Promise<CandidateCatalogue> {
  const courses = await queryRows<CatalogueCourse>(
    db,
    sql`
    select c.id, c.title, c.category, c.difficulty_level, c.instructor_id,
        coalesce((select array_agg(cp.prerequisite_id::text) from course_prerequisites cp where cp.course_id = c.id), '{}') as prerequisite_ids,
        (select p.title from course_prerequisites cp join courses p on p.id = cp.prerequisite_id
           where cp.course_id = c.id order by p.title limit 1) as prerequisite_title,
        coalesce((s.rating_sum::numeric / nullif(s.rating_count, 0))::float8, 0) as average_rating,
        coalesce(s.rating_count, 0) as total_ratings,
        coalesce(s.active_enrollments, 0) as enrollments
      from courses c
      left join course_stats s on s.course_id = c.id`,
  );
  return { courses };
}

/** Loads the shared catalogue, or returns a copy kept since (see http/public-cache.ts). */
export type CatalogueSource = (load: () => Promise<CandidateCatalogue>) => Promise<CandidateCatalogue>;

interface LearnerRow {
  kind: 'taken' | 'peer';
  course_id: string;
  completed: boolean;
  peers: number;
}

/**
 * The learner's own signals, each bounded whatever the size of the platform: the courses they took,
 * and how many of a sample of learners sharing those courses took each other course.
 */
async function loadSignals(
  db: Executor,
  userId: string,
  catalogue: Promise<CandidateCatalogue>,
): Promise<{ history: HistoryRow[]; candidates: CatalogueCourse[]; peers: Map<string, number> }> {
  const [history, learner, { courses: all }] = await Promise.all([
    queryRows<HistoryRow>(
      db,
      sql`
      select c.category, c.difficulty_level, (e.completed_at is not null) as completed
        from course_enrollments e join courses c on c.id = e.course_id
        where e.student_id = ${userId} and e.status = 'active'`,
    ),
    queryRows<LearnerRow>(
      db,
      sql`
      with taken as (
        select course_id, completed_at from course_enrollments where student_id = ${userId}
      ),
      -- The sample is drawn from a bounded number of enrolments: a popular course has thousands, and
      -- reading them all on every request would make recommendations slower as the platform grows.
      peers as (
        select distinct sampled.student_id from (
          select e.student_id from course_enrollments e
            where e.course_id in (select course_id from taken) and e.student_id <> ${userId} and e.status = 'active'
            limit ${PEER_SAMPLE * PEER_SCAN_FACTOR}
        ) sampled
        limit ${PEER_SAMPLE}
      ),
      peer_courses as (
        select e.course_id, count(*)::int as peers from course_enrollments e
          where e.student_id in (select student_id from peers) and e.status = 'active'
          group by e.course_id
      )
      select 'taken' as kind, course_id, (completed_at is not null) as completed, 0 as peers from taken
      union all
      select 'peer' as kind, course_id, false as completed, peers from peer_courses`,
    ),
    catalogue,
  ]);
  const taken = new Set<string>();
  const completed = new Set<string>();
  const peers = new Map<string, number>();
  for (const row of learner) {
    if (row.kind === 'peer') peers.set(row.course_id, row.peers);
    else {
      taken.add(row.course_id);
      if (row.completed) completed.add(row.course_id);
    }
  }
  // Candidates: never taken, not taught by the learner, every prerequisite completed.
  const candidates = all.filter(
    (course) => course.instructor_id !== userId && !taken.has(course.id) && course.prerequisite_ids.every((id) => completed.has(id)),
  );
  return { history, candidates, peers };
}

/**
 * `catalogue` keeps the course-level part between requests (the app passes its public cache, which
 * drops it on any change to courses, prerequisites, enrolments or ratings); without it, it is loaded
 * on every request.
 */
export function createRecommendationsService({ db, catalogue }: { db: Database; catalogue?: CatalogueSource }) {
  const shared = (): Promise<CandidateCatalogue> => (catalogue ? catalogue(() => loadCandidateCatalogue(db)) : loadCandidateCatalogue(db));
  return {
    async forUser(userId: string, limit: number): Promise<Recommendation[]> {
      const { history, candidates, peers } = await loadSignals(db, userId, shared());
      const top = rankCandidates(history, candidates, peers, limit);
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

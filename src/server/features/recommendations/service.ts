// Course recommendations. Candidates are courses the learner has never enrolled in, does not teach,
// and may enrol in now (every prerequisite completed). Each is scored on weighted signals: a next
// step in a prerequisite path, what learners sharing the learner's courses took, interest in the
// category, the right next level, ratings and popularity. With no history the last two lead, so a
// brand-new learner gets well-rated, popular beginner courses.
import { eq, sql } from 'drizzle-orm';
import type { DifficultyLevel } from '../../../contract/common.js';
import type { Recommendation, RecommendationReason } from '../../../contract/recommendations.js';
import { arrayLiteral, type Database, type Executor, queryRows } from '../../db/client.js';
import { reusableQuery } from '../../db/reusable-queries.js';
import { courses, users } from '../../db/schema.js';
import { courseCounts, instructorColumns } from '../courses/catalogue.js';
import { presentCourseListItem } from '../courses/presenter.js';

const LEVELS: readonly DifficultyLevel[] = ['beginner', 'intermediate', 'advanced'];
/**
 * The learner's courses whose neighbours count for "similar learners" (the most recently joined): a
 * learner enrolled in hundreds would otherwise make the statement that many times dearer.
 */
const SOURCE_COURSES = 20;
/** The strongest neighbours read per source course (courses sharing the most learners with it). */
const NEIGHBOURS_READ = 40;

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
  peer: PeerReason;
  average_rating: number;
  total_ratings: number;
  enrollments: number;
}

/** What a "similar learners" reason says: how many, and the learner's course they share when known. */
interface PeerReason {
  learners: number;
  alsoTook?: string;
}

/** The learner's course sharing the most learners with a recommended one, and how many it shares. */
export interface StrongestSource {
  courseId: string;
  learners: number;
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
    case 'similar_learners': {
      const { learners, alsoTook } = course.peer;
      const who = `${learners} ${learners === 1 ? 'learner' : 'learners'}`;
      return alsoTook ? `Taken by ${who} who also took "${alsoTook}"` : `Taken by ${who} who share your courses`;
    }
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

type RankedCourse = Omit<CandidateRow, 'peer'>;

interface CategoryHistory {
  count: number;
  highestCompleted: number;
  highestTaken: number;
}

/** What scoring needs of the learner and of the candidate set as a whole. */
interface RankContext {
  byCategory: Map<string, CategoryHistory>;
  historyLength: number;
  peersOf: ReadonlyMap<string, number>;
  maxPeers: number;
  logMaxEnrollments: number;
  /** The course a "similar learners" reason names, when known. */
  peerReasonOf?: (courseId: string) => PeerReason | undefined;
}

function categoryHistory(history: HistoryRow[]): Map<string, CategoryHistory> {
  const byCategory = new Map<string, CategoryHistory>();
  for (const row of history) {
    const entry = byCategory.get(row.category) ?? { count: 0, highestCompleted: -1, highestTaken: -1 };
    const level = LEVELS.indexOf(row.difficulty_level);
    entry.count++;
    entry.highestTaken = Math.max(entry.highestTaken, level);
    if (row.completed) entry.highestCompleted = Math.max(entry.highestCompleted, level);
    byCategory.set(row.category, entry);
  }
  return byCategory;
}

/** The signals that depend only on a course's category and level (the learner's interest and level). */
function placementSignals(context: RankContext, category: string, level: number): { categoryInterest: number; levelProgression: number } {
  const mine = context.byCategory.get(category);
  // The level to take next: one above the highest completed, else the highest taken, else beginner.
  const nextLevel = mine ? (mine.highestCompleted >= 0 ? Math.min(mine.highestCompleted + 1, 2) : mine.highestTaken) : 0;
  return {
    categoryInterest: mine && context.historyLength ? mine.count / context.historyLength : 0,
    levelProgression: level === nextLevel ? 1 : Math.abs(level - nextLevel) === 1 ? 0.3 : 0,
  };
}

const highlyRated = (course: RankedCourse): number =>
  course.total_ratings ? (smoothedRating(course.average_rating, course.total_ratings) - 1) / 4 : 0;

// Reused for every candidate scored.
const signals: Record<RecommendationReason, number> = {
  next_in_path: 0,
  similar_learners: 0,
  category_interest: 0,
  level_progression: 0,
  highly_rated: 0,
  popular: 0,
};

/** The course's score (0 to 1, rounded) and its strongest signal. */
function scoreCourse(course: RankedCourse, context: RankContext): { score: number; reasonType: RecommendationReason } {
  const placement = placementSignals(context, course.category, LEVELS.indexOf(course.difficulty_level));
  signals.next_in_path = course.prerequisite_title ? 1 : 0;
  signals.similar_learners = (context.peersOf.get(course.id) ?? 0) / context.maxPeers;
  signals.category_interest = placement.categoryInterest;
  signals.level_progression = placement.levelProgression;
  signals.highly_rated = highlyRated(course);
  signals.popular = Math.log1p(course.enrollments) / context.logMaxEnrollments;
  let best: RecommendationReason = 'popular';
  let score = 0;
  for (const reason of REASONS) {
    const contribution = WEIGHTS[reason] * signals[reason];
    score += contribution;
    if (contribution > WEIGHTS[best] * signals[best]) best = reason;
  }
  return { score: Math.round((score / MAX_SCORE) * 1000) / 1000, reasonType: best };
}

/** The `limit` best courses offered, best first. */
class TopCourses {
  readonly entries: { id: string; score: number; reasonType: RecommendationReason; course: RankedCourse }[] = [];
  constructor(private readonly limit: number) {}

  get full(): boolean {
    return this.entries.length === this.limit;
  }

  /** The score a course must beat to get in, once full. */
  get lowest(): number {
    return this.entries[this.entries.length - 1]?.score ?? 0;
  }

  offer(course: RankedCourse, context: RankContext): void {
    const { score, reasonType } = scoreCourse(course, context);
    if (this.full && better({ id: course.id, score }, this.entries[this.entries.length - 1]!) >= 0) return;
    const entry = { id: course.id, score, reasonType, course };
    let at = this.entries.length;
    while (at > 0 && better(entry, this.entries[at - 1]!) < 0) at--;
    this.entries.splice(at, 0, entry);
    if (this.entries.length > this.limit) this.entries.pop();
  }

  /** Each kept course with its reason in words (only these are described). */
  describe(context: RankContext): Scored[] {
    return this.entries.map(({ id, score, reasonType, course }) => {
      const mine = context.byCategory.get(course.category);
      const previous = mine && mine.highestTaken >= 0 ? LEVELS[mine.highestCompleted >= 0 ? mine.highestCompleted : mine.highestTaken] : undefined;
      const peer = context.peerReasonOf?.(id) ?? { learners: context.peersOf.get(id) ?? 0 };
      return { id, score, reasonType, reason: describe(reasonType, { ...course, peer }, previous) };
    });
  }
}

/**
 * The `limit` best candidates with their main reason, every candidate scored: the reference that
 * rankFromCatalogue must agree with.
 */
export function rankCandidates(
  history: HistoryRow[],
  candidates: readonly RankedCourse[],
  peersOf: ReadonlyMap<string, number>,
  limit: number,
): Scored[] {
  let maxPeers = 1;
  let maxEnrollments = 1;
  for (const course of candidates) {
    maxPeers = Math.max(maxPeers, peersOf.get(course.id) ?? 0);
    maxEnrollments = Math.max(maxEnrollments, course.enrollments);
  }
  const context: RankContext = {
    byCategory: categoryHistory(history),
    historyLength: history.length,
    peersOf,
    maxPeers,
    logMaxEnrollments: Math.log1p(maxEnrollments),
  };
  const top = new TopCourses(limit);
  for (const course of candidates) top.offer(course, context);
  return top.describe(context);
}

/** What ranking needs of every course: the same for every learner, so it is loaded once and shared. */
interface CatalogueCourse extends RankedCourse {
  instructor_id: string;
  prerequisite_ids: string[];
}

/** Courses without prerequisites of one category and level, best first by rating and popularity. */
interface PlacementGroup {
  category: string;
  level: number;
  courses: CatalogueCourse[];
  /** Each course's rating and popularity part of the score, against the most enrolled course of all. */
  ratingAndPopularity: number[];
}

export interface CandidateCatalogue {
  courses: CatalogueCourse[];
  byId: Map<string, CatalogueCourse>;
  /** Most enrolled first. */
  byEnrollments: CatalogueCourse[];
  /** The courses that have a prerequisite, under each of their prerequisites. */
  dependents: Map<string, CatalogueCourse[]>;
  groups: PlacementGroup[];
  /** log1p of the most enrolments of any course (at least 1). */
  logMaxEnrollments: number;
}

const ratingAndPopularity = (course: RankedCourse, logMaxEnrollments: number): number =>
  WEIGHTS.highly_rated * highlyRated(course) + WEIGHTS.popular * (Math.log1p(course.enrollments) / logMaxEnrollments);

/** The indexes that let a request rank a bounded number of courses, whatever the catalogue's size. */
export function indexCatalogue(courses: CatalogueCourse[]): CandidateCatalogue {
  const byEnrollments = [...courses].sort((a, b) => b.enrollments - a.enrollments);
  const logMaxEnrollments = Math.log1p(Math.max(1, byEnrollments[0]?.enrollments ?? 0));
  const dependents = new Map<string, CatalogueCourse[]>();
  const groups = new Map<string, { category: string; level: number; courses: { course: CatalogueCourse; part: number }[] }>();
  for (const course of courses) {
    for (const prerequisite of course.prerequisite_ids) {
      const list = dependents.get(prerequisite) ?? [];
      list.push(course);
      dependents.set(prerequisite, list);
    }
    if (course.prerequisite_ids.length) continue;
    const level = LEVELS.indexOf(course.difficulty_level);
    const key = `${level}:${course.category}`;
    const group = groups.get(key) ?? { category: course.category, level, courses: [] };
    group.courses.push({ course, part: ratingAndPopularity(course, logMaxEnrollments) });
    groups.set(key, group);
  }
  return {
    courses,
    byId: new Map(courses.map((course) => [course.id, course])),
    byEnrollments,
    dependents,
    groups: [...groups.values()].map(({ category, level, courses: members }) => {
      members.sort((a, b) => b.part - a.part);
      return { category, level, courses: members.map((m) => m.course), ratingAndPopularity: members.map((m) => m.part) };
    }),
    logMaxEnrollments,
  };
}

/** Guards the early stop against floating-point differences between a bound and a computed score. */
const BOUND_SLACK = 1e-9;

/**
 * The same ranking as rankCandidates over every candidate, reading a bounded number of courses: the
 * learner's peer courses and next steps in full, then each (category, level) group best first, only
 * until no course left in it can enter the top. A course of a group without peers or prerequisites
 * scores its group's part plus its rating and popularity part, which is what the group is sorted by.
 */
export function rankFromCatalogue(
  catalogue: CandidateCatalogue,
  learner: { userId: string; history: HistoryRow[]; taken: ReadonlySet<string>; completed: ReadonlySet<string> },
  peersOf: ReadonlyMap<string, number>,
  limit: number,
  strongestSources?: ReadonlyMap<string, StrongestSource>,
): Scored[] {
  const { taken, completed, userId } = learner;
  const isCandidate = (course: CatalogueCourse) =>
    course.instructor_id !== userId && !taken.has(course.id) && course.prerequisite_ids.every((id) => completed.has(id));
  // The normalisers are taken over the candidates, as when every candidate is scored.
  let maxEnrollments = 1;
  for (const course of catalogue.byEnrollments) {
    if (!isCandidate(course)) continue;
    maxEnrollments = Math.max(1, course.enrollments);
    break;
  }
  let maxPeers = 1;
  const peerCourses: CatalogueCourse[] = [];
  for (const [id, count] of peersOf) {
    const course = catalogue.byId.get(id);
    if (!course || !isCandidate(course)) continue;
    peerCourses.push(course);
    maxPeers = Math.max(maxPeers, count);
  }
  const context: RankContext = {
    byCategory: categoryHistory(learner.history),
    historyLength: learner.history.length,
    peersOf,
    maxPeers,
    logMaxEnrollments: Math.log1p(maxEnrollments),
    peerReasonOf: (courseId) => {
      const source = strongestSources?.get(courseId);
      const alsoTook = source && catalogue.byId.get(source.courseId)?.title;
      return source && alsoTook ? { learners: source.learners, alsoTook } : undefined;
    },
  };
  const top = new TopCourses(limit);
  const scored = new Set<string>();
  const offer = (course: CatalogueCourse) => {
    if (scored.has(course.id)) return;
    scored.add(course.id);
    top.offer(course, context);
  };
  peerCourses.forEach(offer);
  for (const id of completed) {
    for (const course of catalogue.dependents.get(id) ?? []) if (isCandidate(course)) offer(course);
  }
  // A group's parts were computed against the most enrolled course of all; against the learner's
  // candidates (a smaller maximum) a course's popularity part is at most this much higher.
  const popularityGap = WEIGHTS.popular * (1 - context.logMaxEnrollments / catalogue.logMaxEnrollments);
  for (const group of catalogue.groups) {
    const placement = placementSignals(context, group.category, group.level);
    const groupPart = WEIGHTS.category_interest * placement.categoryInterest + WEIGHTS.level_progression * placement.levelProgression;
    for (let i = 0; i < group.courses.length; i++) {
      if (top.full) {
        const bound = (groupPart + group.ratingAndPopularity[i]! + popularityGap) / MAX_SCORE + BOUND_SLACK;
        if (Math.round(bound * 1000) / 1000 < top.lowest) break;
      }
      const course = group.courses[i]!;
      if (isCandidate(course)) offer(course);
    }
  }
  return top.describe(context);
}

/** Every course with its prerequisites and counts (kept by triggers in course_stats), indexed for ranking. */
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
  return indexCatalogue(courses);
}

/** Loads the shared catalogue, or returns a copy kept since (see http/public-cache.ts). */
export type CatalogueSource = (load: () => Promise<CandidateCatalogue>) => Promise<CandidateCatalogue>;

interface LearnerRow {
  kind: 'taken' | 'peer';
  course_id: string;
  completed: boolean;
  peers: number;
  via: string | null;
  via_learners: number;
}

interface LearnerSignals {
  history: HistoryRow[];
  taken: Set<string>;
  completed: Set<string>;
  /** Per course: the learners sharing one of the learner's courses who took it (summed over those courses). */
  peers: Map<string, number>;
  strongestSources: Map<string, StrongestSource>;
  catalogue: CandidateCatalogue;
}

/**
 * The learner's own signals, each bounded whatever the size of the platform: the courses they took,
 * and the courses sharing the most learners with their most recent ones (course_co_enrollments, kept
 * by triggers, so that no other learner's enrolments are read here).
 */
async function loadSignals(db: Executor, userId: string, catalogue: Promise<CandidateCatalogue>): Promise<LearnerSignals> {
  const [history, learner, shared] = await Promise.all([
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
        select course_id, completed_at, status, enrolled_at from course_enrollments where student_id = ${userId}
      ),
      sources as (
        select course_id from taken where status = 'active' order by enrolled_at desc, course_id limit ${SOURCE_COURSES}
      ),
      -- One shared learner is chance, not a signal: "learners >= 2" (as written, so that the partial
      -- index course_co_enrollments_strongest_idx serves it).
      neighbours as (
        select strongest.* from sources
          cross join lateral (
            select pair.other_course_id as course_id, pair.learners, pair.course_id as via from course_co_enrollments pair
              where pair.course_id = sources.course_id and pair.learners >= 2
                and pair.other_course_id not in (select course_id from taken)
              order by pair.learners desc
              limit ${NEIGHBOURS_READ}
          ) strongest
      ),
      peer_courses as (
        select course_id, sum(learners)::int as peers,
            (array_agg(via order by learners desc, via))[1] as via, max(learners) as via_learners
          from neighbours group by course_id
      )
      select 'taken' as kind, course_id, (completed_at is not null) as completed, 0 as peers, null::uuid as via, 0 as via_learners from taken
      union all
      select 'peer' as kind, course_id, false as completed, peers, via, via_learners from peer_courses`,
    ),
    catalogue,
  ]);
  const taken = new Set<string>();
  const completed = new Set<string>();
  const peers = new Map<string, number>();
  const strongestSources = new Map<string, StrongestSource>();
  for (const row of learner) {
    if (row.kind === 'peer') {
      peers.set(row.course_id, row.peers);
      if (row.via) strongestSources.set(row.course_id, { courseId: row.via, learners: row.via_learners });
    } else {
      taken.add(row.course_id);
      if (row.completed) completed.add(row.course_id);
    }
  }
  return { history, taken, completed, peers, strongestSources, catalogue: shared };
}

/** The recommended courses as the catalogue lists them. */
const recommendedCourses = reusableQuery('recommended_courses', (db) =>
  db
    .select({ course: courses, instructor: instructorColumns, ...courseCounts })
    .from(courses)
    .innerJoin(users, eq(users.id, courses.instructorId))
    .where(sql`${courses.id} = any(${sql.placeholder('courseIds')}::uuid[])`),
);

/**
 * `catalogue` keeps the course-level part between requests (the app passes its public cache, which
 * drops it on any change to courses, prerequisites, enrolments or ratings); without it, it is loaded
 * on every request.
 */
export function createRecommendationsService({ db, catalogue }: { db: Database; catalogue?: CatalogueSource }) {
  const shared = (): Promise<CandidateCatalogue> => (catalogue ? catalogue(() => loadCandidateCatalogue(db)) : loadCandidateCatalogue(db));
  return {
    async forUser(userId: string, limit: number): Promise<Recommendation[]> {
      const { history, taken, completed, peers, strongestSources, catalogue: indexed } = await loadSignals(db, userId, shared());
      // Candidates: never taken, not taught by the learner, every prerequisite completed.
      const top = rankFromCatalogue(indexed, { userId, history, taken, completed }, peers, limit, strongestSources);
      if (top.length === 0) return [];
      const rows = await recommendedCourses(db, { courseIds: arrayLiteral(top.map((entry) => entry.id)) });
      const items = new Map(rows.map((row) => [row.course.id, presentCourseListItem(row.course, row.instructor, row)]));
      return top.flatMap((entry) => {
        const item = items.get(entry.id);
        return item ? [{ ...item, reason: entry.reason, reasonType: entry.reasonType, score: entry.score }] : [];
      });
    },
  };
}

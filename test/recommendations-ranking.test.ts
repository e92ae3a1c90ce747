// The bounded ranking (rankFromCatalogue: peer courses, next steps, then each category and level group
// only as far as a course could still enter the top) must give exactly what scoring every candidate
// gives (rankCandidates), on catalogues and learners drawn at random.
import { describe, expect, it } from 'vitest';
import type { DifficultyLevel } from '../src/contract/common.js';
import { indexCatalogue, rankCandidates, rankFromCatalogue } from '../src/server/features/recommendations/service.js';

const LEVELS: DifficultyLevel[] = ['beginner', 'intermediate', 'advanced'];
const CATEGORIES = ['art', 'design', 'language', 'programming', 'science'];

/** A small seeded PRNG (mulberry32), so that a failure can be replayed. */
function prng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function scenario(seed: number) {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const courseCount = 20 + Math.floor(random() * 400);
  const courses = Array.from({ length: courseCount }, (_, i) => {
    const ratings = random() < 0.3 ? 0 : Math.floor(random() * 50);
    return {
      id: `c${String(i).padStart(4, '0')}`,
      title: `Course ${i}`,
      category: pick(CATEGORIES),
      difficulty_level: pick(LEVELS),
      instructor_id: `i${Math.floor(random() * 10)}`,
      prerequisite_ids: [] as string[],
      prerequisite_title: null as string | null,
      // Few distinct values, so that equal scores (ordered by id) are common.
      average_rating: ratings ? 1 + Math.floor(random() * 9) / 2 : 0,
      total_ratings: ratings,
      enrollments: random() < 0.2 ? 0 : Math.floor(random() * (random() < 0.1 ? 5000 : 60)),
    };
  });
  for (const course of courses.slice(courseCount / 2)) {
    if (random() < 0.15) {
      const prerequisites = [pick(courses), ...(random() < 0.3 ? [pick(courses)] : [])].filter((p) => p.id !== course.id);
      course.prerequisite_ids = [...new Set(prerequisites.map((p) => p.id))];
      course.prerequisite_title = prerequisites.map((p) => p.title).sort()[0] ?? null;
    }
  }
  const userId = random() < 0.2 ? 'i1' : 'learner';
  const taken = new Set<string>();
  const completed = new Set<string>();
  const history: { category: string; difficulty_level: DifficultyLevel; completed: boolean }[] = [];
  const takenCount = Math.floor(random() * 8);
  // The most enrolled courses are often taken, so that the candidates' maximum differs from the catalogue's.
  const byEnrollments = [...courses].sort((a, b) => b.enrollments - a.enrollments);
  for (let i = 0; i < takenCount; i++) {
    const course = random() < 0.4 ? byEnrollments[i]! : pick(courses);
    if (taken.has(course.id)) continue;
    taken.add(course.id);
    const done = random() < 0.6;
    if (done) completed.add(course.id);
    history.push({ category: course.category, difficulty_level: course.difficulty_level, completed: done });
  }
  const peers = new Map<string, number>();
  const peerCount = random() < 0.3 ? 0 : Math.floor(random() * 30);
  for (let i = 0; i < peerCount; i++) peers.set(pick(courses).id, 1 + Math.floor(random() * 20));
  return { courses, userId, taken, completed, history, peers, limit: 1 + Math.floor(random() * 25) };
}

describe('recommendation ranking over a bounded candidate set', () => {
  it('agrees with scoring every candidate, order, scores and reasons', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const { courses, userId, taken, completed, history, peers, limit } = scenario(seed);
      const candidates = courses.filter(
        (course) => course.instructor_id !== userId && !taken.has(course.id) && course.prerequisite_ids.every((id) => completed.has(id)),
      );
      const expected = rankCandidates(history, candidates, peers, limit);
      const actual = rankFromCatalogue(indexCatalogue(courses), { userId, history, taken, completed }, peers, limit);
      expect(actual, `seed ${seed}`).toEqual(expected);
    }
  });

  it('recommends nothing when every course is taken or taught', () => {
    const course = {
      id: 'only',
      title: 'Only',
      category: 'art',
      difficulty_level: 'beginner' as const,
      instructor_id: 'teacher',
      prerequisite_ids: [],
      prerequisite_title: null,
      average_rating: 4,
      total_ratings: 3,
      enrollments: 10,
    };
    const catalogue = indexCatalogue([course]);
    const learner = { history: [], taken: new Set<string>(), completed: new Set<string>() };
    expect(rankFromCatalogue(catalogue, { ...learner, userId: 'teacher' }, new Map(), 5)).toEqual([]);
    expect(rankFromCatalogue(catalogue, { ...learner, userId: 'someone', taken: new Set(['only']) }, new Map(), 5)).toEqual([]);
    expect(rankFromCatalogue(catalogue, { ...learner, userId: 'someone' }, new Map(), 5)).toHaveLength(1);
  });
});

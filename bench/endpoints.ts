// The HTTP targets: public reads, per-user reads and the two writes, each at 64 connections.
import type pg from 'pg';
import type { SignedIn } from './lib/http.js';
import { type LoadResult, runLoad } from './lib/load.js';
import type { WritePair } from './lib/fixtures.js';

export const CONNECTIONS = 64;

/** Catalogue pages as the web app asks for them: filters, search, sorts, later pages. */
export const CATALOGUE_PATHS = [
  '/api/courses?page=1&limit=20',
  '/api/courses?category=programming&difficulty=beginner&sort=rating&limit=20',
  '/api/courses?category=design&sort=popular&limit=20',
  '/api/courses?search=typescript&limit=20',
  '/api/courses?difficulty=advanced&sort=newest&page=2&limit=20',
  '/api/courses?sort=title&page=3&limit=10',
  '/api/courses?category=science&limit=50',
  '/api/courses?sort=popular&limit=20',
];

export const detailsPaths = (courseIds: readonly string[]) => courseIds.map((id) => `/api/courses/${id}`);

export interface Target {
  url: string;
  pid: number;
  durationSeconds: number;
}

/** The same paths in turn on every connection (anonymous). */
export function runPublic(target: Target, title: string, paths: readonly string[]): Promise<LoadResult> {
  let next = 0;
  return runLoad({
    title,
    url: target.url,
    connections: CONNECTIONS,
    durationSeconds: target.durationSeconds,
    pid: target.pid,
    next: () => ({ path: paths[next++ % paths.length]! }),
  });
}

export interface Reader extends SignedIn {
  courseId: string;
}

export const PER_USER_ENDPOINTS: { name: string; path: (reader: Reader) => string }[] = [
  { name: 'profile', path: (r) => `/api/users/${r.userId}/profile` },
  { name: 'student analytics', path: () => '/api/analytics?period=month' },
  { name: 'course progress', path: (r) => `/api/courses/${r.courseId}/progress` },
  { name: 'recommendations', path: () => '/api/recommendations?limit=5' },
];

/** One signed-in student per connection, each asking for its own data. */
export function runPerUser(target: Target, title: string, readers: readonly Reader[], path: (reader: Reader) => string): Promise<LoadResult> {
  return runLoad({
    title,
    url: target.url,
    connections: CONNECTIONS,
    durationSeconds: target.durationSeconds,
    pid: target.pid,
    next: (connection) => {
      const reader = readers[connection % readers.length]!;
      return { path: path(reader), headers: { authorization: `Bearer ${reader.token}` } };
    },
  });
}

export interface WriteResult extends LoadResult {
  verification: {
    /** Writes answered 201, and how many of them are in the database (none may be missing). */
    confirmed: number;
    found: number;
    /** Rows added in all: the confirmed ones plus requests still in flight when the run stopped. */
    added: number;
    unanswered: number;
    duplicates: number;
    ok: boolean;
  };
}

/**
 * The per-user endpoints in turn: what is compiled, prepared or loaded on first use (the code paths,
 * the prepared statements, recommendations' shared course list) is ready before any of them is measured.
 */
export function warmUpPerUser(target: Target, title: string, readers: readonly Reader[]): Promise<LoadResult> {
  let sent = 0;
  return runPerUser(target, title, readers, (reader) => PER_USER_ENDPOINTS[sent++ % PER_USER_ENDPOINTS.length]!.path(reader));
}

type WriteKind = 'lesson completion' | 'assignment submission';

interface WriteSpec {
  path: string;
  body: (pair: WritePair) => string;
  /** Rows in the written state, of the given students. */
  count: string;
  /** Of the given (student, target) pairs, how many are in the written state. */
  found: string;
  duplicates: string;
}

const WRITES: Record<WriteKind, WriteSpec> = {
  'lesson completion': {
    path: '/api/lessons/complete',
    body: (pair) => JSON.stringify({ lessonId: pair.targetId, timeSpent: 12 }),
    count: 'select count(*)::int as n from lesson_completions where student_id = any($1::uuid[])',
    found: `select count(*)::int as n from lesson_completions c
              join unnest($1::uuid[], $2::uuid[]) as p(student_id, lesson_id) on c.student_id = p.student_id and c.lesson_id = p.lesson_id`,
    duplicates: `select count(*)::int as n from (select 1 from lesson_completions where student_id = any($1::uuid[])
                  group by student_id, lesson_id having count(*) > 1) d`,
  },
  'assignment submission': {
    path: '/api/assignments/submit',
    body: (pair) => JSON.stringify({ assignmentId: pair.targetId, submissionContent: 'Benchmark submission: the solution and its tests.' }),
    // Enrolment made a not_started row per assignment: a submission moves it to submitted.
    count: `select count(*)::int as n from assignment_submissions where student_id = any($1::uuid[]) and status = 'submitted'`,
    found: `select count(*)::int as n from assignment_submissions s
              join unnest($1::uuid[], $2::uuid[]) as p(student_id, assignment_id) on s.student_id = p.student_id and s.assignment_id = p.assignment_id
             where s.status = 'submitted'`,
    duplicates: `select count(*)::int as n from (select 1 from assignment_submissions where student_id = any($1::uuid[])
                  group by student_id, assignment_id having count(*) > 1) d`,
  },
};

/**
 * Each request writes a pair not written before; the run stops when the pairs run out or the time is
 * up. Afterwards, with SQL: every write answered 201 is there exactly once, and nothing else was added
 * but the requests still in flight when the run stopped.
 */
export async function runWrites(
  target: Target,
  kind: WriteKind,
  pairs: readonly WritePair[],
  writers: readonly SignedIn[],
  client: pg.Client,
): Promise<WriteResult> {
  const spec = WRITES[kind];
  const tokens = new Map(writers.map((w) => [w.userId, w.token]));
  const studentIds = writers.map((w) => w.userId);
  const countRows = async () => (await client.query<{ n: number }>(spec.count, [studentIds])).rows[0]!.n;
  const before = await countRows();
  const confirmed: WritePair[] = [];
  let next = 0;
  const result = await runLoad({
    title: kind,
    url: target.url,
    connections: CONNECTIONS,
    durationSeconds: target.durationSeconds,
    pid: target.pid,
    next: () => {
      const pair = pairs[next++];
      if (!pair) return null;
      return {
        method: 'POST',
        path: spec.path,
        body: spec.body(pair),
        headers: { authorization: `Bearer ${tokens.get(pair.studentId)}` },
        tag: pair,
      };
    },
    onResponse: (status, tag) => {
      if (status === 201 && tag) confirmed.push(tag as WritePair);
    },
  });
  // Requests in flight when the run stopped finish on the server a moment later.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const added = (await countRows()) - before;
  const found = (await client.query<{ n: number }>(spec.found, [confirmed.map((p) => p.studentId), confirmed.map((p) => p.targetId)])).rows[0]!.n;
  const duplicates = (await client.query<{ n: number }>(spec.duplicates, [studentIds])).rows[0]!.n;
  const sent = Math.min(next, pairs.length);
  const unanswered = added - confirmed.length;
  return {
    ...result,
    verification: {
      confirmed: confirmed.length,
      found,
      added,
      unanswered,
      duplicates,
      ok: found === confirmed.length && duplicates === 0 && unanswered >= 0 && unanswered <= sent - confirmed.length,
    },
  };
}

// The load benchmark. Starts the app on the generated database and measures every target of the
// performance issue; writes bench/results/<size>.json and bench/RESULTS.md.
//
//   npm run bench -- [--size small|large] [--quick] [--database-url postgres://...] [--no-growth]
import { execSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { measureCeiling } from './ceiling.js';
import { measureEmbeddedStart } from './embedded.js';
import { measureEventCommits } from './event-commits.js';
import { CATALOGUE_PATHS, detailsPaths, PER_USER_ENDPOINTS, type Reader, runPerUser, runPublic, runWrites, type Target, warmUpPerUser } from './endpoints.js';
import { explainEndpoints } from './explain.js';
import { type BenchOptions, defaultDatabaseUrl, parseOptions } from './lib/cli.js';
import { datasetCounts } from './lib/dataset.js';
import {
  activeCourseOf,
  type CourseRef,
  courseWithAudience,
  enrolWriters,
  openAssignments,
  openLessons,
  pickCourses,
  spreadStudents,
  studentsOfCourse,
  waitForQueuedNotifications,
  withClient,
  withdrawEnrolmentsSince,
} from './lib/fixtures.js';
import { signIn, signInMany, type SignedIn } from './lib/http.js';
import type { LoadResult } from './lib/load.js';
import { type RunningServer, startServer } from './lib/server.js';
import { measureCapacity, measureFanOut, measureIdleConnections } from './realtime.js';
import { type BenchResults, writeReport } from './report.js';

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
// The connections each server under test opens to PostgreSQL (DATABASE_POOL_SIZE); 16 unless set.
const PG_POOL_SIZE = process.env.BENCH_DATABASE_POOL_SIZE ?? '16';

const log = (text: string) => process.stderr.write(`${text}\n`);

function machine() {
  const pgVersion = (() => {
    try {
      return execSync(`psql -At -h 127.0.0.1 -U postgres -c "show server_version"`, { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })();
  return {
    nproc: Number(execSync('nproc', { encoding: 'utf8' }).trim()),
    cpu: cpus()[0]?.model ?? 'unknown',
    ramGb: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    postgres: pgVersion,
  };
}

async function appServer(databaseUrl: string, extraEnv: Record<string, string> = {}): Promise<RunningServer> {
  return startServer({ env: { DATABASE_URL: databaseUrl, DATABASE_POOL_SIZE: PG_POOL_SIZE, ...extraEnv } });
}

/** The per-user readers: students spread over the dataset, each with one of its active courses. */
async function signInReaders(server: RunningServer, databaseUrl: string, size: BenchOptions['size'], count: number): Promise<Reader[]> {
  const signedIn = await signInMany(server.url, spreadStudents(datasetCounts(size), count));
  const courses = await withClient(databaseUrl, (client) => activeCourseOf(client, signedIn.map((s) => s.userId)));
  return signedIn.filter((s) => courses.has(s.userId)).map((s) => ({ ...s, courseId: courses.get(s.userId)! }));
}

async function perUserRuns(target: Target, readers: Reader[], suffix: string): Promise<Record<string, LoadResult>> {
  const results: Record<string, LoadResult> = {};
  for (const endpoint of PER_USER_ENDPOINTS) {
    results[endpoint.name] = await runPerUser(target, `${endpoint.name}${suffix}`, readers, endpoint.path);
  }
  return results;
}

/** The per-user endpoints on the large dataset and on the small one, alternating. */
async function perUserGrowthRuns(large: Target, largeReaders: Reader[], duration: number) {
  const smallUrl = defaultDatabaseUrl('small');
  log(`   (alternating with the small dataset at ${smallUrl}, for the growth ratio)`);
  const server = await appServer(smallUrl);
  try {
    const smallReaders = await signInReaders(server, smallUrl, 'small', 64);
    const small: Target = { url: server.url, pid: server.pid, durationSeconds: duration };
    await warmUpPerUser({ ...small, durationSeconds: 2 }, 'warm-up (small)', smallReaders);
    const result = { large: {} as Record<string, LoadResult>, small: {} as Record<string, LoadResult> };
    for (const endpoint of PER_USER_ENDPOINTS) {
      result.large[endpoint.name] = await runPerUser(large, endpoint.name, largeReaders, endpoint.path);
      result.small[endpoint.name] = await runPerUser(small, `${endpoint.name} (small)`, smallReaders, endpoint.path);
    }
    return result;
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), { size: 'large' });
  const only = onlySections(process.argv.slice(2));
  const want = (section: Section) => !only || only.includes(section);
  const duration = options.quick ? 3 : 10;
  const growthWanted = options.size === 'large' && options.growth && want('growth');
  const started = Date.now();
  const results: BenchResults = {
    date: new Date().toISOString(),
    size: options.size,
    quick: options.quick,
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine: machine(),
    durationSeconds: duration,
    connections: 64,
    reads: {},
    ceiling: {},
    perUser: {},
    perUserGrowth: null,
    writes: {},
    eventCommits: [],
    explain: [],
    realtime: null,
    embedded: null,
    generation: readGeneration(options.size),
    notes: [],
  };
  mkdirSync(RESULTS_DIR, { recursive: true });

  log(`== ${options.size} dataset at ${options.databaseUrl}`);
  if (SERVER_SECTIONS.some(want)) {
    let server = await appServer(options.databaseUrl);
    try {
      const target: Target = { url: server.url, pid: server.pid, durationSeconds: duration };
      const courses = await withClient(options.databaseUrl, (client) => pickCourses(client, 40));
      const details = detailsPaths(courses.map((c) => c.id));

      if (want('reads')) {
        log('-- public reads (anonymous), then the same bytes from a bare node:http server');
        await runPublic({ ...target, durationSeconds: 2 }, 'warm-up', [...CATALOGUE_PATHS, ...details]);
        results.reads.catalogue = await runPublic(target, 'catalogue', CATALOGUE_PATHS);
        results.ceiling.catalogue = await measureCeiling(server.url, 'catalogue (bare)', CATALOGUE_PATHS, duration);
        results.reads.details = await runPublic(target, 'course details', details);
        results.ceiling.details = await measureCeiling(server.url, 'course details (bare)', details, duration);
      }

      const readers = want('per-user') || want('explain') ? await signInReaders(server, options.databaseUrl, options.size, 64) : [];
      if (want('per-user')) {
        log('-- per-user reads (one signed-in student per connection)');
        await warmUpPerUser({ ...target, durationSeconds: 2 }, 'warm-up', readers);
        if (growthWanted) {
          // Large and small in turn, endpoint by endpoint: the machine's load drifts, and the ratio should not.
          const growth = await perUserGrowthRuns(target, readers, duration);
          results.perUser = growth.large;
          results.perUserGrowth = growth.small;
        } else results.perUser = await perUserRuns(target, readers, '');
      }

      if (want('explain')) {
        log('-- database cost per request (EXPLAIN ANALYZE of the captured statements)');
        const subjects = await withClient(options.databaseUrl, async (client) => {
          const reader = readers[0]!;
          const lesson = await openLessons(client, [reader.userId]);
          const assignment = await openAssignments(client, [reader.userId]);
          return { lesson: lesson[0]?.targetId, assignment: assignment[0]?.targetId, reader };
        });
        if (subjects.lesson && subjects.assignment) {
          results.explain = await explainEndpoints(options.databaseUrl, {
            cataloguePaths: CATALOGUE_PATHS,
            courseId: courses[0]!.id,
            student: { id: subjects.reader.userId, courseId: subjects.reader.courseId },
            openLesson: subjects.lesson,
            openAssignment: subjects.assignment,
          });
        } else results.notes.push('EXPLAIN of the writes skipped: the first reader had no open lesson or assignment.');
      }

      if (want('realtime')) results.realtime = await realtimeRuns(server, options, courses[0]!);

      if (want('writes')) {
        log('-- writes (unique rows, verified with SQL afterwards)');
        // A fresh server: the idle connections' memory and the broadcasts' notifications are behind us.
        await server.stop();
        server = await appServer(options.databaseUrl);
        const writeTarget: Target = { url: server.url, pid: server.pid, durationSeconds: duration };
        // Not the per-user readers: the write runs add enrolments and completions to the writers.
        const writers: SignedIn[] = await signInMany(server.url, spreadStudents(datasetCounts(options.size), 64, 11));
        const writeUrl = server.url;
        await withClient(options.databaseUrl, async (client) => {
          const writerIds = writers.map((w) => w.userId);
          const since = (await client.query<{ now: Date }>('select now()')).rows[0]!.now;
          try {
            const enrolled = await enrolWriters(writeUrl, client, writers, duration * 2500);
            results.notes.push(`Writers: ${writers.length} students, enrolled through the API in ${enrolled} more courses before the write runs.`);
            const lessons = await openLessons(client, writerIds);
            results.writes['lesson completion'] = await runWrites(writeTarget, 'lesson completion', lessons, writers, client);
            const assignments = await openAssignments(client, writerIds);
            results.writes['assignment submission'] = await runWrites(writeTarget, 'assignment submission', assignments, writers, client);
          } finally {
            const withdrawn = await withdrawEnrolmentsSince(client, writerIds, since);
            log(`  the writers' ${withdrawn} new enrolments withdrawn again (the dataset's active enrolments as before)`);
          }
        });
      }
    } finally {
      await server.stop();
    }
  }

  if (want('event-commits')) {
    log('-- event-emitting commits: the most per second, timed without the app');
    results.eventCommits = [
      await measureEventCommits(options.databaseUrl, 'current', 1, 5),
      await measureEventCommits(options.databaseUrl, 'current', 16, 5),
      await measureEventCommits(options.databaseUrl, 'former lock and notify', 16, 5),
    ];
    for (const r of results.eventCommits) log(`  ${r.shape}, ${r.connections} connection(s): ${r.perSecond} transactions/s`);
  }

  if (growthWanted && !want('per-user')) {
    const smallUrl = defaultDatabaseUrl('small');
    log(`== growth: the same per-user endpoints on the small dataset (${smallUrl})`);
    const small = await appServer(smallUrl);
    try {
      const readers = await signInReaders(small, smallUrl, 'small', 64);
      const target: Target = { url: small.url, pid: small.pid, durationSeconds: duration };
      await warmUpPerUser({ ...target, durationSeconds: 2 }, 'warm-up', readers);
      results.perUserGrowth = await perUserRuns(target, readers, ' (small)');
    } finally {
      await small.stop();
    }
  }

  if (want('embedded')) {
    log('-- embedded database start-up');
    results.embedded = await measureEmbeddedStart(options.quick ? 2 : 5);
  }

  results.totalSeconds = Math.round((Date.now() - started) / 1000);
  results.provenance = Object.fromEntries(
    SECTIONS.filter((section) => want(section) && (section !== 'growth' || growthWanted)).map((section) => [section, { date: results.date, command: results.command }]),
  );
  if (only) keepEarlierSections(results, only);
  writeFileSync(`${RESULTS_DIR}${options.size}.json`, JSON.stringify(results, null, 2) + '\n');
  writeReport(results);
  log(`done in ${results.totalSeconds}s: bench/RESULTS.md, bench/results/${options.size}.json`);
}

async function realtimeRuns(server: RunningServer, options: BenchOptions, popularCourse: CourseRef): Promise<BenchResults['realtime']> {
  log('-- real-time');
  // The broadcast's cost grows with the course's students (a course update notifies each of them, just
  // after it commits), so the fan-out is measured on a course of about 200 students with several
  // connections per student; the most popular course is measured once for comparison.
  const broadcastCourse = await withClient(options.databaseUrl, (client) => courseWithAudience(client, 200));
  const subscribersOf = async (course: CourseRef) => {
    const emails = await withClient(options.databaseUrl, (client) => studentsOfCourse(client, course.id, options.quick ? 20 : 100));
    const instructor = await signIn(server.url, course.instructorEmail);
    const members = await signInMany(server.url, emails);
    return { target: { baseUrl: server.url, instructorToken: instructor.token, courseId: course.id }, tokens: members.map((m) => m.token) };
  };
  // Each run starts once the notifications the previous one queued are written (see waitForQueuedNotifications).
  const notificationsWritten = () => withClient(options.databaseUrl, (client) => waitForQueuedNotifications(client));
  const mid = await subscribersOf(broadcastCourse);
  await notificationsWritten();
  const fanOut = { ...(await measureFanOut(mid.target, mid.tokens, 1000, options.quick ? 5 : 20)), notificationsWrittenMs: await notificationsWritten() };
  log(`  fan-out to ${fanOut.subscribers}: p50 ${fanOut.p50} ms, p99 ${fanOut.p99} ms, missing ${fanOut.missing}`);
  const popular = await subscribersOf(popularCourse);
  const fanOutPopular = {
    ...(await measureFanOut(popular.target, popular.tokens, 1000, options.quick ? 3 : 5)),
    notificationsWrittenMs: await notificationsWritten(),
  };
  log(
    `  fan-out to ${fanOutPopular.subscribers} (popular course): p50 ${fanOutPopular.p50} ms, p99 ${fanOutPopular.p99} ms; its students' notifications all written ${fanOutPopular.notificationsWrittenMs} ms after the last delivery`,
  );
  const capacity = await measureCapacity(mid.target, mid.tokens, options.quick ? [250, 1000] : [100, 250, 500, 1000, 2000, 4000, 8000, 16000], options.quick ? 8 : 40);
  await notificationsWritten();
  const idle = await measureIdleConnections(mid.target, mid.tokens, options.quick ? 2000 : 10_000, server.pid);
  log(`  idle: ${idle.connected}/${idle.requested} connected in ${idle.connectMs} ms, RSS ${idle.rssBeforeMb} → ${idle.rssAfterMb} MiB`);
  return {
    course: { id: broadcastCourse.id, activeStudents: broadcastCourse.activeStudents },
    popularCourse: { id: popularCourse.id, activeStudents: popularCourse.activeStudents },
    fanOut,
    fanOutPopular,
    capacity,
    idle,
  };
}

const SECTIONS = ['reads', 'per-user', 'explain', 'realtime', 'writes', 'event-commits', 'growth', 'embedded'] as const;
type Section = (typeof SECTIONS)[number];
const SERVER_SECTIONS: Section[] = ['reads', 'per-user', 'explain', 'realtime', 'writes'];

/** `--only per-user,growth`: measure these sections again and keep the others of the previous run. */
function onlySections(argv: readonly string[]): Section[] | null {
  const index = argv.indexOf('--only');
  if (index < 0) return null;
  const sections = (argv[index + 1] ?? '').split(',').filter(Boolean);
  for (const section of sections) {
    if (!(SECTIONS as readonly string[]).includes(section)) throw new Error(`--only takes ${SECTIONS.join(', ')}; not ${section}`);
  }
  return sections as Section[];
}

function keepEarlierSections(results: BenchResults, only: readonly Section[]): void {
  let previous: BenchResults;
  try {
    previous = JSON.parse(readFileSync(`${RESULTS_DIR}${results.size}.json`, 'utf8')) as BenchResults;
  } catch {
    return;
  }
  const kept: string[] = [];
  const keep = (section: Section, copy: () => void) => {
    if (only.includes(section)) return;
    copy();
    kept.push(section);
  };
  keep('reads', () => {
    results.reads = previous.reads;
    results.ceiling = previous.ceiling;
  });
  keep('per-user', () => (results.perUser = previous.perUser));
  keep('explain', () => (results.explain = previous.explain));
  keep('realtime', () => (results.realtime = previous.realtime));
  keep('writes', () => (results.writes = previous.writes));
  keep('event-commits', () => (results.eventCommits = previous.eventCommits ?? []));
  keep('growth', () => (results.perUserGrowth = previous.perUserGrowth));
  keep('embedded', () => (results.embedded = previous.embedded));
  for (const section of kept) {
    results.provenance![section] = previous.provenance?.[section] ?? { date: previous.date, command: previous.command };
  }
  results.notes.push(...previous.notes.filter((note) => !results.notes.includes(note) && !note.startsWith('This report merges')));
}

/** The generator's own report (bench/results/generate-<size>.json), when it was kept. */
function readGeneration(size: string): BenchResults['generation'] {
  try {
    return JSON.parse(readFileSync(`${RESULTS_DIR}generate-${size}.json`, 'utf8')) as BenchResults['generation'];
  } catch {
    return null;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

// Creates (or re-creates) a benchmark database with the app's own migrations and fills it with a
// deterministic dataset through COPY.
//
//   npm run bench:data -- --size small|large [--database-url postgres://...]
//
// Every student's history is rebuilt from a seed of its own index, so each table is streamed on its
// own without holding the dataset in memory. Secondary indexes are dropped during the load and
// rebuilt afterwards (faster than maintaining them row by row); foreign-key triggers are skipped for
// the loading session only (session_replication_role), since the rows are consistent by construction.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { openDatabase } from '../src/server/db/client.js';
import { hashPassword } from '../src/server/features/auth/passwords.js';
import { databaseName, parseOptions, withDatabase } from './lib/cli.js';
import { BENCH_PASSWORD, type DatasetCounts, datasetCounts, instructorEmail, studentEmail } from './lib/dataset.js';
import { Random, seedOf, uuidOf } from './lib/random.js';

/** One UUID tag per table (see uuidOf). */
const ID = { student: 1, instructor: 2, course: 3, lesson: 4, assignment: 5, enrolment: 6, submission: 7, rating: 8, completion: 9, session: 10, activity: 11, prerequisite: 12 } as const;

const DAY = 86_400_000;
const MINUTE = 60_000;
/** Today, midnight UTC: dates are relative to it, so a dataset made today looks the same anywhere. */
const TODAY = Math.floor(Date.now() / DAY) * DAY;
const HISTORY_DAYS = 60;

const CATEGORIES = ['programming', 'design', 'business', 'marketing', 'science', 'language', 'music', 'art', 'other'] as const;
const LEVELS = ['beginner', 'intermediate', 'advanced'] as const;
const STUDY_TIMES = ['morning', 'afternoon', 'evening', 'night'] as const;
const FIRST_NAMES = ['Ada', 'Ben', 'Chloe', 'David', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kemi', 'Liam', 'Maya', 'Noor', 'Oscar', 'Priya', 'Quinn', 'Rosa', 'Sami', 'Tara', 'Umar', 'Vera', 'Wen', 'Yusuf', 'Zoe'];
const LAST_NAMES = ['Okafor', 'Lindqvist', 'Tanaka', 'Moreau', 'Silva', 'Novak', 'Haddad', 'Kowalski', 'Nguyen', 'Fischer', 'Rossi', 'Mensah', 'Petrov', 'Garcia', 'Kim', 'Dubois', 'Ahmed', 'Jensen', 'Costa', 'Walsh'];
const TOPICS = ['TypeScript', 'Data Analysis', 'UX Research', 'Marketing Funnels', 'Organic Chemistry', 'Spanish Grammar', 'Jazz Harmony', 'Watercolour', 'Negotiation', 'SQL Performance', 'Machine Learning', 'Public Speaking', 'Product Design', 'Statistics', 'Rust Systems', 'Photography'];
const LESSON_WORDS = ['Introduction', 'Foundations', 'Core ideas', 'Hands-on practice', 'Patterns', 'Common mistakes', 'Case study', 'Deep dive', 'Project work', 'Review'];
const REVIEWS = ['Clear and well paced.', 'Good examples, a bit long.', 'Exactly what I needed.', 'Too basic for me.', 'The projects were the best part.', null, null, null];

/** COPY text format: backslash, tab and newlines escaped; null as \N. */
function field(value: string | number | boolean | null): string {
  if (value === null) return '\\N';
  if (typeof value !== 'string') return String(value);
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}
const line = (values: (string | number | boolean | null)[]): string => values.map(field).join('\t') + '\n';
const iso = (ms: number): string => new Date(ms).toISOString();

// ---- The dataset's plan: pure functions of the counts and an index.

interface CoursePlan {
  index: number;
  id: string;
  instructor: number;
  createdAt: number;
  lessonIds: string[];
  assignmentIds: string[];
  /** Each assignment follows this lesson (0-based). */
  assignmentAfter: number[];
  dueDates: (number | null)[];
  points: number[];
  estimatedTime: number[];
}

function planCourse(counts: DatasetCounts, index: number): CoursePlan {
  const rng = new Random(seedOf('course', index));
  const createdAt = TODAY - rng.int(HISTORY_DAYS + 30, HISTORY_DAYS + 400) * DAY - rng.int(0, DAY - 1);
  const lessonIds = Array.from({ length: counts.lessonsPerCourse }, (_, l) => uuidOf(ID.lesson, index * counts.lessonsPerCourse + l));
  const assignmentIds = Array.from({ length: counts.assignmentsPerCourse }, (_, a) => uuidOf(ID.assignment, index * counts.assignmentsPerCourse + a));
  const step = Math.floor(counts.lessonsPerCourse / counts.assignmentsPerCourse);
  return {
    index,
    id: uuidOf(ID.course, index),
    instructor: index % counts.instructors,
    createdAt,
    lessonIds,
    assignmentIds,
    assignmentAfter: assignmentIds.map((_, a) => Math.min(counts.lessonsPerCourse - 1, step * (a + 1) - 1)),
    dueDates: assignmentIds.map(() => (rng.chance(0.7) ? TODAY + rng.int(-40, 30) * DAY : null)),
    points: assignmentIds.map(() => rng.pick([10, 20, 50, 100])),
    estimatedTime: lessonIds.map(() => rng.int(5, 60)),
  };
}

const userId = (kind: 'student' | 'instructor', index: number): string => uuidOf(ID[kind], index);

interface EnrolmentPlan {
  id: string;
  course: number;
  enrolledAt: number;
  /** Lessons completed, in order: the first `done` lessons. */
  done: number;
  completedAt: number[];
  timeSpent: number[];
}

interface StudentPlan {
  index: number;
  id: string;
  enrolments: EnrolmentPlan[];
  submissions: { enrolment: number; assignment: number; submittedAt: number; graded: boolean; grade: number; id: string }[];
  rating: { enrolment: number; rating: number; review: string | null; id: string; at: number };
}

/** Popular courses get most students (a Zipf-like skew), spread over instructors and categories. */
function pickCourse(rng: Random, courses: number): number {
  const rank = Math.min(courses - 1, Math.floor(courses * rng.next() ** 2.2));
  return (rank * 7919) % courses;
}

function planStudent(counts: DatasetCounts, courses: (index: number) => CoursePlan, index: number): StudentPlan {
  const rng = new Random(seedOf('student', index));
  const id = userId('student', index);
  const enrolCount = rng.int(2, 4);
  const chosen = new Set<number>();
  while (chosen.size < enrolCount) chosen.add(pickCourse(rng, counts.courses));
  const enrolments: EnrolmentPlan[] = [...chosen].map((course, e) => ({
    id: uuidOf(ID.enrolment, index * 8 + e),
    course,
    enrolledAt: TODAY - rng.int(5, HISTORY_DAYS) * DAY + rng.int(0, DAY - 1),
    done: 0,
    completedAt: [],
    timeSpent: [],
  }));
  // Exactly completions/students lessons per student, as prefixes of its courses' lessons.
  let budget = Math.round(counts.completions / counts.students);
  while (budget > 0) {
    const open = enrolments.filter((e) => e.done < counts.lessonsPerCourse);
    rng.pick(open).done++;
    budget--;
  }
  for (const enrolment of enrolments) {
    const course = courses(enrolment.course);
    let at = enrolment.enrolledAt + rng.int(10, 600) * MINUTE;
    for (let lesson = 0; lesson < enrolment.done; lesson++) {
      const spent = Math.max(3, course.estimatedTime[lesson]! + rng.int(-5, 15));
      at = Math.min(at + rng.pick([0, 0, 1, 1, 2, 3]) * DAY + (spent + rng.int(1, 20)) * MINUTE, TODAY + DAY - MINUTE);
      enrolment.completedAt.push(at);
      enrolment.timeSpent.push(spent);
    }
  }
  // 2 or 3 submissions (500k for 200k students), for assignments whose lesson is done where possible.
  const wanted = index % 2 === 0 ? 2 : 3;
  const candidates = enrolments.flatMap((enrolment, e) =>
    courses(enrolment.course).assignmentIds.map((_, assignment) => ({ enrolment: e, assignment })),
  );
  const weight = (c: { enrolment: number; assignment: number }) =>
    enrolments[c.enrolment]!.done > courses(enrolments[c.enrolment]!.course).assignmentAfter[c.assignment]! ? 0 : 1;
  candidates.sort((a, b) => weight(a) - weight(b) || a.enrolment - b.enrolment || a.assignment - b.assignment);
  const submissions = candidates.slice(0, wanted).map((c) => {
    const enrolment = enrolments[c.enrolment]!;
    const after = courses(enrolment.course).assignmentAfter[c.assignment]!;
    const base = enrolment.completedAt[Math.min(after, enrolment.done - 1)] ?? enrolment.enrolledAt;
    return {
      ...c,
      id: uuidOf(ID.submission, index * 16 + c.enrolment * 4 + c.assignment),
      submittedAt: Math.min(base + rng.int(30, 3 * 24 * 60) * MINUTE, TODAY + DAY - MINUTE),
      graded: rng.chance(0.6),
      grade: rng.int(50, 100) / 100,
    };
  });
  const rated = rng.int(0, enrolments.length - 1);
  const rating = {
    enrolment: rated,
    rating: rng.pick([1, 2, 3, 3, 4, 4, 4, 5, 5, 5]),
    review: rng.pick(REVIEWS),
    id: uuidOf(ID.rating, index),
    at: enrolments[rated]!.enrolledAt + rng.int(1, 20) * DAY,
  };
  return { index, id, enrolments, submissions, rating };
}

// ---- Table streams

type Rows = Generator<string>;

function* studentRows(counts: DatasetCounts, plan: (i: number) => StudentPlan, passwordHash: string): Rows {
  for (let i = 0; i < counts.students; i++) {
    const student = plan(i);
    const rng = new Random(seedOf('student-profile', i));
    const days = [...new Set(student.enrolments.flatMap((e) => e.completedAt.map((at) => Math.floor(at / DAY))))].sort((a, b) => a - b);
    let run = 0;
    let longest = 0;
    for (let d = 0; d < days.length; d++) {
      run = d > 0 && days[d] === days[d - 1]! + 1 ? run + 1 : 1;
      longest = Math.max(longest, run);
    }
    const last = Math.max(0, ...student.enrolments.flatMap((e) => e.completedAt));
    const createdAt = Math.min(...student.enrolments.map((e) => e.enrolledAt)) - rng.int(1, 30) * DAY;
    yield line([
      student.id, studentEmail(i), passwordHash, rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES), `student${i}`, 'student', 'active',
      rng.pick(STUDY_TIMES), rng.pick([120, 180, 300, 420, 600]), days.length ? run : 0, longest, last ? iso(last) : null,
      iso(createdAt), iso(createdAt), iso(createdAt),
    ]);
  }
}

function* instructorRows(counts: DatasetCounts, passwordHash: string): Rows {
  for (let i = 0; i < counts.instructors; i++) {
    const rng = new Random(seedOf('instructor-profile', i));
    const createdAt = TODAY - rng.int(400, 900) * DAY;
    yield line([
      userId('instructor', i), instructorEmail(i), passwordHash, rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES), `instructor${i}`, 'instructor', 'active',
      rng.pick(STUDY_TIMES), 300, 0, 0, null, iso(createdAt), iso(createdAt), iso(createdAt),
    ]);
  }
}
const USER_COLUMNS = 'id, email, password_hash, first_name, last_name, username, role, status, preferred_study_time, weekly_learning_goal, current_streak, longest_streak, last_learned, email_verified_at, created_at, updated_at';

function* courseRows(counts: DatasetCounts, course: (i: number) => CoursePlan): Rows {
  for (let i = 0; i < counts.courses; i++) {
    const c = course(i);
    const rng = new Random(seedOf('course-text', i));
    const topic = rng.pick(TOPICS);
    const level = rng.pick(LEVELS);
    yield line([
      c.id, `${topic} ${['Essentials', 'in Practice', 'Masterclass', 'for Teams', 'from Scratch'][i % 5]} ${i + 1}`,
      `A ${level} course on ${topic.toLowerCase()}: ${counts.lessonsPerCourse} lessons with hands-on assignments.`,
      `https://cdn.skilled.test/thumbnails/${i % 97}.png`, rng.pick(CATEGORIES), level, userId('instructor', c.instructor),
      iso(c.createdAt), iso(c.createdAt + rng.int(0, 20) * DAY),
    ]);
  }
}

function* prerequisiteRows(counts: DatasetCounts, course: (i: number) => CoursePlan): Rows {
  // One course in twenty requires an older one; always an earlier index, so there is no cycle.
  for (let i = 20; i < counts.courses; i += 20) {
    const rng = new Random(seedOf('prerequisite', i));
    const c = course(i);
    yield line([uuidOf(ID.prerequisite, i), c.id, course(rng.int(0, i - 1)).id, iso(c.createdAt)]);
  }
}

function* lessonRows(counts: DatasetCounts, course: (i: number) => CoursePlan): Rows {
  for (let i = 0; i < counts.courses; i++) {
    const c = course(i);
    for (let l = 0; l < c.lessonIds.length; l++) {
      yield line([c.lessonIds[l]!, c.id, `${l + 1}. ${LESSON_WORDS[l % LESSON_WORDS.length]}`, `Lesson ${l + 1} of the course.`, l + 1, c.estimatedTime[l]!, iso(c.createdAt), iso(c.createdAt)]);
    }
  }
}

function* assignmentRows(counts: DatasetCounts, course: (i: number) => CoursePlan): Rows {
  for (let i = 0; i < counts.courses; i++) {
    const c = course(i);
    for (let a = 0; a < c.assignmentIds.length; a++) {
      const due = c.dueDates[a]!;
      yield line([c.assignmentIds[a]!, c.id, c.lessonIds[c.assignmentAfter[a]!]!, `Assignment ${a + 1}`, 'Apply what the lessons showed in a small project.', c.points[a]!, due === null ? null : iso(due), iso(c.createdAt), iso(c.createdAt)]);
    }
  }
}

function* enrolmentRows(counts: DatasetCounts, plan: (i: number) => StudentPlan, course: (i: number) => CoursePlan): Rows {
  for (let i = 0; i < counts.students; i++) {
    const s = plan(i);
    for (const e of s.enrolments) yield line([e.id, s.id, course(e.course).id, 'active', iso(e.enrolledAt)]);
  }
}

function* completionRows(counts: DatasetCounts, plan: (i: number) => StudentPlan, course: (i: number) => CoursePlan): Rows {
  let n = 0;
  for (let i = 0; i < counts.students; i++) {
    const s = plan(i);
    for (const e of s.enrolments) {
      const c = course(e.course);
      for (let l = 0; l < e.done; l++) yield line([uuidOf(ID.completion, n++), s.id, c.lessonIds[l]!, c.id, iso(e.completedAt[l]!), e.timeSpent[l]!]);
    }
  }
}

/** Completions within half an hour of each other in one course form one study session. */
function* studySessionRows(counts: DatasetCounts, plan: (i: number) => StudentPlan, course: (i: number) => CoursePlan): Rows {
  let n = 0;
  for (let i = 0; i < counts.students; i++) {
    const s = plan(i);
    for (const e of s.enrolments) {
      const c = course(e.course);
      let start = 0;
      while (start < e.done) {
        let end = start;
        while (end + 1 < e.done && e.completedAt[end + 1]! - e.timeSpent[end + 1]! * MINUTE - e.completedAt[end]! <= 30 * MINUTE) end++;
        const duration = e.timeSpent.slice(start, end + 1).reduce((a, b) => a + b, 0);
        const lessons = JSON.stringify(c.lessonIds.slice(start, end + 1));
        yield line([uuidOf(ID.session, n++), s.id, c.id, iso(e.completedAt[start]! - e.timeSpent[start]! * MINUTE), iso(e.completedAt[end]!), duration, lessons]);
        start = end + 1;
      }
    }
  }
}

/** The 2-3 submissions of each student, and (as enrolment does in the app) a not_started row for every other assignment. */
function* submissionRows(counts: DatasetCounts, plan: (i: number) => StudentPlan, course: (i: number) => CoursePlan): Rows {
  for (let i = 0; i < counts.students; i++) {
    const s = plan(i);
    for (const [e, enrolment] of s.enrolments.entries()) {
      const c = course(enrolment.course);
      for (let a = 0; a < c.assignmentIds.length; a++) {
        const due = c.dueDates[a]!;
        const sub = s.submissions.find((x) => x.enrolment === e && x.assignment === a);
        if (!sub) {
          yield line([
            uuidOf(ID.submission, i * 16 + e * 4 + a), s.id, c.assignmentIds[a]!, c.id, 'not_started', null, null, null, null, null, iso(enrolment.enrolledAt),
            due === null ? null : iso(due), null, false, null, null, iso(enrolment.enrolledAt),
          ]);
          continue;
        }
        const points = c.points[a]!;
        const gradedAt = sub.graded ? Math.min(sub.submittedAt + 2 * DAY, TODAY + DAY - MINUTE) : null;
        yield line([
          sub.id, s.id, c.assignmentIds[a]!, c.id, sub.graded ? 'graded' : 'submitted', iso(enrolment.enrolledAt), iso(sub.submittedAt),
          sub.graded ? Math.round(points * sub.grade) : null, sub.graded ? 'Good work; see the comments on the structure.' : null,
          'My solution is in the attached repository; the README explains how to run it.', iso(enrolment.enrolledAt), due === null ? null : iso(due),
          iso(sub.submittedAt), due !== null && sub.submittedAt > due, gradedAt === null ? null : iso(gradedAt),
          sub.graded ? userId('instructor', c.instructor) : null, iso(gradedAt ?? sub.submittedAt),
        ]);
      }
    }
  }
}
const SUBMISSION_COLUMNS = 'id, student_id, assignment_id, course_id, status, started_at, ended_at, grade, feedback, submission_content, assigned_at, due_date, submitted_at, is_late, graded_at, graded_by, updated_at';

function* ratingRows(counts: DatasetCounts, plan: (i: number) => StudentPlan, course: (i: number) => CoursePlan): Rows {
  for (let i = 0; i < counts.students; i++) {
    const s = plan(i);
    const r = s.rating;
    const at = Math.min(r.at, TODAY);
    yield line([r.id, course(s.enrolments[r.enrolment]!.course).id, s.id, r.rating, r.review, iso(at), iso(at)]);
  }
}

function* activityRows(counts: DatasetCounts, plan: (i: number) => StudentPlan, course: (i: number) => CoursePlan): Rows {
  let n = 0;
  for (let i = 0; i < counts.students; i++) {
    const s = plan(i);
    for (const e of s.enrolments) {
      const c = course(e.course);
      yield line([uuidOf(ID.activity, n++), s.id, 'course_enrolled', `Enrolled in course ${c.index + 1}`, c.id, c.id, iso(e.enrolledAt)]);
    }
  }
}

// ---- Loading

interface TableLoad {
  table: string;
  columns: string;
  rows: () => Rows;
  expected: number;
}

const STATUS_EVERY_MS = 500;

class Progress {
  private last = 0;
  private readonly started = Date.now();

  report(text: string, force = false): void {
    const now = Date.now();
    if (!force && now - this.last < STATUS_EVERY_MS) return;
    this.last = now;
    process.stderr.write(`\r\x1b[K[${((now - this.started) / 1000).toFixed(0)}s] ${text}`);
  }

  done(text: string): void {
    this.report(text, true);
    process.stderr.write('\n');
  }
}

async function copyTable(client: pg.Client, load: TableLoad, progress: Progress): Promise<number> {
  let count = 0;
  const rows = load.rows();
  const chunks = (function* () {
    let buffer = '';
    for (const row of rows) {
      buffer += row;
      count++;
      if (buffer.length >= 256 * 1024) {
        progress.report(`${load.table}: ${count.toLocaleString('en')} / ${load.expected.toLocaleString('en')} rows`);
        yield buffer;
        buffer = '';
      }
    }
    if (buffer) yield buffer;
  })();
  await pipeline(Readable.from(chunks), client.query(copyFrom(`COPY ${load.table} (${load.columns}) FROM STDIN`)));
  progress.done(`${load.table}: ${count.toLocaleString('en')} rows`);
  return count;
}

interface IndexDefinition {
  table: string;
  kind: 'index' | 'constraint';
  name: string;
  definition: string;
}

/**
 * Secondary indexes of the loaded tables, and the primary/unique constraints of those no foreign key
 * points at, to drop before the load and rebuild after it.
 */
async function secondaryStructures(client: pg.Client, tables: string[]): Promise<IndexDefinition[]> {
  const constraints = await client.query<{ table: string; name: string; definition: string }>(
    `select c.conrelid::regclass::text as table, c.conname as name, pg_get_constraintdef(c.oid) as definition
       from pg_constraint c where c.contype in ('p', 'u') and c.conrelid::regclass::text = any($1)
        and not exists (select 1 from pg_constraint f where f.contype = 'f' and f.confrelid = c.conrelid)`,
    [tables],
  );
  const indexes = await client.query<{ table: string; name: string; definition: string }>(
    `select i.tablename as table, i.indexname as name, i.indexdef as definition from pg_indexes i
      where i.schemaname = 'public' and i.tablename = any($1)
        and not exists (select 1 from pg_constraint c where c.conindid = (quote_ident(i.indexname))::regclass)`,
    [tables],
  );
  return [
    ...constraints.rows.map((r) => ({ ...r, kind: 'constraint' as const })),
    ...indexes.rows.map((r) => ({ ...r, kind: 'index' as const })),
  ];
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), { size: 'large' });
  const counts = datasetCounts(options.size);
  const name = databaseName(options.databaseUrl);
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unexpected database name ${name}`);
  const started = Date.now();
  const progress = new Progress();
  const timings: Record<string, number> = {};
  const phase = async <T>(label: string, work: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    const result = await work();
    timings[label] = (Date.now() - t) / 1000;
    return result;
  };

  await phase('create database', async () => {
    const admin = new pg.Client({ connectionString: withDatabase(options.databaseUrl, 'postgres') });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
  });
  await phase('migrations', async () => {
    const handle = await openDatabase({ databaseUrl: options.databaseUrl, poolSize: 2 });
    await handle.close();
  });
  const passwordHash = await phase('password hash', () => hashPassword(BENCH_PASSWORD));

  const courseCache = new Map<number, CoursePlan>();
  const course = (i: number): CoursePlan => {
    let plan = courseCache.get(i);
    if (!plan) courseCache.set(i, (plan = planCourse(counts, i)));
    return plan;
  };
  const plan = (i: number) => planStudent(counts, course, i);
  const lessons = counts.courses * counts.lessonsPerCourse;
  const loads: TableLoad[] = [
    { table: 'users', columns: USER_COLUMNS, rows: () => instructorRows(counts, passwordHash), expected: counts.instructors },
    { table: 'users', columns: USER_COLUMNS, rows: () => studentRows(counts, plan, passwordHash), expected: counts.students },
    { table: 'courses', columns: 'id, title, description, thumbnail_url, category, difficulty_level, instructor_id, created_at, updated_at', rows: () => courseRows(counts, course), expected: counts.courses },
    { table: 'course_prerequisites', columns: 'id, course_id, prerequisite_id, created_at', rows: () => prerequisiteRows(counts, course), expected: Math.floor((counts.courses - 1) / 20) },
    { table: 'lessons', columns: 'id, course_id, title, description, "order", estimated_time, created_at, updated_at', rows: () => lessonRows(counts, course), expected: lessons },
    { table: 'assignments', columns: 'id, course_id, lesson_id, title, description, points, due_date, created_at, updated_at', rows: () => assignmentRows(counts, course), expected: counts.courses * counts.assignmentsPerCourse },
    { table: 'course_enrollments', columns: 'id, student_id, course_id, status, enrolled_at', rows: () => enrolmentRows(counts, plan, course), expected: counts.students * 3 },
    { table: 'lesson_completions', columns: 'id, student_id, lesson_id, course_id, completed_at, time_spent', rows: () => completionRows(counts, plan, course), expected: counts.completions },
    { table: 'study_sessions', columns: 'id, user_id, course_id, start_time, end_time, duration, lessons_covered', rows: () => studySessionRows(counts, plan, course), expected: counts.completions * 0.8 },
    { table: 'assignment_submissions', columns: SUBMISSION_COLUMNS, rows: () => submissionRows(counts, plan, course), expected: counts.students * 3 * counts.assignmentsPerCourse },
    { table: 'course_ratings', columns: 'id, course_id, student_id, rating, review, created_at, updated_at', rows: () => ratingRows(counts, plan, course), expected: counts.ratings },
    { table: 'activities', columns: 'id, user_id, type, title, course_id, entity_id, created_at', rows: () => activityRows(counts, plan, course), expected: counts.students * 3 },
  ];

  const client = new pg.Client({ connectionString: options.databaseUrl, application_name: 'skilled-bench-data' });
  await client.connect();
  const loaded: Record<string, number> = {};
  try {
    await client.query(`SET maintenance_work_mem = '512MB'`);
    await client.query('SET max_parallel_maintenance_workers = 2');
    // This session only: no foreign-key or user triggers while loading rows that are consistent by construction.
    await client.query('SET session_replication_role = replica');
    const tables = [...new Set(loads.map((l) => l.table))];
    const structures = await secondaryStructures(client, tables);
    await phase('drop indexes', async () => {
      for (const s of structures.filter((x) => x.kind === 'index')) await client.query(`DROP INDEX ${s.name}`);
      for (const s of structures.filter((x) => x.kind === 'constraint')) await client.query(`ALTER TABLE ${s.table} DROP CONSTRAINT ${s.name}`);
    });
    await phase('copy', async () => {
      for (const load of loads) loaded[load.table] = (loaded[load.table] ?? 0) + (await copyTable(client, load, progress));
    });
    await phase('rebuild indexes', async () => {
      for (const [i, s] of structures.entries()) {
        progress.report(`rebuilding indexes ${i + 1}/${structures.length}: ${s.name}`, true);
        if (s.kind === 'constraint') await client.query(`ALTER TABLE ${s.table} ADD CONSTRAINT ${s.name} ${s.definition}`);
        else await client.query(s.definition);
      }
      progress.done(`rebuilt ${structures.length} indexes and constraints`);
    });
    await client.query('SET session_replication_role = DEFAULT');
    await phase('derived columns', async () => {
      // An enrolment is complete once every lesson and assignment is done (the app's progress rule).
      await client.query(`
        update course_enrollments e set completed_at = done.at
          from (
            select lc.student_id, lc.course_id, max(lc.completed_at) as at
              from lesson_completions lc
             group by lc.student_id, lc.course_id
            having count(*) = (select count(*) from lessons l where l.course_id = lc.course_id)
          ) done
         where e.student_id = done.student_id and e.course_id = done.course_id
           and (select count(*) from assignment_submissions s where s.student_id = e.student_id and s.course_id = e.course_id and s.status in ('submitted', 'graded'))
             = (select count(*) from assignments a where a.course_id = e.course_id)`);
    });
    await phase('course stats', async () => {
      // The per-course counts that triggers keep (they did not fire during the load).
      await client.query(`
        insert into course_stats (course_id, active_enrollments, rating_count, rating_sum)
        select c.id, coalesce(e.n, 0), coalesce(r.n, 0), coalesce(r.total, 0)
          from courses c
          left join (select course_id, count(*)::int as n from course_enrollments where status = 'active' group by course_id) e on e.course_id = c.id
          left join (select course_id, count(*)::int as n, sum(rating)::int as total from course_ratings group by course_id) r on r.course_id = c.id
        on conflict (course_id) do update set active_enrollments = excluded.active_enrollments,
          rating_count = excluded.rating_count, rating_sum = excluded.rating_sum`);
    });
    // The pairs of courses sharing learners, which triggers keep as well (recommendations' similar learners).
    await phase('co-enrolments', () => client.query('select course_co_enrollments_rebuild()'));
    await phase('analyze', () => client.query('VACUUM ANALYZE'));
  } finally {
    await client.end();
  }
  const total = (Date.now() - started) / 1000;
  process.stderr.write(`\ndone in ${total.toFixed(1)}s\n`);
  const report = JSON.stringify({ size: options.size, database: name, rows: loaded, seconds: timings, totalSeconds: total }, null, 2) + '\n';
  // Kept for bench/run.ts, which puts the generation time in RESULTS.md.
  const resultsDir = new URL('./results/', import.meta.url);
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(new URL(`generate-${options.size}.json`, resultsDir), report);
  process.stdout.write(report);
}

main().catch((error: unknown) => {
  process.stderr.write(`\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

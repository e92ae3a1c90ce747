// Private dependencies for fault tests: a PostgreSQL cluster and a Redis server of their own, on free
// ports in temp directories, that a test may stop, kill and start again without touching the shared
// services. Plus a write load (enrol, complete lessons, submit, grade) that records which writes were
// acknowledged, and the check that each of them is in the database, whole.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './process.js';

// ---- Finding the binaries

/** The directory holding initdb, pg_ctl and postgres: pg_config's, the newest under /usr/lib/postgresql, or PATH's. */
function postgresBinDir(): string | undefined {
  const candidates: string[] = [];
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    // no pg_config
  }
  try {
    const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
  } catch {
    // not a Debian layout
  }
  candidates.push(...(process.env.PATH ?? '').split(delimiter));
  return candidates.find((dir) => dir && ['initdb', 'pg_ctl', 'postgres'].every((bin) => existsSync(join(dir, bin))));
}

function onPath(binary: string): string | undefined {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .map((dir) => join(dir, binary))
    .find((path) => existsSync(path));
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Why a private PostgreSQL cannot be started here, or undefined when it can. */
export function postgresUnavailableReason(): string | undefined {
  if (!postgresBinDir()) return 'PostgreSQL server binaries (initdb, pg_ctl, postgres) not found';
  if (isRoot()) {
    // initdb refuses to run as root: the cluster is made and run by the postgres user.
    try {
      execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
    } catch {
      return 'running as root and there is no postgres user to run PostgreSQL as';
    }
    if (!onPath('runuser')) return 'running as root and runuser is missing';
  }
  return undefined;
}

/** Why a private Redis cannot be started here, or undefined when it can. */
export const redisUnavailableReason = (): string | undefined => (onPath('redis-server') ? undefined : 'redis-server not found');

/** Prints why a fault test is skipped, so that a skip is never silent. */
export function announceSkip(what: string, reason: string | undefined): boolean {
  if (reason) console.warn(`SKIPPED ${what}: ${reason}`);
  return Boolean(reason);
}

// ---- PostgreSQL

export interface PrivatePostgres {
  url: string;
  /** `immediate` is a crash (no checkpoint, backends killed); `fast` a clean stop that ends sessions. */
  stop(mode?: 'fast' | 'immediate'): void;
  start(): void;
  /** Stops it if running and deletes its files. */
  destroy(): void;
}

const cleanups = new Set<() => void>();
// Last resort when a test run is interrupted: no cluster or server outlives it.
process.once('exit', () => {
  for (const cleanup of cleanups) cleanup();
});

/**
 * A private PostgreSQL cluster, initialised and running; with `standbyOf`, a hot standby streaming from
 * that cluster (a base backup of it, read-only, replaying its changes as they come).
 */
export async function privatePostgres(options: { standbyOf?: PrivatePostgres } = {}): Promise<PrivatePostgres> {
  const bin = postgresBinDir()!;
  const dir = mkdtempSync(join(tmpdir(), 'skilled-fault-pg-'));
  const dataDir = join(dir, 'data');
  const asOwner = (command: string, args: string[]) => {
    const [file, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
    execFileSync(file, argv, { stdio: 'ignore', timeout: 60_000 });
  };
  const pgCtl = (args: string[]) => asOwner(join(bin, 'pg_ctl'), ['-D', dataDir, ...args]);
  const port = await freePort();
  let running = false;

  const instance: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop(mode = 'fast') {
      if (!running) return;
      pgCtl(['stop', '-m', mode, '-w', '-t', '30']);
      running = false;
    },
    start() {
      if (running) return;
      const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=60 -c shared_buffers=16MB`;
      pgCtl(['start', '-w', '-t', '30', '-l', join(dir, 'server.log'), '-o', options]);
      running = true;
    },
    destroy() {
      try {
        if (running) pgCtl(['stop', '-m', 'immediate', '-w', '-t', '30']);
      } catch {
        // already gone
      }
      running = false;
      rmSync(dir, { recursive: true, force: true });
      cleanups.delete(instance.destroy);
    },
  };
  cleanups.add(instance.destroy);
  try {
    if (isRoot()) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      chownSync(dir, uid, gid);
    }
    if (options.standbyOf) {
      // -R writes standby.signal and the primary's address: the copy starts as its streaming replica.
      asOwner(join(bin, 'pg_basebackup'), ['-d', options.standbyOf.url, '-D', dataDir, '-R', '-X', 'stream', '-c', 'fast', '--no-sync']);
    } else {
      asOwner(join(bin, 'initdb'), ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
    }
    instance.start();
  } catch (error) {
    instance.destroy();
    throw error;
  }
  return instance;
}

// ---- Redis

export interface PrivateRedis {
  url: string;
  /** Kills it (SIGKILL: no goodbye to its clients). */
  kill(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  destroy(): Promise<void>;
}

function redisAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      text += chunk.toString();
      if (text.includes('\r\n')) done(text.startsWith('+PONG'));
    });
  });
}

export async function privateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'skilled-fault-redis-'));
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const kill = () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const cleanup = () => {
    kill();
    rmSync(dir, { recursive: true, force: true });
  };
  cleanups.add(cleanup);

  const redis: PrivateRedis = {
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
        stdio: 'ignore',
      });
      const current = child;
      exited = new Promise((resolve) => current.once('exit', () => resolve()));
      const deadline = Date.now() + 10_000;
      while (!(await redisAnswers(port))) {
        if (Date.now() > deadline || current.exitCode !== null) throw new Error('redis-server did not start');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async kill() {
      kill();
      await exited;
    },
    async destroy() {
      kill();
      await exited;
      cleanup();
      cleanups.delete(cleanup);
    },
  };
  await redis.start();
  return redis;
}

// ---- HTTP against a server of the test's own

/** Settings for a server of a test's own: its load comes from one address, and limits are not what it tests. */
export const WITHOUT_RATE_LIMITS = { RATE_LIMIT_ENABLED: 'false' } as const;

export interface Reply {
  /** 0 when no response came (connection refused or reset). */
  status: number;
  body: any;
  headers: Headers | undefined;
  ms: number;
}

export async function call(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const started = Date.now();
  try {
    const res = await fetch(new URL(path, base), {
      method,
      headers: {
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    return { status: res.status, body, headers: res.headers, ms: Date.now() - started };
  } catch {
    return { status: 0, body: undefined, headers: undefined, ms: Date.now() - started };
  }
}

export interface Account {
  id: string;
  token: string;
}

let accounts = 0;
export async function account(base: string, role: 'student' | 'instructor'): Promise<Account> {
  const suffix = `${Date.now().toString(36)}${(accounts++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const body = { email: `${role}-${suffix}@faults.test`, password: 'Fault-pass-12', firstName: 'Fault', lastName: 'Test', username: `f_${role.slice(0, 3)}_${suffix}`, role };
  const registered = await call(base, 'POST', '/api/users/register', { body });
  if (registered.status !== 201) throw new Error(`register: ${registered.status} ${JSON.stringify(registered.body)}`);
  const session = await call(base, 'POST', '/api/auth/signin', { body: { email: body.email, password: body.password } });
  if (session.status !== 200) throw new Error(`signin: ${session.status} ${JSON.stringify(session.body)}`);
  return { id: session.body.data.user.id, token: session.body.data.accessToken };
}

async function created(reply: Promise<Reply>, what: string): Promise<any> {
  const res = await reply;
  if (res.status !== 201) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data;
}

// ---- A write load and its audit

export interface LoadCourse {
  courseId: string;
  lessonIds: string[];
  assignmentIds: string[];
}

export interface LoadPlan {
  instructor: Account;
  courses: LoadCourse[];
  students: Account[];
}

export async function prepareLoad(base: string, size: { courses: number; lessons: number; assignments: number; students: number }): Promise<LoadPlan> {
  const instructor = await account(base, 'instructor');
  const courses: LoadCourse[] = [];
  for (let c = 0; c < size.courses; c++) {
    const course = await created(
      call(base, 'POST', '/api/courses', {
        token: instructor.token,
        body: { title: `Fault course ${c}`, description: 'Under load', thumbnailUrl: 'https://example.com/t.png', category: 'science', difficultyLevel: 'beginner' },
      }),
      'course',
    );
    const lessonIds: string[] = [];
    for (let l = 0; l < size.lessons; l++) {
      const lesson = await created(
        call(base, 'POST', `/api/courses/${course.courseId}/lessons`, { token: instructor.token, body: { title: `L${l}`, description: 'x', estimatedTime: 5 } }),
        'lesson',
      );
      lessonIds.push(lesson.lessonId);
    }
    const assignmentIds: string[] = [];
    for (let a = 0; a < size.assignments; a++) {
      const assignment = await created(
        call(base, 'POST', '/api/assignments', {
          token: instructor.token,
          body: { courseId: course.courseId, title: `A${a}`, description: 'Do it', points: 100, dueDate: new Date(Date.now() + 7 * 86_400_000).toISOString() },
        }),
        'assignment',
      );
      assignmentIds.push(assignment.assignmentId);
    }
    courses.push({ courseId: course.courseId, lessonIds, assignmentIds });
  }
  const students: Account[] = [];
  // A few at a time: each sign-up hashes a password.
  for (let i = 0; i < size.students; i += 4) {
    students.push(...(await Promise.all(Array.from({ length: Math.min(4, size.students - i) }, () => account(base, 'student')))));
  }
  return { instructor, courses, students };
}

export interface LoadOutcome {
  /** `student:course` of each enrolment answered 201. */
  enrollments: Set<string>;
  /** `student:lesson` of each completion answered 200 or 201. */
  completions: Set<string>;
  /** submission id → student, of each submission answered 201. */
  submissions: Map<string, string>;
  /** submission id → grade, of each grade answered 200. */
  grades: Map<string, number>;
  /** Every answer, in the order they came. */
  replies: { at: number; what: string; status: number; code?: string; retryAfter?: string | null; ms: number }[];
}

export interface LoadOptions {
  /** Called after every acknowledged write, with the number acknowledged so far. */
  onAck?: (acked: number) => void;
  /** True: a write that got no answer or a 503 is tried again (as a client would) until it gets one; false: the worker stops. */
  retry: boolean;
  /** How long a write may keep being retried. */
  retryForMs?: number;
}

/** Each student, in parallel: enrol in every course, complete its lessons, submit its assignments; the instructor grades each submission. */
export async function runLoad(base: string, plan: LoadPlan, options: LoadOptions): Promise<LoadOutcome> {
  const outcome: LoadOutcome = { enrollments: new Set(), completions: new Set(), submissions: new Map(), grades: new Map(), replies: [] };
  let acked = 0;
  const ack = () => options.onAck?.(++acked);

  /** Sends until an answer that is neither "no answer" nor 503 (when retrying); undefined when the worker should stop. */
  const write = async (what: string, send: () => Promise<Reply>): Promise<Reply | undefined> => {
    const deadline = Date.now() + (options.retryForMs ?? 60_000);
    for (;;) {
      const reply = await send();
      outcome.replies.push({
        at: Date.now(),
        what,
        status: reply.status,
        code: reply.body?.code,
        retryAfter: reply.headers?.get('retry-after'),
        ms: reply.ms,
      });
      const transient = reply.status === 0 || reply.status === 503;
      if (!transient) return reply;
      if (!options.retry || Date.now() > deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  const worker = async (student: Account) => {
    for (const course of plan.courses) {
      const enrolled = await write('enroll', () => call(base, 'POST', `/api/courses/${course.courseId}/enroll`, { token: student.token }));
      if (!enrolled) return;
      if (enrolled.status === 201) {
        outcome.enrollments.add(`${student.id}:${course.courseId}`);
        ack();
      }
      for (const lessonId of course.lessonIds) {
        const done = await write('complete', () =>
          call(base, 'POST', '/api/lessons/complete', { token: student.token, body: { lessonId, timeSpent: 5 } }),
        );
        if (!done) return;
        if (done.status === 200 || done.status === 201) {
          outcome.completions.add(`${student.id}:${lessonId}`);
          ack();
        }
      }
      for (const assignmentId of course.assignmentIds) {
        const submitted = await write('submit', () =>
          call(base, 'POST', '/api/assignments/submit', { token: student.token, body: { assignmentId, submissionContent: `work of ${student.id}` } }),
        );
        if (!submitted) return;
        if (submitted.status !== 201) continue;
        const submissionId = submitted.body.data.submissionId as string;
        outcome.submissions.set(submissionId, student.id);
        ack();
        const grade = 50 + (submissionId.charCodeAt(0) % 50);
        const graded = await write('grade', () =>
          call(base, 'POST', `/api/assignments/${assignmentId}/grade`, {
            token: plan.instructor.token,
            body: { submissionId, grade, feedback: 'graded under load' },
          }),
        );
        if (!graded) return;
        if (graded.status === 200) {
          outcome.grades.set(submissionId, grade);
          ack();
        }
      }
    }
  };
  await Promise.all(plan.students.map(worker));
  return outcome;
}

/** Runs SQL with positional parameters; node-postgres clients and PGlite both fit. */
export type Query = (text: string, params?: unknown[]) => Promise<{ rows: any[] }>;

export interface LoadAudit {
  lost: { enrollments: string[]; completions: string[]; submissions: string[]; grades: string[] };
  halfWritten: string[];
  rows: { enrollments: number; completions: number; submissions: number; graded: number };
}

/** What of the acknowledged writes is missing, and which rows are incomplete (a change without its parts). */
export async function auditLoad(query: Query, plan: LoadPlan, outcome: LoadOutcome): Promise<LoadAudit> {
  const courseIds = plan.courses.map((c) => c.courseId);
  const enrollments = (
    await query(`select id, student_id, course_id from course_enrollments where course_id = any($1::uuid[]) and status = 'active'`, [courseIds])
  ).rows;
  const completions = (await query(`select student_id, lesson_id from lesson_completions where course_id = any($1::uuid[])`, [courseIds])).rows;
  const submissions = (
    await query(
      `select id, student_id, course_id, status, grade, submitted_at, graded_at from assignment_submissions where course_id = any($1::uuid[])`,
      [courseIds],
    )
  ).rows;
  const history = (
    await query(
      `select h.submission_id, h.grade from grade_history h join assignment_submissions s on s.id = h.submission_id
        where s.course_id = any($1::uuid[]) order by h.sequence desc`,
      [courseIds],
    )
  ).rows;
  const audits = (
    await query(
      `select action, target_id from audit_log where action in ('enrollment.create', 'submission.submit', 'submission.grade')
        and target_id = any($1::text[])`,
      [[...enrollments.map((e) => e.id), ...submissions.map((s) => s.id)]],
    )
  ).rows;
  const audited = new Set(audits.map((a) => `${a.action}:${a.target_id}`));

  const enrolled = new Set(enrollments.map((e) => `${e.student_id}:${e.course_id}`));
  const completed = new Set(completions.map((c) => `${c.student_id}:${c.lesson_id}`));
  const byId = new Map(submissions.map((s) => [s.id as string, s]));
  const lastGrade = new Map<string, number>();
  for (const row of history) if (!lastGrade.has(row.submission_id)) lastGrade.set(row.submission_id, Number(row.grade));

  const halfWritten: string[] = [];
  const assignmentsOf = new Map(plan.courses.map((c) => [c.courseId, c.assignmentIds.length]));
  const submissionsOf = new Map<string, number>();
  for (const s of submissions) submissionsOf.set(`${s.student_id}:${s.course_id}`, (submissionsOf.get(`${s.student_id}:${s.course_id}`) ?? 0) + 1);
  for (const e of enrollments) {
    if (!audited.has(`enrollment.create:${e.id}`)) halfWritten.push(`enrollment ${e.id} has no audit row`);
    if ((submissionsOf.get(`${e.student_id}:${e.course_id}`) ?? 0) !== assignmentsOf.get(e.course_id)) {
      halfWritten.push(`enrollment ${e.id} lacks the submission rows of its course's assignments`);
    }
  }
  for (const s of submissions) {
    if (s.status === 'submitted' || s.status === 'graded') {
      if (!s.submitted_at) halfWritten.push(`submission ${s.id} is ${s.status} without submittedAt`);
      if (!audited.has(`submission.submit:${s.id}`)) halfWritten.push(`submission ${s.id} has no submit audit row`);
    }
    if (s.status === 'graded') {
      if (s.grade === null || !s.graded_at) halfWritten.push(`submission ${s.id} is graded without grade or gradedAt`);
      if (lastGrade.get(s.id) !== Number(s.grade)) halfWritten.push(`submission ${s.id}: grade ${s.grade} is not its last history entry`);
      if (!audited.has(`submission.grade:${s.id}`)) halfWritten.push(`submission ${s.id} has no grade audit row`);
    } else if (lastGrade.has(s.id)) {
      halfWritten.push(`submission ${s.id} has a grade history but is ${s.status}`);
    }
  }

  return {
    lost: {
      enrollments: [...outcome.enrollments].filter((key) => !enrolled.has(key)),
      completions: [...outcome.completions].filter((key) => !completed.has(key)),
      submissions: [...outcome.submissions.keys()].filter((id) => !['submitted', 'graded'].includes(byId.get(id)?.status)),
      grades: [...outcome.grades].filter(([id, grade]) => byId.get(id)?.status !== 'graded' || Number(byId.get(id)?.grade) !== grade).map(([id]) => id),
    },
    halfWritten,
    rows: {
      enrollments: enrollments.length,
      completions: completions.length,
      submissions: submissions.filter((s) => s.status !== 'not_started').length,
      graded: submissions.filter((s) => s.status === 'graded').length,
    },
  };
}

export const acknowledged = (outcome: LoadOutcome) =>
  outcome.enrollments.size + outcome.completions.size + outcome.submissions.size + outcome.grades.size;

// Background data exports: the job's life (queued, running, completed), its files (CSV, ZIP of CSVs,
// JSON) parsed back and checked against data the test made, permissions, and what a restart does.
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/server/db/client.js';
import {
  api,
  createAssignment,
  createCourse,
  createInstructor,
  createStudent,
  enroll,
  signInAdmin,
  type TestUser,
  uniqueSuffix,
} from './support/api.js';
import { freePort, type ServerProcess, spawnServer, stopServer, waitReady } from './support/process.js';
import { auditRows, csvObjects, download, gradeSubmission, pollExport, readZip, submitAssignment, today } from './support/reports.js';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let admin: TestUser;
beforeAll(async () => {
  admin = await signInAdmin();
});

const startExport = (token: string | undefined, body: unknown) => api('POST', '/api/admin/export', { token, body });

async function exportAndWait(body: Record<string, unknown>) {
  const res = await startExport(admin.token, body);
  expect(res.status).toBe(202);
  const job = await pollExport(admin, res.body.data.exportId);
  expect(job.status).toBe('completed');
  return job;
}

/** An instructor's course whose description needs quoting, a student enrolled and graded. */
async function exportData() {
  const instructor = await createInstructor();
  const description = `Line one, with a comma\nLine "two" ${uniqueSuffix()}`;
  const course = await createCourse(instructor, { title: `Export course ${uniqueSuffix()}`, description });
  const assignment = await createAssignment(instructor, course.courseId, { points: 20 });
  const student = await createStudent({ firstName: 'Exa', lastName: `Porter${uniqueSuffix().slice(0, 4)}` });
  const enrollment = await enroll(student, course.courseId);
  const submission = await submitAssignment(student, assignment.assignmentId);
  await gradeSubmission(instructor, assignment.assignmentId, submission.submissionId, 15);
  return { instructor, course, description, assignment, student, enrollment, submission };
}

describe('POST /api/admin/export: CSV', () => {
  it('queues a job, answers 202 at once, completes, and downloads a ZIP with one CSV per entity', async () => {
    const data = await exportData();
    const res = await startExport(admin.token, { entities: ['users', 'courses', 'enrollments'], format: 'csv' });
    expect(res.status).toBe(202);
    // the job is started after the answer: the answer always sees it queued
    expect(res.body).toEqual({
      data: { exportId: expect.stringMatching(UUID), status: 'queued', statusUrl: `/api/admin/exports/${res.body.data.exportId}` },
    });
    expect(res.headers.get('location')).toBe(res.body.data.statusUrl);

    const job = await pollExport(admin, res.body.data.exportId);
    expect(job).toEqual({
      exportId: res.body.data.exportId,
      status: 'completed',
      entities: ['users', 'courses', 'enrollments'],
      format: 'csv',
      requestedBy: { id: admin.id, firstName: expect.any(String), lastName: expect.any(String), username: expect.any(String) },
      fileName: expect.stringMatching(new RegExp(`^skilled-export-${today()}-${res.body.data.exportId.slice(0, 8)}\\.zip$`)),
      size: expect.any(Number),
      rowCounts: { users: expect.any(Number), courses: expect.any(Number), enrollments: expect.any(Number) },
      attempts: 1,
      createdAt: expect.stringMatching(ISO),
      startedAt: expect.stringMatching(ISO),
      finishedAt: expect.stringMatching(ISO),
      statusUrl: `/api/admin/exports/${job.exportId}`,
      downloadUrl: `/api/admin/exports/${job.exportId}/download`,
    });

    // the request is in the audit log
    expect(await auditRows(admin, { action: 'export.create', targetType: 'export', targetId: job.exportId })).toEqual([
      expect.objectContaining({
        actor: expect.objectContaining({ id: admin.id, role: 'admin' }),
        after: { entities: ['users', 'courses', 'enrollments'], format: 'csv' },
      }),
    ]);

    const file = await download(job.downloadUrl, admin.token);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/zip');
    expect(file.headers.get('content-disposition')).toBe(`attachment; filename="${job.fileName}"`);
    expect(Number(file.headers.get('content-length'))).toBe(job.size);
    expect(file.bytes.length).toBe(job.size);
    const files = readZip(file.bytes);
    expect([...files.keys()]).toEqual(['users.csv', 'courses.csv', 'enrollments.csv']);

    const users = csvObjects(files.get('users.csv')!.toString('utf8'));
    expect(users.header).toEqual([
      'id',
      'email',
      'firstName',
      'lastName',
      'username',
      'role',
      'status',
      'preferredStudyTime',
      'weeklyLearningGoal',
      'currentStreak',
      'longestStreak',
      'lastLearned',
      'createdAt',
      'updatedAt',
    ]);
    expect(users.rows).toHaveLength(job.rowCounts.users);
    expect(users.rows.find((row) => row.id === data.student.id)).toMatchObject({
      email: data.student.email,
      firstName: 'Exa',
      lastName: data.student.lastName,
      username: data.student.username,
      role: 'student',
      status: 'active',
      createdAt: expect.stringMatching(ISO),
    });
    // ordered by id, every row once
    const ids = users.rows.map((row) => row.id!);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);

    const courses = csvObjects(files.get('courses.csv')!.toString('utf8'));
    expect(courses.rows).toHaveLength(job.rowCounts.courses);
    // the description's comma, quotes and line break survive the round trip
    expect(courses.rows.find((row) => row.id === data.course.courseId)).toMatchObject({
      title: data.course.title,
      description: data.description,
      instructorId: data.instructor.id,
    });
    const enrollments = csvObjects(files.get('enrollments.csv')!.toString('utf8'));
    expect(enrollments.rows.find((row) => row.id === data.enrollment.enrollmentId)).toMatchObject({
      studentId: data.student.id,
      courseId: data.course.courseId,
      status: 'active',
    });

    // no password hash, token or secret anywhere in the files
    for (const content of files.values()) {
      const text = content.toString('utf8');
      expect(text).not.toMatch(/\$argon2/);
      expect(text.toLowerCase()).not.toMatch(/password|token/);
    }
  });

  it('one entity is one CSV file; from/to filter on the entity date', async () => {
    const job = await exportAndWait({ entities: ['activities'], format: 'csv', from: '2001-01-01', to: '2001-01-02' });
    expect(job.rowCounts).toEqual({ activities: 0 });
    expect(job).toMatchObject({ from: '2001-01-01', to: '2001-01-02' });
    expect(job.fileName).toMatch(/\.csv$/);
    const file = await download(job.downloadUrl, admin.token);
    expect(file.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(file.text).toBe('id,userId,type,title,courseId,entityId,createdAt\r\n');

    const from = new Date(Date.now() - 1000).toISOString();
    const data = await exportData();
    const recent = await exportAndWait({ entities: ['courses'], format: 'csv', from, to: new Date(Date.now() + 1000).toISOString() });
    const rows = csvObjects((await download(recent.downloadUrl, admin.token)).text).rows;
    expect(rows.map((row) => row.id)).toContain(data.course.courseId);
    for (const row of rows) expect(Date.parse(row.createdAt!)).toBeGreaterThanOrEqual(Date.parse(from));
  });
});

describe('POST /api/admin/export: JSON', () => {
  it('writes one object with an array per entity', async () => {
    const data = await exportData();
    const job = await exportAndWait({ entities: ['grades', 'submissions', 'users', 'quizAttempts'], format: 'json', from: today() });
    expect(job.fileName).toMatch(/\.json$/);
    const file = await download(job.downloadUrl, admin.token);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = JSON.parse(file.text);
    expect(Object.keys(body)).toEqual(['grades', 'submissions', 'users', 'quizAttempts']);
    expect(body.grades).toHaveLength(job.rowCounts.grades);
    expect(body.grades.find((row: any) => row.submissionId === data.submission.submissionId)).toEqual({
      submissionId: data.submission.submissionId,
      assignmentId: data.assignment.assignmentId,
      studentId: data.student.id,
      courseId: data.course.courseId,
      grade: 15,
      points: 20,
      feedback: 'Well done',
      gradedAt: expect.stringMatching(ISO),
      gradedBy: data.instructor.id,
    });
    expect(body.submissions.find((row: any) => row.id === data.submission.submissionId)).toMatchObject({
      status: 'graded',
      submissionContent: 'My answer',
      isLate: false,
    });
    const user = body.users.find((row: any) => row.id === data.student.id);
    expect(Object.keys(user).sort()).toEqual(
      ['id', 'email', 'firstName', 'lastName', 'username', 'role', 'status', 'preferredStudyTime', 'weeklyLearningGoal', 'currentStreak', 'longestStreak', 'lastLearned', 'createdAt', 'updatedAt'].sort(),
    );
    expect(file.text).not.toMatch(/\$argon2/);
    expect(file.text.toLowerCase()).not.toMatch(/password|token/);
  });
});

describe('GET /api/admin/exports', () => {
  it('lists jobs newest first, paginated and filtered by status', async () => {
    const first = await exportAndWait({ entities: ['lessons'], format: 'json' });
    const second = await exportAndWait({ entities: ['assignments'], format: 'csv' });
    const res = await api('GET', '/api/admin/exports', { token: admin.token, query: { limit: 100 } });
    expect(res.status).toBe(200);
    const ids = res.body.data.map((job: any) => job.exportId);
    expect(ids.indexOf(second.exportId)).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(second.exportId)).toBeLessThan(ids.indexOf(first.exportId));
    expect(res.body.data.find((job: any) => job.exportId === first.exportId)).toEqual(first);
    expect(res.body.pagination).toMatchObject({ page: 1, limit: 100, hasPrev: false });
    expect(res.body.pagination.totalCount).toBeGreaterThanOrEqual(2);

    const page = await api('GET', '/api/admin/exports', { token: admin.token, query: { limit: 1, page: 2 } });
    expect(page.body.data).toHaveLength(1);
    expect(page.body.pagination).toMatchObject({ page: 2, limit: 1, hasPrev: true });

    const completed = await api('GET', '/api/admin/exports', { token: admin.token, query: { status: 'completed', limit: 100 } });
    expect(completed.body.data.every((job: any) => job.status === 'completed')).toBe(true);
    const failed = await api('GET', '/api/admin/exports', { token: admin.token, query: { status: 'failed', limit: 100 } });
    expect(failed.body.data.map((job: any) => job.exportId)).not.toContain(first.exportId);

    const bad = await api('GET', '/api/admin/exports', { token: admin.token, query: { status: 'done', limit: 500 } });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.details).sort()).toEqual(['querystring.limit', 'querystring.status']);
  });
});

describe('exports: validation, 404 and permissions', () => {
  it('refuses bad bodies with 400 and details', async () => {
    const cases: [unknown, string][] = [
      [{ format: 'csv' }, 'body.entities'],
      [{ entities: [], format: 'csv' }, 'body.entities'],
      [{ entities: ['users', 'passwords'], format: 'csv' }, 'body.entities.1'],
      [{ entities: ['users', 'users'], format: 'json' }, 'body.entities'],
      [{ entities: ['users'] }, 'body.format'],
      [{ entities: ['users'], format: 'xml' }, 'body.format'],
      [{ entities: ['users'], format: 'csv', from: 'last week' }, 'body.from'],
      [{ entities: ['users'], format: 'csv', from: '2026-02-01', to: '2026-01-01' }, 'body.to'],
    ];
    for (const [body, field] of cases) {
      const res = await startExport(admin.token, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe('VALIDATION_ERROR');
      expect(Object.keys(res.body.details), JSON.stringify(body)).toContain(field);
    }
  });

  it('answers 404 for an unknown export and 400 for a malformed id', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    const status = await api('GET', `/api/admin/exports/${unknown}`, { token: admin.token });
    expect(status.status).toBe(404);
    expect(status.body.code).toBe('EXPORT_NOT_FOUND');
    const file = await download(`/api/admin/exports/${unknown}/download`, admin.token);
    expect(file.status).toBe(404);
    expect(file.json.code).toBe('EXPORT_NOT_FOUND');
    expect((await api('GET', '/api/admin/exports/nope', { token: admin.token })).status).toBe(400);
  });

  it('is for admins only: 401 without a token, 403 for students and instructors', async () => {
    const job = await exportAndWait({ entities: ['courses'], format: 'json' });
    const student = await createStudent();
    const instructor = await createInstructor();
    const calls = (token?: string) => [
      startExport(token, { entities: ['users'], format: 'csv' }),
      api('GET', '/api/admin/exports', { token }),
      api('GET', `/api/admin/exports/${job.exportId}`, { token }),
      api('GET', `/api/admin/exports/${job.exportId}/download`, { token }),
    ];
    for (const res of await Promise.all(calls())) {
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('UNAUTHENTICATED');
    }
    for (const user of [student, instructor]) {
      for (const res of await Promise.all(calls(user.token))) {
        expect(res.status).toBe(403);
        expect(res.body.code).toBe('FORBIDDEN');
      }
    }
    // nothing was queued by the refused calls
    const list = await api('GET', '/api/admin/exports', { token: admin.token, query: { limit: 5 } });
    expect(list.body.data.every((j: any) => j.requestedBy?.id !== student.id && j.requestedBy?.id !== instructor.id)).toBe(true);
  });
});

// A separate process on its own database (embedded, and PostgreSQL when DATABASE_URL is set): rows
// are planted before it starts, and it is killed in the middle of a job, to see what a start does
// with unfinished jobs.
const restartModes = [
  { kind: 'embedded', enabled: true },
  { kind: 'PostgreSQL', enabled: Boolean(process.env.DATABASE_URL) },
] as const;

for (const mode of restartModes) {
  describe.runIf(mode.enabled)(`exports across restarts (${mode.kind})`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'skilled-exports-'));
    const adminAccount = { ADMIN_EMAIL: 'exports@restart.test', ADMIN_PASSWORD: 'Exports-pass-42' };
    const env: Record<string, string> = { DATA_DIR: dataDir, SEED_DEMO: 'false', LOG_LEVEL: 'warn', ...adminAccount };
    const BULK = 60_000;
    const pgName = `skilled_exports_${Date.now()}`;
    let pgAdmin: pg.Client | undefined;
    let server: ServerProcess | undefined;
    const planted: Record<string, string> = {};

    const openOwnDatabase = () => openDatabase(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL, poolSize: 2 } : { dataDir });

    afterAll(async () => {
      if (server) await stopServer(server, 'SIGKILL');
      if (pgAdmin) {
        await pgAdmin.query(`DROP DATABASE IF EXISTS "${pgName}" WITH (FORCE)`);
        await pgAdmin.end();
      }
    });

    async function call(method: string, path: string, token?: string, body?: unknown) {
      const res = await fetch(`${server!.url}${path}`, {
        method,
        headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      return { status: res.status, text, body: (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : undefined };
    }

    async function signIn() {
      const res = await call('POST', '/api/auth/signin', undefined, { email: adminAccount.ADMIN_EMAIL, password: adminAccount.ADMIN_PASSWORD });
      expect(res.status).toBe(200);
      return res.body.data.accessToken as string;
    }

    async function poll(token: string, id: string, until: (status: string) => boolean, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const res = await call('GET', `/api/admin/exports/${id}`, token);
        if (until(res.body.data.status)) return res.body.data;
        if (Date.now() > deadline) throw new Error(`export ${id} still ${res.body.data.status}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }

    async function start() {
      server = spawnServer(env, await freePort());
      await waitReady(server);
    }

    beforeAll(async () => {
      if (mode.kind === 'PostgreSQL') {
        const adminUrl = new URL(process.env.DATABASE_URL!);
        pgAdmin = new pg.Client({ connectionString: adminUrl.toString() });
        await pgAdmin.connect();
        await pgAdmin.query(`CREATE DATABASE "${pgName}"`);
        adminUrl.pathname = `/${pgName}`;
        env.DATABASE_URL = adminUrl.toString();
      }
      // Plant the rows a crashed process would have left, and enough activity rows for a job that lasts.
      const database = await openOwnDatabase();
      try {
        const job = async (values: string) =>
          ((await database.db.execute(sql.raw(`insert into export_jobs (status, format, params, attempts, heartbeat_at, file_name, size)
              values ${values} returning id`))) as unknown as { rows: { id: string }[] }).rows[0]!.id;
        planted.queued = await job(`('queued', 'csv', '{"entities":["courses"],"format":"csv"}', 0, null, null, null)`);
        planted.stale = await job(`('running', 'json', '{"entities":["users"],"format":"json"}', 1, now() - interval '1 hour', null, null)`);
        planted.exhausted = await job(`('running', 'csv', '{"entities":["users"],"format":"csv"}', 3, now() - interval '1 hour', null, null)`);
        planted.failed = await job(`('failed', 'csv', '{"entities":["users"],"format":"csv"}', 1, null, null, null)`);
        planted.lost = await job(`('completed', 'csv', '{"entities":["users"],"format":"csv"}', 1, now(), 'gone.csv', 10)`);
        // a job whose heartbeat is fresh: on PostgreSQL another instance may be running it
        planted.fresh = await job(`('running', 'csv', '{"entities":["courses"],"format":"csv"}', 1, now(), null, null)`);
        const user = (await database.db.execute(sql`insert into users (email, password_hash, first_name, last_name, username)
            values ('bulk@restart.test', '$argon2id$v=19$m=19456,t=2,p=1$planted$hash', 'Bulk', 'Learner', 'bulk_learner') returning id`)) as unknown as {
          rows: { id: string }[];
        };
        await database.db.execute(sql`insert into activities (user_id, type, title, created_at)
            select ${user.rows[0]!.id}::uuid, 'lesson_completed', 'Lesson ' || g, now() - g * interval '1 second'
            from generate_series(1, ${BULK}) g`);
      } finally {
        await database.close();
      }
    }, 120_000);

    it('a start runs queued and interrupted jobs again, and gives up after three interruptions', async () => {
      await start();
      const token = await signIn();
      const queued = await poll(token, planted.queued!, (s) => s === 'completed' || s === 'failed');
      expect(queued).toMatchObject({ status: 'completed', attempts: 1, rowCounts: { courses: 0 } });
      const stale = await poll(token, planted.stale!, (s) => s === 'completed' || s === 'failed');
      expect(stale).toMatchObject({ status: 'completed', attempts: 2, rowCounts: { users: 2 } });
      const users = JSON.parse((await call('GET', `/api/admin/exports/${planted.stale}/download`, token)).text);
      expect(users.users.map((u: any) => u.email).sort()).toEqual(['bulk@restart.test', adminAccount.ADMIN_EMAIL].sort());
      expect(JSON.stringify(users)).not.toMatch(/\$argon2|password/i);
      const exhausted = await poll(token, planted.exhausted!, (s) => s === 'failed' || s === 'completed');
      expect(exhausted).toMatchObject({ status: 'failed', attempts: 4, error: 'The export was interrupted 3 times and was given up' });
      if (mode.kind === 'PostgreSQL') {
        // left to the instance whose heartbeat it is, until that heartbeat is a minute old
        expect((await call('GET', `/api/admin/exports/${planted.fresh}`, token)).body.data).toMatchObject({ status: 'running', attempts: 1 });
      } else {
        // only one process can open an embedded database: whatever it left running is run again at once
        const fresh = await poll(token, planted.fresh!, (s) => s === 'completed' || s === 'failed');
        expect(fresh).toMatchObject({ status: 'completed', attempts: 2 });
      }

      // a failed job has nothing to download; a completed job whose file is gone is a 404
      const failed = await call('GET', `/api/admin/exports/${planted.failed}/download`, token);
      expect(failed.status).toBe(409);
      expect(failed.body).toMatchObject({ code: 'EXPORT_NOT_READY', error: 'The export failed; there is nothing to download' });
      const lost = await call('GET', `/api/admin/exports/${planted.lost}/download`, token);
      expect(lost.status).toBe(404);
      expect(lost.body).toMatchObject({ code: 'EXPORT_NOT_FOUND', error: 'The export file is no longer available' });
    }, 120_000);

    it('a graceful stop puts a running job back in the queue, without counting the attempt', async () => {
      if (!server) await start();
      const token = await signIn();
      const created = await call('POST', '/api/admin/export', token, { entities: ['activities', 'users'], format: 'csv' });
      const id = created.body.data.exportId as string;
      expect((await poll(token, id, (s) => s !== 'queued')).status).toBe('running');
      expect(await stopServer(server!)).toBe(0);
      server = undefined;
      const database = await openOwnDatabase();
      const [row] = (
        (await database.db.execute(sql`select status, attempts, heartbeat_at from export_jobs where id = ${id}`)) as unknown as {
          rows: { status: string; attempts: number; heartbeat_at: unknown }[];
        }
      ).rows;
      await database.close();
      expect(row).toEqual({ status: 'queued', attempts: 0, heartbeat_at: null });
      expect(readdirSync(join(dataDir, 'exports')).filter((name) => name.startsWith(id))).toEqual([]);

      await start();
      const done = await poll(await signIn(), id, (s) => s === 'completed' || s === 'failed');
      expect(done).toMatchObject({ status: 'completed', attempts: 1 });
      expect(done.rowCounts.activities).toBeGreaterThanOrEqual(BULK);
    }, 120_000);

    it('a download while the job runs is 409; a job cut by kill -9 completes after the restart', async () => {
      if (!server) await start();
      const token = await signIn();
      const created = await call('POST', '/api/admin/export', token, { entities: ['activities'], format: 'json' });
      expect(created.status).toBe(202);
      const id = created.body.data.exportId as string;
      const running = await poll(token, id, (s) => s !== 'queued');
      expect(running.status).toBe('running');
      const early = await call('GET', `/api/admin/exports/${id}/download`, token);
      expect(early.status).toBe(409);
      expect(early.body).toMatchObject({ code: 'EXPORT_NOT_READY', error: 'The export is running; try again when it is completed' });

      // kill it once it is writing
      const partial = join(dataDir, 'exports', `${id}.json.1.part`);
      for (let waited = 0; !existsSync(partial) && waited < 5000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
      server!.child.kill('SIGKILL');
      await server!.exited;
      expect(readdirSync(join(dataDir, 'exports'))).toContain(`${id}.json.1.part`);
      if (mode.kind === 'PostgreSQL') {
        // Another instance would wait for the heartbeat to go stale (a minute): let that minute pass.
        const database = await openOwnDatabase();
        await database.db.execute(sql`update export_jobs set heartbeat_at = now() - interval '2 minutes' where id = ${id}`);
        await database.close();
      }

      await start();
      const token2 = await signIn();
      const done = await poll(token2, id, (s) => s === 'completed' || s === 'failed');
      expect(done).toMatchObject({ status: 'completed', attempts: 2 });
      expect(done.rowCounts.activities).toBeGreaterThanOrEqual(BULK);
      const file = await call('GET', `/api/admin/exports/${id}/download`, token2);
      expect(file.status).toBe(200);
      const body = JSON.parse(file.text);
      expect(body.activities).toHaveLength(done.rowCounts.activities);
      expect(new Set(body.activities.map((a: any) => a.id)).size).toBe(body.activities.length);
      expect(readdirSync(join(dataDir, 'exports')).filter((name) => name.endsWith('.part'))).toEqual([]);
      expect(await stopServer(server!)).toBe(0);
      server = undefined;
    }, 120_000);
  });
}

// DATABASE_READ_URL: the heavy read-only analytics are answered by a read replica, writes by the primary.
// A real streaming replica (a private primary and a hot standby made with pg_basebackup) proves it: while
// the standby's replay is paused, users written through the API are in the primary but not yet in the
// platform figures; once replay resumes, they are. Needs DATABASE_URL (the suite's PostgreSQL run) and the
// PostgreSQL server binaries; skipped, saying why, otherwise.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { account, announceSkip, call, postgresUnavailableReason, type PrivatePostgres, privatePostgres, WITHOUT_RATE_LIMITS } from './support/faults.js';
import { freePort, type ServerProcess, spawnServer, stopServer, waitReady } from './support/process.js';

const skipped =
  announceSkip('scale-read-replica', process.env.DATABASE_URL ? undefined : 'it needs DATABASE_URL (a replica is a PostgreSQL feature)') ||
  announceSkip('scale-read-replica', postgresUnavailableReason());

const ADMIN = { email: 'replica-admin@scale.test', password: 'Replica-admin-1' };

async function queryOne<T>(url: string, text: string): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows[0] as T;
  } finally {
    await client.end();
  }
}

describe.skipIf(skipped)('a read replica for the analytics (DATABASE_READ_URL)', () => {
  let primary: PrivatePostgres;
  let standby: PrivatePostgres;
  let server: ServerProcess;
  let adminToken: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'skilled-replica-'));

  const studentsInFigures = async () => {
    const res = await call(server.url, 'GET', '/api/admin/analytics', { token: adminToken });
    expect(res.status).toBe(200);
    return res.body.data.users.byRole.student as number;
  };
  const studentsInPrimary = async () =>
    (await queryOne<{ n: number }>(primary.url, `select count(*)::int as n from users where role = 'student'`)).n;

  beforeAll(async () => {
    primary = await privatePostgres();
    standby = await privatePostgres({ standbyOf: primary });
    server = spawnServer(
      {
        DATA_DIR: dataDir,
        DATABASE_URL: primary.url,
        DATABASE_READ_URL: standby.url,
        JWT_SECRET: randomBytes(32).toString('hex'),
        SEED_DEMO: 'false',
        LOG_LEVEL: 'warn',
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
        ...WITHOUT_RATE_LIMITS,
      },
      await freePort(),
    );
    await waitReady(server);
    const signIn = await call(server.url, 'POST', '/api/auth/signin', { body: ADMIN });
    expect(signIn.status).toBe(200);
    adminToken = signIn.body.data.accessToken;
  }, 90_000);

  afterAll(async () => {
    if (server) await stopServer(server, 'SIGKILL');
    standby?.destroy();
    primary?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers the platform figures from the replica: writes made while its replay is paused show up once it resumes', async () => {
    // The standby is a hot standby of the primary, and the figures come from it once it has caught up.
    expect((await queryOne<{ standby: boolean }>(standby.url, 'select pg_is_in_recovery() as standby')).standby).toBe(true);
    await expect.poll(async () => (await studentsInFigures()) === (await studentsInPrimary()), { timeout: 10_000 }).toBe(true);
    const before = await studentsInFigures();
    // No INSTANCE_ID here: no X-Instance-Id header either.
    expect((await call(server.url, 'GET', '/api/health')).headers?.has('x-instance-id')).toBe(false);

    await queryOne(standby.url, 'select pg_wal_replay_pause()');
    try {
      // Writes go to the primary, replay or not.
      for (let i = 0; i < 3; i++) await account(server.url, 'student');
      expect(await studentsInPrimary()).toBe(before + 3);
      // The figures still show the replica's paused state.
      expect(await studentsInFigures()).toBe(before);
    } finally {
      await queryOne(standby.url, 'select pg_wal_replay_resume()');
    }
    await expect.poll(studentsInFigures, { timeout: 10_000 }).toBe(before + 3);
  }, 60_000);

  it("serves a learner's own analytics and progress report from the replica, and records the report's audit entry in the primary", async () => {
    const student = await account(server.url, 'student');
    // The new account reaches the replica within a moment of the sign-up.
    await expect.poll(async () => (await call(server.url, 'GET', '/api/analytics', { token: student.token })).status, { timeout: 10_000 }).toBe(200);
    const report = await call(server.url, 'GET', '/api/analytics/report?format=csv', { token: student.token });
    expect(report.status).toBe(200);
    expect(report.headers?.get('content-type')).toMatch(/^text\/csv/);
    const audit = await queryOne<{ n: number }>(
      primary.url,
      `select count(*)::int as n from audit_log where action = 'report.generate' and target_id = '${student.id}'`,
    );
    expect(audit.n).toBe(1);
  }, 60_000);

  it("serves an admin report and a course's at-risk list from the replica", async () => {
    const report = await call(server.url, 'GET', '/api/admin/reports?type=enrollments&format=csv', { token: adminToken });
    expect(report.status).toBe(200);
    expect(String(report.body)).toMatch(/^\S/);
    const instructor = await account(server.url, 'instructor');
    const course = await call(server.url, 'POST', '/api/courses', {
      token: instructor.token,
      body: { title: 'Replica course', description: 'd', thumbnailUrl: 'https://example.com/t.png', category: 'science', difficultyLevel: 'beginner' },
    });
    expect(course.status).toBe(201);
    const atRisk = () => call(server.url, 'GET', `/api/courses/${course.body.data.courseId}/at-risk`, { token: instructor.token });
    await expect.poll(async () => (await atRisk()).status, { timeout: 10_000 }).toBe(200);
    expect((await atRisk()).body.data).toEqual([]);
  }, 60_000);

  it('keeps writes and other reads working while the replica is down: only the analytics answer 503', async () => {
    standby.stop('fast');
    try {
      const analytics = await call(server.url, 'GET', '/api/admin/analytics', { token: adminToken });
      expect(analytics.status).toBe(503);
      expect(analytics.body.code).toBe('DATABASE_UNAVAILABLE');
      const student = await account(server.url, 'student');
      expect((await call(server.url, 'GET', `/api/users/${student.id}/profile`, { token: student.token })).status).toBe(200);
    } finally {
      standby.start();
    }
    // The pool opens fresh connections once the replica is back.
    await expect.poll(async () => (await call(server.url, 'GET', '/api/admin/analytics', { token: adminToken })).status, { timeout: 15_000 }).toBe(200);
  }, 60_000);

  it('closes both pools on SIGTERM and exits 0', async () => {
    const connectionsOnStandby = () =>
      queryOne<{ n: number }>(standby.url, `select count(*)::int as n from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()`);
    expect((await connectionsOnStandby()).n).toBeGreaterThan(0);
    // Exit code 0: the shutdown ended cleanly (the timeout's forced exit is 1).
    expect(await stopServer(server, 'SIGTERM')).toBe(0);
    await expect.poll(async () => (await connectionsOnStandby()).n, { timeout: 5_000 }).toBe(0);
  }, 30_000);
});

describe('DATABASE_READ_URL without DATABASE_URL', () => {
  it('is refused at start with a message saying what is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skilled-replica-config-'));
    try {
      const server = spawnServer({ DATA_DIR: dir, DATABASE_READ_URL: 'postgres://postgres@127.0.0.1:1/replica' }, await freePort());
      expect(await server.exited).toBe(1);
      expect(server.output()).toMatch(/DATABASE_READ_URL: needs DATABASE_URL/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

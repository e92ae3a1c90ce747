import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/server/app.js';
import { loadConfig } from '../src/server/config.js';
import { type DatabaseHandle, openDatabase } from '../src/server/db/client.js';
import { assignmentSubmissions, assignments, courseEnrollments, courses } from '../src/server/db/schema.js';
import { ensureAdminAccount } from '../src/server/features/auth/service.js';
import { api, createInstructor, createStudent, signInAdmin, uniqueSuffix } from './support/api.js';
import { TEST_ADMIN, TEST_PASSWORD } from './support/constants.js';

const DAY = 86_400_000;

describe('POST /api/admin/fix-assignments (shared server)', () => {
  it('refuses students and instructors (403) and anonymous callers (401)', async () => {
    for (const user of [await createStudent(), await createInstructor()]) {
      const res = await api('POST', '/api/admin/fix-assignments', { token: user.token });
      expect(res.status, user.role).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN');
    }
    const anonymous = await api('POST', '/api/admin/fix-assignments');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('UNAUTHENTICATED');
  });

  it('answers an admin with the repair counts', async () => {
    const admin = await signInAdmin();
    const res = await api('POST', '/api/admin/fix-assignments', { token: admin.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      message: 'Assignment data repaired',
      data: {
        createdSubmissions: expect.any(Number),
        fixedStatuses: expect.any(Number),
        fixedDueDates: expect.any(Number),
        fixedLateFlags: expect.any(Number),
      },
    });
  });
});

/**
 * Broken rows cannot be made through the API, so these tests run their own server on their own empty
 * database (in-memory PGlite, or a throwaway PostgreSQL database when DATABASE_URL is set), write the
 * broken rows directly, and check the exact counts.
 */
describe('POST /api/admin/fix-assignments (own database with broken rows)', () => {
  let app: FastifyInstance;
  let database: DatabaseHandle;
  let dropDatabase: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    let databaseUrl: string | undefined;
    if (process.env.DATABASE_URL) {
      const name = `skilled_fix_${uniqueSuffix()}`;
      const server = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await server.connect();
      await server.query(`create database ${name}`);
      await server.end();
      const url = new URL(process.env.DATABASE_URL);
      url.pathname = `/${name}`;
      databaseUrl = url.toString();
      dropDatabase = async () => {
        const cleanup = new pg.Client({ connectionString: process.env.DATABASE_URL });
        await cleanup.connect();
        await cleanup.query(`drop database if exists ${name} with (force)`);
        await cleanup.end();
      };
    }
    database = await openDatabase({ databaseUrl, poolSize: 10 });
    await ensureAdminAccount(database.db, TEST_ADMIN);
    const config = loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'skilled-admin-')), NODE_ENV: 'test', RATE_LIMIT_ENABLED: 'false' });
    app = await buildApp({ config, database, logger: false });
    await app.ready();
  });

  afterAll(async () => {
    await app?.close();
    await database?.close();
    await dropDatabase();
  });

  async function call(method: 'GET' | 'POST', url: string, token?: string, payload?: object) {
    const res = await app.inject({
      method,
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(payload ? { payload } : {}),
    });
    return { status: res.statusCode, body: res.json() };
  }

  async function account(role: 'student' | 'instructor' | 'admin') {
    let email = TEST_ADMIN.email;
    let password = TEST_ADMIN.password;
    if (role !== 'admin') {
      const suffix = uniqueSuffix();
      email = `${role}-${suffix}@fix.test`;
      password = TEST_PASSWORD;
      const registered = await call('POST', '/api/users/register', undefined, {
        email,
        password,
        firstName: 'Fix',
        lastName: suffix,
        username: `fix_${suffix}`,
        role,
      });
      expect(registered.status).toBe(201);
    }
    const session = await call('POST', '/api/auth/signin', undefined, { email, password });
    expect(session.status).toBe(200);
    return { id: session.body.data.user.id as string, token: session.body.data.accessToken as string };
  }

  /** A course with three assignments (past due, future due, undated) and students in every broken state. */
  async function brokenCourse() {
    const db = database.db;
    const [instructor, s1, s2, withdrawn] = [
      await account('instructor'),
      await account('student'),
      await account('student'),
      await account('student'),
    ];
    const now = Date.now();
    const [course] = await db
      .insert(courses)
      .values({ title: 'Repairs', category: 'science', difficultyLevel: 'beginner', instructorId: instructor.id })
      .returning();
    const courseId = course!.id;
    const [pastDue, futureDue, undated] = await db
      .insert(assignments)
      .values([
        { courseId, title: 'Past due', points: 10, dueDate: new Date(now - 2 * DAY) },
        { courseId, title: 'Future due', points: 100, dueDate: new Date(now + 5 * DAY) },
        { courseId, title: 'Undated', points: 10 },
      ])
      .returning();
    await db.insert(courseEnrollments).values([
      { studentId: s1.id, courseId },
      { studentId: s2.id, courseId },
      { studentId: withdrawn.id, courseId, status: 'withdrawn', withdrawnAt: new Date() },
    ]);
    const row = (studentId: string, assignmentId: string) => ({ studentId, assignmentId, courseId });
    await db.insert(assignmentSubmissions).values([
      // graded without a grade, submitted late, but no due date copied and not flagged late
      { ...row(s1.id, pastDue!.id), status: 'graded', submittedAt: new Date(now - DAY), dueDate: null, isLate: false },
      // graded in all but status
      { ...row(s1.id, futureDue!.id), status: 'submitted', grade: 90, submittedAt: new Date(now - DAY), dueDate: futureDue!.dueDate },
      // (s1 has no row for the undated assignment)
      // submitted on time but still not_started, and wrongly flagged late
      { ...row(s2.id, pastDue!.id), status: 'not_started', submittedAt: new Date(now - 3 * DAY), dueDate: pastDue!.dueDate, isLate: true },
      // graded without a grade and never submitted
      { ...row(s2.id, futureDue!.id), status: 'graded', dueDate: futureDue!.dueDate },
      // consistent
      { ...row(s2.id, undated!.id), status: 'not_started' },
    ]);
    return { courseId, instructor, s1, s2, withdrawn, pastDue: pastDue!, futureDue: futureDue!, undated: undated! };
  }

  const submissionOf = async (studentId: string, assignmentId: string) =>
    (
      await database.db
        .select()
        .from(assignmentSubmissions)
        .where(and(eq(assignmentSubmissions.studentId, studentId), eq(assignmentSubmissions.assignmentId, assignmentId)))
    )[0];

  it('repairs every kind of inconsistency with exact counts, and a second call finds nothing', async () => {
    const { s1, s2, withdrawn, pastDue, futureDue, undated } = await brokenCourse();
    const admin = await account('admin');

    const first = await call('POST', '/api/admin/fix-assignments', admin.token);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      message: 'Assignment data repaired',
      data: { createdSubmissions: 1, fixedStatuses: 4, fixedDueDates: 1, fixedLateFlags: 2 },
    });

    // read the repaired rows back through the API, as the course staff sees them
    const byStudent = async (assignmentId: string) => {
      const res = await call('GET', `/api/assignments/${assignmentId}`, admin.token);
      expect(res.status).toBe(200);
      return new Map<string, any>(res.body.data.submissions.map((s: any) => [s.studentId, s]));
    };
    const past = await byStudent(pastDue.id);
    expect(past.get(s1.id)).toMatchObject({ status: 'submitted', dueDate: pastDue.dueDate!.toISOString(), isLate: true });
    expect(past.get(s1.id).grade).toBeUndefined();
    expect(past.get(s2.id)).toMatchObject({ status: 'submitted', isLate: false });
    const future = await byStudent(futureDue.id);
    expect(future.get(s1.id)).toMatchObject({ status: 'graded', grade: 90, isLate: false });
    expect(future.get(s1.id).gradedAt).toEqual(expect.any(String));
    expect(future.get(s2.id)).toMatchObject({ status: 'not_started' });
    expect(future.get(s2.id).submittedAt).toBeUndefined();
    const undatedRows = await byStudent(undated.id);
    expect(undatedRows.get(s1.id)).toMatchObject({ status: 'not_started', isLate: false });
    expect(undatedRows.get(s1.id).dueDate).toBeUndefined();
    // a withdrawn student gets no new rows
    expect([...past.keys(), ...future.keys(), ...undatedRows.keys()]).not.toContain(withdrawn.id);

    const second = await call('POST', '/api/admin/fix-assignments', admin.token);
    expect(second.body.data).toEqual({ createdSubmissions: 0, fixedStatuses: 0, fixedDueDates: 0, fixedLateFlags: 0 });
  });

  it('refuses to resubmit a graded submission (409 ALREADY_GRADED) and leaves it untouched', async () => {
    const { s1, futureDue } = await brokenCourse();
    const admin = await account('admin');
    // the repair makes s1's future-due row graded (it has a grade)
    expect((await call('POST', '/api/admin/fix-assignments', admin.token)).status).toBe(200);
    const before = await submissionOf(s1.id, futureDue.id);
    expect(before?.status).toBe('graded');

    const res = await call('POST', '/api/assignments/submit', s1.token, {
      assignmentId: futureDue.id,
      submissionContent: 'a better answer',
    });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('ALREADY_GRADED');
    expect(await submissionOf(s1.id, futureDue.id)).toEqual(before);
  });

  it('lets a student whose row is missing submit, concurrently, into one row', async () => {
    const { courseId, s2 } = await brokenCourse();
    const [late] = await database.db
      .insert(assignments)
      .values({ courseId, title: 'Added without rows', points: 5, dueDate: new Date(Date.now() - DAY) })
      .returning();
    expect(await submissionOf(s2.id, late!.id)).toBeUndefined();

    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        call('POST', '/api/assignments/submit', s2.token, { assignmentId: late!.id, submissionContent: `try ${i}` }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(5).fill(201));
    expect(new Set(results.map((r) => r.body.data.submissionId)).size).toBe(1);
    const rows = await database.db.select().from(assignmentSubmissions).where(eq(assignmentSubmissions.assignmentId, late!.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'submitted', isLate: true, dueDate: late!.dueDate });
  });
});

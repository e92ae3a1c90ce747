// The database's share of each endpoint: the app's own services run against the bench database with a
// query logger, so the captured SQL is exactly what the endpoint issues; each statement is then run
// again under EXPLAIN (ANALYZE, FORMAT JSON), inside a transaction that is rolled back.
import { randomUUID } from 'node:crypto';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { CourseListQuery } from '../src/contract/courses.js';
import { beforeCommit, type Database, runsCommitHooks } from '../src/server/db/client.js';
import * as schema from '../src/server/db/schema.js';
import type { AuthUser } from '../src/server/http/auth.js';
import { createAnalyticsService } from '../src/server/features/analytics/service.js';
import { createAssignmentService } from '../src/server/features/assignments/service.js';
import { listCourses } from '../src/server/features/courses/catalogue.js';
import { loadCourseDetails } from '../src/server/features/courses/details.js';
import { createEnrollmentsService } from '../src/server/features/enrollments/service.js';
import { createLessonsService } from '../src/server/features/lessons/service.js';
import { createRecommendationsService, loadCandidateCatalogue } from '../src/server/features/recommendations/service.js';
import { createUsersService } from '../src/server/features/users/service.js';

interface Captured {
  sql: string;
  params: unknown[];
}

export interface StatementCost {
  sql: string;
  planningMs: number;
  executionMs: number;
  /** Sequential scans over more than 1,000 rows: the usual sign of a missing index. */
  bigSeqScans: string[];
  plan: unknown;
}

export interface EndpointCost {
  endpoint: string;
  statements: number;
  planningMs: number;
  executionMs: number;
  slowest: { sql: string; executionMs: number; bigSeqScans: string[] };
  detail: StatementCost[];
}

class Rollback extends Error {}

const CONTROL = /^\s*(begin|commit|rollback|savepoint|release)\b/i;

interface PlanNode {
  'Node Type'?: string;
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

function seqScans(node: PlanNode, found: string[] = []): string[] {
  const rows = (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 1);
  if (node['Node Type'] === 'Seq Scan' && rows > 1000) found.push(`${node['Relation Name']} (${rows} rows)`);
  for (const child of node.Plans ?? []) seqScans(child, found);
  return found;
}

export interface ExplainSubjects {
  cataloguePaths: readonly string[];
  courseId: string;
  student: { id: string; courseId: string };
  /** A lesson the student has not completed, and an assignment without a submission. */
  openLesson: string;
  openAssignment: string;
}

export async function explainEndpoints(databaseUrl: string, subjects: ExplainSubjects): Promise<EndpointCost[]> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  let captured: Captured[] = [];
  const db = runsCommitHooks(
    drizzle({
      client: pool,
      schema,
      logger: { logQuery: (sql, params) => void captured.push({ sql, params }) },
    }) as unknown as Database,
  );
  const user: AuthUser = { id: subjects.student.id, role: 'student', sessionId: randomUUID(), ip: '127.0.0.1', requestId: 'bench-explain' };
  const capture = async (work: () => Promise<unknown>): Promise<Captured[]> => {
    captured = [];
    await work();
    return captured.filter((statement) => !CONTROL.test(statement.sql));
  };
  /**
   * A write runs inside a transaction that is rolled back: captured, but nothing is kept. It is rolled
   * back from the transaction's last end-of-transaction step, so the events are written (and captured) first.
   */
  const captureWrite = (work: (tx: Database) => Promise<unknown>) =>
    capture(() =>
      db
        .transaction(async (tx) => {
          await work(tx as unknown as Database);
          beforeCommit(tx, async () => {
            throw new Rollback();
          });
        })
        .catch((error: unknown) => {
          if (!(error instanceof Rollback)) throw error;
        }),
    );

  const endpoints: { name: string; statements: Captured[] }[] = [];
  for (const path of subjects.cataloguePaths.slice(0, 3)) {
    const query = CourseListQuery.parse(Object.fromEntries(new URL(path, 'http://x').searchParams));
    endpoints.push({ name: `GET ${path}`, statements: await capture(() => listCourses(db, query)) });
  }
  endpoints.push({ name: 'GET /api/courses/:id (anonymous)', statements: await capture(() => loadCourseDetails(db, subjects.courseId, null)) });
  endpoints.push({ name: 'GET /api/users/:id/profile', statements: await capture(() => createUsersService({ db }).profile(user, user.id)) });
  endpoints.push({ name: 'GET /api/analytics?period=month', statements: await capture(() => createAnalyticsService({ db }).forUser(user, user.id, 'month')) });
  endpoints.push({
    name: 'GET /api/courses/:id/progress',
    statements: await capture(() => createEnrollmentsService({ db }).progress(user, subjects.student.courseId, undefined)),
  });
  // The course list behind recommendations is shared and kept until something changes: per request,
  // only the learner's own statements run.
  let courseList: Awaited<ReturnType<typeof loadCandidateCatalogue>> | undefined;
  endpoints.push({
    name: 'recommendations: shared course list (once per change)',
    statements: await capture(async () => (courseList = await loadCandidateCatalogue(db))),
  });
  endpoints.push({
    name: 'GET /api/recommendations',
    statements: await capture(() => createRecommendationsService({ db, catalogue: async () => courseList! }).forUser(user.id, 5)),
  });
  endpoints.push({
    name: 'POST /api/lessons/complete',
    statements: await captureWrite((tx) => createLessonsService({ db: tx }).complete(user, { lessonId: subjects.openLesson, timeSpent: 12 })),
  });
  endpoints.push({
    name: 'POST /api/assignments/submit',
    statements: await captureWrite((tx) =>
      createAssignmentService({ db: tx }).submit(user, { assignmentId: subjects.openAssignment, submissionContent: 'Benchmark submission.' }),
    ),
  });

  const client = await pool.connect();
  const results: EndpointCost[] = [];
  try {
    for (const endpoint of endpoints) {
      const detail: StatementCost[] = [];
      await client.query('BEGIN');
      for (const statement of endpoint.statements) {
        await client.query('SAVEPOINT s');
        try {
          const { rows } = await client.query<{ 'QUERY PLAN': { Plan: PlanNode; 'Planning Time': number; 'Execution Time': number }[] }>(
            `EXPLAIN (ANALYZE, FORMAT JSON) ${statement.sql}`,
            statement.params,
          );
          const [plan] = rows[0]!['QUERY PLAN'];
          detail.push({
            sql: statement.sql,
            planningMs: plan!['Planning Time'],
            executionMs: plan!['Execution Time'],
            bigSeqScans: seqScans(plan!.Plan),
            plan: plan!.Plan,
          });
          await client.query('RELEASE SAVEPOINT s');
        } catch {
          // Not explainable as such (none of the app's statements so far); the savepoint keeps the rest going.
          await client.query('ROLLBACK TO SAVEPOINT s');
        }
      }
      await client.query('ROLLBACK');
      const slowest = [...detail].sort((a, b) => b.executionMs - a.executionMs)[0];
      const sum = (pick: (s: StatementCost) => number) => Number(detail.reduce((total, s) => total + pick(s), 0).toFixed(3));
      results.push({
        endpoint: endpoint.name,
        statements: endpoint.statements.length,
        planningMs: sum((s) => s.planningMs),
        executionMs: sum((s) => s.executionMs),
        slowest: slowest
          ? { sql: slowest.sql.replace(/\s+/g, ' ').slice(0, 240), executionMs: slowest.executionMs, bigSeqScans: slowest.bigSeqScans }
          : { sql: '', executionMs: 0, bigSeqScans: [] },
        detail,
      });
    }
  } finally {
    client.release();
    await pool.end();
  }
  return results;
}

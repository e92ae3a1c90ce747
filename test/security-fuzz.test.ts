// Property-based: every route, called by a signed-in user of each role with generated invalid bodies,
// queries and ids, never answers 500, and when it refuses (4xx) nothing in the database changed. The
// server has a database of its own (an in-memory one, or a new PostgreSQL database when DATABASE_URL is
// set), so that the fingerprint (row counts and newest updated_at of every table) sees only this test.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase, queryRows } from '../src/server/db/client.js';
import { factories, register } from './support/authz-world.js';
import { adminOn, clientAt, type OwnServer, randomIp, startServer } from './support/security.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 3);
const ip = randomIp();

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  format?: string;
  minimum?: number;
  maximum?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

interface Operation {
  method: string;
  path: string;
  pathParams: string[];
  queryParams: string[];
  bodySchema: JsonSchema | undefined;
  hasBody: boolean;
  multipart: boolean;
}

let server: OwnServer;
let database: DatabaseHandle;
let dropDatabase: (() => Promise<void>) | undefined;
let operations: Operation[] = [];
let tokens: Record<'student' | 'instructor' | 'admin', string>;
let validIds: string[] = [];
let tables: { name: string; updatedAt: boolean }[] = [];

/** A database for this test alone: in memory, or a new PostgreSQL database next to DATABASE_URL's. */
async function ownDatabase(): Promise<DatabaseHandle> {
  const url = process.env.DATABASE_URL;
  if (!url) return openDatabase({});
  const name = `skilled_fuzz_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const own = new URL(url);
  own.pathname = `/${name}`;
  dropDatabase = async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.end();
  };
  return openDatabase({ databaseUrl: own.toString(), poolSize: 5 });
}

beforeAll(async () => {
  database = await ownDatabase();
  server = await startServer(
    {
      RATE_LIMIT_IP_MAX: '1000000',
      RATE_LIMIT_USER_MAX: '1000000',
      RATE_LIMIT_AUTH_MAX: '1000000',
      LOCKOUT_THRESHOLD: '1000',
      LOCKOUT_ACCOUNT_THRESHOLD: '100000',
      LOCKOUT_DELAY_MS: '0',
      MAX_SESSIONS: '100',
    },
    { database },
  );
  const doc = server.app.swagger() as { paths: Record<string, Record<string, any>> };
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const parameters = (op.parameters ?? []) as { in: string; name: string }[];
      const json = op.requestBody?.content?.['application/json']?.schema as JsonSchema | undefined;
      const schema = json?.anyOf?.find((s) => s.type === 'object') ?? json;
      operations.push({
        method: method.toUpperCase(),
        path,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: parameters.filter((p) => p.in === 'query').map((p) => p.name),
        bodySchema: schema,
        hasBody: Boolean(op.requestBody),
        multipart: Boolean(op.requestBody?.content?.['multipart/form-data']),
      });
    }
  }
  operations = operations.sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`));

  // a little of everything, so that valid ids lead past the first checks
  const url = server.url;
  const make = factories(url);
  const [student, instructor] = await Promise.all([register(url, 'student'), register(url, 'instructor')]);
  const admin = await adminOn(clientAt(url));
  const courseId = await make.course(instructor);
  const lessonId = await make.lesson(instructor, courseId);
  const assignmentId = await make.assignment(instructor, courseId);
  const quizId = await make.quiz(instructor, courseId);
  await make.enroll(student, courseId);
  const upload = await make.upload(student);
  const keyId = await make.apiKey(student, ['profile:edit']);
  tokens = { student: student.token, instructor: instructor.token, admin: admin.token };
  validIds = [student.id, instructor.id, admin.id, courseId, lessonId, assignmentId, quizId, upload.fileId, keyId];

  tables = (
    await queryRows<{ table_name: string; has_updated_at: boolean }>(
      database.db,
      sql`select t.table_name,
            exists(select 1 from information_schema.columns c
                   where c.table_schema = 'public' and c.table_name = t.table_name and c.column_name = 'updated_at') as has_updated_at
          from information_schema.tables t
          where t.table_schema = 'public' and t.table_type = 'BASE TABLE'
          order by t.table_name`,
    )
  ).map((row) => ({ name: row.table_name, updatedAt: row.has_updated_at }));
}, 180_000);

afterAll(async () => {
  await server?.close();
  await database?.close();
  await dropDatabase?.();
});

/** Refusals that are themselves recorded, as security events: the only rows a 4xx may write. */
const REFUSAL_EVENTS = ['user.signin_failed', 'user.signin_locked', 'user.signin_account_throttled', 'session.refresh_refused', 'session.refresh_reuse'];

/**
 * Once notifications queued by an accepted request (a generated announcement that was valid) are written:
 * the instance writes them just after that request's commit, and they must not be seen as the work of the
 * request after it.
 */
async function queuedNotificationsWritten(): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const [{ waiting } = { waiting: 0 }] = await queryRows<{ waiting: number }>(
      database.db,
      sql.raw('select count(*)::int as waiting from notification_queue where failed_at is null'),
    );
    if (waiting === 0 || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Row counts and the newest updated_at of every table, in one query, once queued notifications are written. */
async function fingerprint(): Promise<string> {
  await queuedNotificationsWritten();
  const refusals = REFUSAL_EVENTS.map((action) => `'${action}'`).join(', ');
  const parts = tables.map(({ name, updatedAt }) => {
    const rows = name === 'audit_log' ? `count(*) filter (where action not in (${refusals}))` : 'count(*)';
    const newest = updatedAt ? `coalesce(max(updated_at)::text, '')` : `''`;
    return sql.raw(`select '${name}' as t, ${rows}::text || ':' || ${newest} as f from "${name}"`);
  });
  const rows = await queryRows<{ t: string; f: string }>(database.db, sql.join(parts, sql.raw(' union all ')));
  return rows.map((row) => `${row.t}=${row.f}`).join(' ');
}

// ---- generators of invalid input

const weirdText = fc.oneof(
  fc.constantFrom('', ' ', '0', '-1', 'null', 'undefined', 'NaN', '1e309', '[]', '{}', 'true', "' OR 1=1 --", '<script>x</script>', '../../etc/passwd'),
  fc.constantFrom('%00', '\u0000', '\u202e', '\ud800', 'a'.repeat(5000), '00000000-0000-0000-0000-000000000000', 'ZZZZZZZZ-0000-4000-8000-000000000000'),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
/** Ordinary text with one awkward character in it: passes length checks, reaches the database. */
const poisonedText = fc.constantFrom('\u0000', '\ud800', '\uffff', "'", '"', '\\', '%', '\u202e', '\r\n').map((c) => `Fuzzed${c}text`);
const anyValue = fc.oneof(
  weirdText,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(weirdText, { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), weirdText, { maxKeys: 3 }),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e300, -0),
);
const idLike = () => fc.oneof(fc.constantFrom(...validIds), fc.uuid(), weirdText);

/** A value that fits the schema more or less: enough to get past validation now and then. */
function plausible(schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 3) return anyValue;
  const options = schema.anyOf ?? schema.oneOf;
  if (options?.length) return fc.oneof(...options.map((option) => plausible(option, depth + 1)));
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'string':
      if (schema.format === 'uuid') return fc.constantFrom(...validIds);
      if (schema.format === 'date-time') return fc.constantFrom(new Date(Date.now() + 86_400_000).toISOString(), '2020-01-01T00:00:00Z');
      if (schema.format === 'email') return fc.constantFrom('fuzz@fuzz.skilled', 'x@y.z');
      if (schema.format === 'uri') return fc.constantFrom('https://example.com/a', 'http://localhost:9/x');
      return fc.constantFrom('Fuzzed text', 'programming', 'matrix_user', 'A-valid-password-42');
    case 'integer':
    case 'number':
      return fc.integer({ min: Math.ceil(Math.max(schema.minimum ?? 0, -1000)), max: Math.floor(Math.min(schema.maximum ?? 100, 1000)) });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(plausible(schema.items, depth + 1), { maxLength: 2 });
    case 'object':
      return fc.record(
        Object.fromEntries(Object.entries(schema.properties ?? {}).map(([key, value]) => [key, plausible(value, depth + 1)])),
        { requiredKeys: [] },
      );
    default:
      return anyValue;
  }
}

/** A plausible body with one field spoiled: what a buggy or hostile client sends. */
function spoiled(schema: JsonSchema) {
  const fields = Object.keys(schema.properties ?? {});
  if (!fields.length) return plausible(schema);
  return fc
    .tuple(plausible(schema), fc.constantFrom(...fields), fc.oneof(poisonedText, weirdText, anyValue))
    .map(([body, field, value]) => ({ ...(body as Record<string, unknown>), [field]: value }));
}

function requestFor(op: Operation) {
  const body = op.multipart
    ? fc.oneof(fc.constant(undefined), fc.record({ raw: fc.string({ maxLength: 200 }) }))
    : op.hasBody
      ? fc.oneof(
          { weight: 3, arbitrary: (op.bodySchema ? spoiled(op.bodySchema) : anyValue).map((value) => ({ json: value })) },
          { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => ({ json: value })) },
          { weight: 1, arbitrary: fc.constantFrom('{', '{"a":', 'null', '[]', '"text"', '{"__proto__":{"role":"admin"}}').map((raw) => ({ raw })) },
        )
      : fc.constant(undefined);
  return fc.record({
    params: fc.tuple(...op.pathParams.map(() => idLike())),
    query: fc.dictionary(fc.oneof(fc.constantFrom(...op.queryParams, 'page', 'limit'), fc.string({ maxLength: 6 })), weirdText, { maxKeys: 4 }),
    body,
  });
}

async function send(op: Operation, role: keyof typeof tokens, input: { params: string[]; query: Record<string, string>; body: unknown }) {
  let index = 0;
  const path = op.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(input.params[index++] ?? ''));
  const url = new URL(path, server.url);
  for (const [key, value] of Object.entries(input.query)) url.searchParams.append(key, value);
  const headers: Record<string, string> = { 'x-forwarded-for': ip, authorization: `Bearer ${tokens[role]}` };
  let payload: string | undefined;
  const body = input.body as { json?: unknown; raw?: string } | undefined;
  if (body && 'json' in body) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body.json);
  } else if (body && 'raw' in body) {
    headers['content-type'] = op.multipart ? 'multipart/form-data; boundary=x' : 'application/json';
    payload = body.raw;
  }
  const aborter = new AbortController();
  const response = await fetch(url, { method: op.method, headers, body: payload, signal: aborter.signal });
  const stream = (response.headers.get('content-type') ?? '').includes('text/event-stream');
  const text = stream ? '' : await response.text();
  if (stream) aborter.abort();
  return { status: response.status, text: text.slice(0, 300), url: `${op.method} ${url.pathname}${url.search}` };
}

describe('generated invalid input', () => {
  it('covers every route', () => {
    expect(operations.length).toBe(server.app.routeTable.length);
  });

  it('never gets a 500, and a refusal changes nothing', async () => {
    const failures: string[] = [];
    let before = await fingerprint();
    for (const op of operations) {
      for (const role of ['student', 'instructor', 'admin'] as const) {
        await fc.assert(
          fc.asyncProperty(requestFor(op), async (input) => {
            const answer = await send(op, role, input);
            (globalThis as any).hist ??= {};
            const k = `${answer.status} ${answer.text.match(/"code":"([A-Z_]+)"/)?.[1] ?? ''}`;
            (globalThis as any).hist[k] = ((globalThis as any).hist[k] ?? 0) + 1;
            if (JSON.stringify(input.body ?? '').includes('\\u0000')) console.log('NUL', op.method, op.path, answer.status, answer.text.slice(0, 120));
            const after = await fingerprint();
            const problem =
              answer.status >= 500
                ? `answered ${answer.status}`
                : answer.status >= 400 && after !== before
                  ? `changed data with ${answer.status}: ${diff(before, after)}`
                  : undefined;
            before = after;
            if (problem) {
              failures.push(`${role} ${answer.url} ${JSON.stringify(input.body)?.slice(0, 120)}: ${problem} ${answer.text}`);
              return false;
            }
            return true;
          }),
          { numRuns: RUNS, endOnFailure: true },
        ).catch(() => undefined);
      }
    }
    console.log(JSON.stringify((globalThis as any).hist));
    expect(failures).toEqual([]);
  }, 240_000);
});

function diff(before: string, after: string): string {
  const was = new Set(before.split(' '));
  return after
    .split(' ')
    .filter((part) => !was.has(part))
    .join(' ');
}

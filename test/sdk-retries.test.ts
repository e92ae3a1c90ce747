// ApiClient behind a misbehaving proxy: retries with backoff only for requests safe to repeat, a
// retried submission stored exactly once, idempotency outcomes as typed errors, shared GETs, the ETag
// cache, upload progress, downloads and batches.
import { openAsBlob } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../src/sdk/errors.js';
import { api, baseUrl, courseWithStudent, createCourse, createInstructor, createStudent, uniqueSuffix } from './support/api.js';
import { startFlakyProxy, type FlakyProxy, type ProxyAction } from './support/flaky-proxy.js';
import { record, sdkFor } from './support/sdk.js';
import type { TestUser } from './support/api.js';

let proxy: FlakyProxy;
beforeAll(async () => {
  proxy = await startFlakyProxy(baseUrl());
});
afterEach(() => proxy.plan(() => undefined));
afterAll(() => proxy.close());

const viaProxy = (user: TestUser | undefined, options: Parameters<typeof sdkFor>[1] = {}) =>
  sdkFor(user, { baseUrl: proxy.url, ...options });

/** Misbehave on the given attempts of one method and path (1 = the first seen from now on). */
function misbehave(method: string, path: string, actions: Record<number, ProxyAction>) {
  const offset = proxy.count(method, path);
  proxy.plan((request) => (request.method === method && request.path === path ? actions[request.nth - offset] : undefined));
}

async function caught(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }
  throw new Error('expected the request to fail');
}

const courseBody = () => ({
  title: `Retried course ${uniqueSuffix()}`,
  category: 'design' as const,
  difficultyLevel: 'intermediate' as const,
});

async function coursesOf(instructorId: string): Promise<{ courseId: string; title: string }[]> {
  const res = await api('GET', '/api/courses', { query: { instructorId, limit: 100 } });
  return res.body.data;
}

describe('retries', () => {
  it('a GET survives a dropped connection and a 503, with the proxy seeing each attempt', async () => {
    const course = await createCourse(await createInstructor());
    const path = `/api/courses/${course.courseId}`;
    misbehave('GET', path, { 1: { kind: 'drop' }, 2: { kind: 'status', status: 503 } });
    const before = proxy.count('GET', path);
    const details = await viaProxy(undefined).getCourse(course.courseId);
    expect(details.courseId).toBe(course.courseId);
    expect(proxy.count('GET', path) - before).toBe(3);
  });

  it('honours Retry-After on a 429 instead of its own shorter backoff', async () => {
    const course = await createCourse(await createInstructor());
    const path = `/api/courses/${course.courseId}`;
    misbehave('GET', path, { 1: { kind: 'status', status: 429, retryAfter: '1' } });
    const started = Date.now();
    const details = await viaProxy(undefined, { retryBaseDelayMs: 1 }).getCourse(course.courseId);
    expect(details.courseId).toBe(course.courseId);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('fails at once when Retry-After asks for a longer pause than the client accepts', async () => {
    const course = await createCourse(await createInstructor());
    const path = `/api/courses/${course.courseId}`;
    misbehave('GET', path, { 1: { kind: 'status', status: 503, retryAfter: '120' } });
    const before = proxy.count('GET', path);
    const started = Date.now();
    const error = await caught(viaProxy(undefined, { maxRetryAfterMs: 5_000 }).getCourse(course.courseId));
    expect(error).toMatchObject({ status: 503, retryAfterMs: 120_000 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(proxy.count('GET', path) - before).toBe(1);
  });

  it('gives up after maxRetries with the last error, typed', async () => {
    const course = await createCourse(await createInstructor());
    const path = `/api/courses/${course.courseId}`;
    const always = { kind: 'status', status: 503 } as const;
    misbehave('GET', path, { 1: always, 2: always, 3: always });
    const before = proxy.count('GET', path);
    const error = await caught(viaProxy(undefined, { maxRetries: 2 }).getCourse(course.courseId));
    expect(error).toMatchObject({ status: 503, category: 'server' });
    expect(error.getUserMessage()).toMatch(/server had a problem/);
    expect(proxy.count('GET', path) - before).toBe(3);
  });

  it('a submission whose answer was lost is retried with the same key and stored exactly once', async () => {
    const { instructor, student, assignments } = await courseWithStudent({ lessons: 0, assignments: 1 });
    const assignmentId = assignments[0]!.assignmentId;
    misbehave('POST', '/api/assignments/submit', { 1: { kind: 'drop-after-forward' }, 2: { kind: 'drop' } });
    const client = viaProxy(student);
    const log = record(client);
    const receipt = await client.submitAssignment(assignmentId, { submissionContent: 'My answer, sent once' });
    expect(receipt).toMatchObject({ assignmentId, studentId: student.id, status: 'submitted', submissionContent: 'My answer, sent once' });

    const attempts = proxy.seen.filter((r) => r.method === 'POST' && r.path === '/api/assignments/submit').slice(-3);
    expect(attempts.map((a) => a.action)).toEqual(['drop-after-forward', 'drop', 'forward']);
    const keys = new Set(attempts.map((a) => a.headers['idempotency-key']));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toMatch(/^[0-9a-f-]{36}$/);
    // the third attempt was answered from the stored first one
    expect(log.at(-1)!.responseHeaders['idempotent-replayed']).toBe('true');

    const submissions = await api('GET', `/api/assignments/${assignmentId}/submissions`, { token: instructor.token });
    const mine = submissions.body.data.filter((s: { studentId: string }) => s.studentId === student.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ status: 'submitted', submissionContent: 'My answer, sent once', submittedAt: receipt.submittedAt });
  });

  it('a course creation retried after a lost answer creates one course', async () => {
    const instructor = await createInstructor();
    misbehave('POST', '/api/courses', { 1: { kind: 'drop-after-forward' }, 2: { kind: 'status', status: 503 } });
    const created = await viaProxy(instructor).createCourse(courseBody());
    const courses = await coursesOf(instructor.id);
    expect(courses.map((c) => c.courseId)).toEqual([created.courseId]);
  });

  it('a mutation sent without an Idempotency-Key is never retried', async () => {
    const instructor = await createInstructor();
    misbehave('POST', '/api/courses', { 1: { kind: 'drop-after-forward' } });
    const before = proxy.count('POST', '/api/courses');
    const error = await caught(viaProxy(instructor).createCourse(courseBody(), { idempotencyKey: false }));
    expect(error).toMatchObject({ status: 0, code: 'NETWORK_ERROR', category: 'network' });
    expect(proxy.count('POST', '/api/courses') - before).toBe(1);
    expect(proxy.seen.at(-1)!.headers['idempotency-key']).toBeUndefined();
    // the server did create it: which is why a keyless write must not be repeated blindly
    expect(await coursesOf(instructor.id)).toHaveLength(1);
  });
});

describe('idempotency outcomes', () => {
  it('a repeat with the same key is replayed; another body with that key is a typed 422', async () => {
    const instructor = await createInstructor();
    const client = sdkFor(instructor);
    const log = record(client);
    const key = `sdk-${uniqueSuffix()}`;
    const body = courseBody();
    const first = await client.createCourse(body, { idempotencyKey: key });
    const again = await client.createCourse(body, { idempotencyKey: key });
    expect(again).toEqual(first);
    expect(log.at(-1)!.responseHeaders['idempotent-replayed']).toBe('true');

    const mismatch = await caught(client.createCourse(courseBody(), { idempotencyKey: key }));
    expect(mismatch).toMatchObject({ status: 422, code: 'IDEMPOTENCY_KEY_MISMATCH', category: 'validation' });
    expect(log.at(-1)!.requestHeaders['idempotency-key']).toBe(key);
    expect(log.filter((e) => e.status === 422)).toHaveLength(1);
    expect(await coursesOf(instructor.id)).toHaveLength(1);
  });

  it('a repeat while the first is still running: a typed 409 without retries, the first answer with them', async () => {
    // A student with a course of many lessons and assignments, whose PDF progress report takes a while to
    // draw: a batch of twenty keeps the first request running long enough to be caught in the act.
    const { student } = await courseWithStudent({ lessons: 25, assignments: 10 });
    const client = viaProxy(student);
    const patientClient = viaProxy(student, { retryBaseDelayMs: 200, retryMaxDelayMs: 2000, maxRetries: 8 });
    const patientLog = record(patientClient);
    const requests = Array.from({ length: 20 }, () => ({ method: 'GET' as const, endpoint: '/api/analytics/report', params: { format: 'pdf' } }));
    // Drawn once beforehand, so that the PDF library's first load does not stand in for the slowness.
    expect((await client.batch(requests.slice(0, 1)))[0]!.status).toBe(200);
    // When the first had already finished (the repeat is answered from it) or had not yet claimed the key
    // (the first is refused), the scenario is run again with a new key, the repeat sent sooner or later.
    let waitMs = 30;
    for (let round = 1; ; round++) {
      const key = `sdk-${uniqueSuffix()}`;
      const before = proxy.count('POST', '/api/batch');
      const first = client.batch(requests, { idempotencyKey: key, retry: false });
      while (proxy.count('POST', '/api/batch') === before) await new Promise((resolve) => setTimeout(resolve, 5));
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      patientLog.length = 0;
      const [conflict, patient] = await Promise.allSettled([
        client.batch(requests, { idempotencyKey: key, retry: false }),
        patientClient.batch(requests, { idempotencyKey: key }),
      ]);
      const [firstOutcome] = await Promise.allSettled([first]);
      if (round < 6 && firstOutcome.status === 'rejected') {
        waitMs *= 2;
        continue;
      }
      if (round < 6 && conflict.status === 'fulfilled') {
        waitMs = Math.max(1, Math.floor(waitMs / 3));
        continue;
      }

      expect(firstOutcome.status).toBe('fulfilled');
      const answers = (firstOutcome as PromiseFulfilledResult<Awaited<typeof first>>).value;
      expect(answers).toHaveLength(20);
      expect(answers.every((a) => a.status === 200)).toBe(true);
      expect(conflict.status).toBe('rejected');
      const error = (conflict as PromiseRejectedResult).reason as ApiError;
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({ status: 409, code: 'IDEMPOTENCY_KEY_IN_USE', category: 'validation' });
      // the patient one waited, then got the stored answer of the first
      expect(patient).toMatchObject({ status: 'fulfilled' });
      expect((patient as PromiseFulfilledResult<unknown>).value).toEqual(answers);
      expect(patientLog[0]!.status).toBe(409);
      expect(patientLog.at(-1)!).toMatchObject({ status: 200, responseHeaders: { 'idempotent-replayed': 'true' } });
      return;
    }
  });
});

describe('GET sharing and the ETag cache', () => {
  it('identical GETs in flight share one request', async () => {
    const course = await createCourse(await createInstructor());
    const path = `/api/courses/${course.courseId}`;
    misbehave('GET', path, { 1: { kind: 'forward', delayMs: 100 } });
    const client = viaProxy(undefined);
    const before = proxy.count('GET', path);
    const results = await Promise.all(Array.from({ length: 5 }, () => client.getCourse(course.courseId)));
    expect(proxy.count('GET', path) - before).toBe(1);
    for (const result of results) expect(result).toEqual(results[0]);
    // different queries are different requests
    const ratingsPath = `${path}/ratings`;
    const beforeRatings = proxy.count('GET', ratingsPath);
    await Promise.all([client.listCourseRatings(course.courseId, { page: 1 }), client.listCourseRatings(course.courseId, { page: 2 })]);
    expect(proxy.count('GET', ratingsPath) - beforeRatings).toBe(2);
  });

  it('a second GET sends If-None-Match, gets 304 and returns the cached body; a change is seen', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const client = viaProxy(instructor);
    const log = record(client);
    const first = await client.getCourse(course.courseId);
    const etag = log.at(-1)!.responseHeaders.etag;
    expect(etag).toMatch(/.+/);
    expect(client.etagFor(`/api/courses/${course.courseId}`)).toBe(etag);

    const second = await client.getCourse(course.courseId);
    const sent = proxy.seen.at(-1)!;
    expect(sent.headers['if-none-match']).toBe(etag);
    expect(log.at(-1)!.status).toBe(304);
    expect(second).toEqual(first);

    await api('PUT', `/api/courses/${course.courseId}`, { token: instructor.token, body: { title: 'Changed elsewhere' } });
    const third = await client.getCourse(course.courseId);
    expect(log.at(-1)!.status).toBe(200);
    expect(third.title).toBe('Changed elsewhere');
  });

  it('an edit with a stale ETag in If-Match is a ConflictError carrying the current version', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const client = sdkFor(instructor);
    await client.getCourse(course.courseId);
    const etag = client.etagFor(`/api/courses/${course.courseId}`)!;
    await api('PUT', `/api/courses/${course.courseId}`, { token: instructor.token, body: { title: 'Edited by a colleague' } });
    const error = await caught(client.updateCourse(course.courseId, { title: 'My edit' }, { ifMatch: etag }));
    expect(error.name).toBe('ConflictError');
    expect(error).toMatchObject({ status: 412, code: 'PRECONDITION_FAILED', category: 'validation' });
    expect((error as ApiError & { current: { title: string } }).current.title).toBe('Edited by a colleague');
    expect((error as ApiError & { attempted: unknown }).attempted).toEqual({ title: 'My edit' });
    expect((await client.getCourse(course.courseId)).title).toBe('Edited by a colleague');
  });
});

describe('files and batches', () => {
  it('uploadFile reports progress rising to exactly 1 while a 2 MB file leaves, and the server stores every byte', async () => {
    const path = join(tmpdir(), `sdk-upload-${uniqueSuffix()}.txt`);
    const lines = Array.from({ length: 70_000 }, (_, i) => `line ${String(i).padStart(6, '0')} of a long study text\n`).join('');
    await writeFile(path, lines.slice(0, 2 * 1024 * 1024));
    const file = await openAsBlob(path, { type: 'text/plain' });
    expect(file.size).toBe(2 * 1024 * 1024);
    const student = await createStudent();
    const client = viaProxy(student);
    const progress: number[] = [];
    const before = proxy.count('POST', '/api/uploads');
    const uploaded = await client.upload(file, (value) => progress.push(value), { fileName: 'notes.txt' });
    expect(uploaded).toMatchObject({ fileName: 'notes.txt', size: file.size, contentType: expect.stringMatching(/^text\/plain/), url: `/api/files/${uploaded.fileId}` });
    expect(proxy.count('POST', '/api/uploads') - before).toBe(1);
    expect(proxy.seen.at(-1)!.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);

    expect(progress.length).toBeGreaterThan(10);
    expect(progress[0]).toBeLessThan(0.1);
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1]!);
    expect(progress.at(-1)).toBe(1);
    expect(progress.filter((p) => p === 1)).toHaveLength(1);

    // read back: the same bytes
    const stored = await client.getFile(uploaded.fileId);
    expect(stored.size).toBe(file.size);
    expect(Buffer.from(await stored.arrayBuffer()).equals(Buffer.from(await file.arrayBuffer()))).toBe(true);
  });

  it('downloadFile returns the file as a Blob', async () => {
    const student = await createStudent();
    const blob = await sdkFor(student).downloadFile('/api/analytics/report', 'report.csv', { format: 'csv' });
    expect(blob).toBeInstanceOf(Blob);
    expect(blob.type).toMatch(/^text\/csv/);
    expect(blob.size).toBeGreaterThan(0);
    expect(await blob.text()).toMatch(/\n/);
  });

  it('batch runs requests in order as the caller, each with its own status; retried as one', async () => {
    const instructor = await createInstructor();
    const course = await createCourse(instructor);
    const student = await createStudent();
    misbehave('POST', '/api/batch', { 1: { kind: 'drop-after-forward' } });
    const answers = await viaProxy(student).batch([
      { method: 'GET', endpoint: `/api/courses/${course.courseId}` },
      { method: 'POST', endpoint: `/api/courses/${course.courseId}/enroll` },
      { method: 'GET', endpoint: '/api/courses/00000000-0000-4000-8000-000000000000' },
      { method: 'GET', endpoint: '/api/assignments', params: { limit: 1 } },
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 201, 404, 200]);
    expect((answers[0]!.data as { data: { courseId: string } }).data.courseId).toBe(course.courseId);
    expect((answers[1]!.data as { data: { studentId: string } }).data.studentId).toBe(student.id);
    expect((answers[2]!.data as { code: string }).code).toBe('COURSE_NOT_FOUND');
    expect(answers[3]!.headers['content-type']).toMatch(/json/);
    // the enrolment was made once although the batch was sent twice
    const profile = await api('GET', `/api/users/${student.id}/profile`, { token: student.token });
    expect(profile.body.enrollments.map((e: { courseId: string }) => e.courseId)).toEqual([course.courseId]);
  });
});

import { describe, expect, it } from 'vitest';
import { api, createInstructor, createStudent, uniqueSuffix } from './support/api.js';

const courseBody = () => ({
  title: `Idempotent ${uniqueSuffix()}`,
  description: 'Created once however often it is sent',
  category: 'science',
  difficultyLevel: 'beginner',
});

async function coursesOf(instructorId: string) {
  const res = await api('GET', '/api/courses', { query: { instructorId, limit: 100 } });
  return res.body.pagination.totalCount as number;
}

describe('Idempotency-Key', () => {
  it('replays the first response for a repeat and creates nothing twice', async () => {
    const instructor = await createInstructor();
    const key = `key-${uniqueSuffix()}`;
    const body = courseBody();
    const first = await api('POST', '/api/courses', { token: instructor.token, body, headers: { 'idempotency-key': key } });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const repeat = await api('POST', '/api/courses', { token: instructor.token, body, headers: { 'idempotency-key': key } });
    expect(repeat.status).toBe(201);
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    expect(repeat.body.data.courseId).toBe(first.body.data.courseId);
    expect(await coursesOf(instructor.id)).toBe(1);
  });

  it('refuses the same key with a different body (422) and keeps keys per user', async () => {
    const instructor = await createInstructor();
    const key = `key-${uniqueSuffix()}`;
    expect((await api('POST', '/api/courses', { token: instructor.token, body: courseBody(), headers: { 'idempotency-key': key } })).status).toBe(201);
    const other = await api('POST', '/api/courses', { token: instructor.token, body: courseBody(), headers: { 'idempotency-key': key } });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_MISMATCH');
    // another user may use the same key for their own request
    const colleague = await createInstructor();
    expect((await api('POST', '/api/courses', { token: colleague.token, body: courseBody(), headers: { 'idempotency-key': key } })).status).toBe(201);
    expect(await coursesOf(instructor.id)).toBe(1);
  });

  it('concurrent repeats create one row: the others are replayed or told to wait (409)', async () => {
    const instructor = await createInstructor();
    const key = `key-${uniqueSuffix()}`;
    const body = courseBody();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => api('POST', '/api/courses', { token: instructor.token, body, headers: { 'idempotency-key': key } })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    for (const conflict of results.filter((r) => r.status === 409)) {
      expect(conflict.body.code).toBe('IDEMPOTENCY_KEY_IN_USE');
      expect(conflict.headers.get('retry-after')).toBe('1');
    }
    const ids = new Set(results.filter((r) => r.status === 201).map((r) => r.body.data.courseId));
    expect(ids.size).toBe(1);
    expect(await coursesOf(instructor.id)).toBe(1);
  });

  it('replays refusals too, and rejects a malformed key', async () => {
    const student = await createStudent();
    const key = `key-${uniqueSuffix()}`;
    const body = courseBody();
    const first = await api('POST', '/api/courses', { token: student.token, body, headers: { 'idempotency-key': key } });
    expect(first.status).toBe(403);
    const again = await api('POST', '/api/courses', { token: student.token, body, headers: { 'idempotency-key': key } });
    expect(again.status).toBe(403);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const bad = await api('POST', '/api/courses', { token: student.token, body, headers: { 'idempotency-key': 'x'.repeat(300) } });
    expect(bad.status).toBe(400);
  });
});

describe('POST /api/batch', () => {
  it('runs the requests in order as the caller, each with its own status and body', async () => {
    const instructor = await createInstructor();
    const body = courseBody();
    const res = await api('POST', '/api/batch', {
      token: instructor.token,
      body: {
        requests: [
          { method: 'GET', path: '/api/auth/check' },
          { method: 'POST', path: '/api/courses', body },
          { method: 'GET', path: `/api/courses?instructorId=${instructor.id}` },
          { method: 'GET', path: '/api/no-such-thing' },
          { method: 'POST', path: '/api/courses', body: { title: '' } },
        ],
      },
    });
    expect(res.status).toBe(200);
    const statuses = res.body.data.map((r: { status: number }) => r.status);
    expect(statuses).toEqual([200, 201, 200, 404, 400]);
    expect(res.body.data[0].body.user.id).toBe(instructor.id);
    expect(res.body.data[2].body.pagination.totalCount).toBe(1);
    expect(res.body.data[4].body.code).toBe('VALIDATION_ERROR');
  });

  it('lets other requests through while its sub-requests run', async () => {
    const student = await createStudent();
    // Twenty PDF reports (one drawn first, so that the PDF library is loaded): long enough to overlap.
    const report = { method: 'GET', path: '/api/analytics/report?format=pdf' };
    expect((await api('POST', '/api/batch', { token: student.token, body: { requests: [report] } })).status).toBe(200);
    const finished: string[] = [];
    const batch = api('POST', '/api/batch', { token: student.token, body: { requests: Array.from({ length: 20 }, () => report) } }).then((res) => {
      finished.push('batch');
      return res;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const check = await api('GET', '/api/auth/check', { token: student.token });
    finished.push('check');
    expect(check.status).toBe(200);
    const res = await batch;
    expect(res.status).toBe(200);
    expect(res.body.data.map((r: { status: number }) => r.status)).toEqual(Array(20).fill(200));
    expect(finished).toEqual(['check', 'batch']);
  });

  it('needs a signed-in caller and at most 20 requests, and no nested batch', async () => {
    const student = await createStudent();
    expect((await api('POST', '/api/batch', { body: { requests: [{ method: 'GET', path: '/api/health' }] } })).status).toBe(401);
    const tooMany = Array.from({ length: 21 }, () => ({ method: 'GET', path: '/api/health' }));
    expect((await api('POST', '/api/batch', { token: student.token, body: { requests: tooMany } })).status).toBe(400);
    const nested = await api('POST', '/api/batch', { token: student.token, body: { requests: [{ method: 'POST', path: '/api/batch' }] } });
    expect(nested.status).toBe(400);
    // a sub-request cannot borrow another identity: it runs with the batch caller's credentials only
    const sneaky = await api('POST', '/api/batch', {
      token: student.token,
      body: { requests: [{ method: 'POST', path: '/api/courses', body: courseBody(), headers: { authorization: 'Bearer forged' } }] },
    });
    expect(sneaky.body.data[0].status).toBe(403);
  });
});

// ApiClient against the real server: the HTTP methods, bearer and cookie sessions, one shared refresh
// for every request in flight, interceptors, timeouts and cancellation, and typed errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../src/sdk/api-client.js';
import { ApiError, getUserMessage } from '../src/sdk/errors.js';
import { api, baseUrl, createCourse, createInstructor, createStudent, enroll, uniqueSuffix } from './support/api.js';
import { startFlakyProxy, type FlakyProxy } from './support/flaky-proxy.js';
import { cookieJarFetch, coreFor, record, sdkFor, spoiled } from './support/sdk.js';

const courseBody = () => ({
  title: `SDK course ${uniqueSuffix()}`,
  description: 'Made through the SDK',
  category: 'programming' as const,
  difficultyLevel: 'beginner' as const,
});

async function caught(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }
  throw new Error('expected the request to fail');
}

let proxy: FlakyProxy;
beforeAll(async () => {
  proxy = await startFlakyProxy(baseUrl());
});
afterAll(() => proxy.close());

describe('ApiClient HTTP methods', () => {
  it('get, post, put and delete reach the server and return its JSON', async () => {
    const instructor = await createInstructor();
    const client = coreFor(instructor);

    const created = await client.post<{ message: string; data: { courseId: string; title: string } }>('/api/courses', courseBody());
    expect(created.message).toBe('Course created successfully');
    const courseId = created.data.courseId;

    const list = await client.get<{ data: { courseId: string }[]; pagination: { limit: number } }>('/api/courses', {
      instructorId: instructor.id,
      limit: 5,
    });
    expect(list.pagination.limit).toBe(5);
    expect(list.data.map((c) => c.courseId)).toEqual([courseId]);

    const updated = await client.put<{ data: { title: string } }>(`/api/courses/${courseId}`, { title: 'Renamed by the SDK' });
    expect(updated.data.title).toBe('Renamed by the SDK');
    const reread = await api('GET', `/api/courses/${courseId}`);
    expect(reread.body.data.title).toBe('Renamed by the SDK');

    const removed = await client.delete<{ message: string }>(`/api/courses/${courseId}`);
    expect(removed.message).toMatch(/deleted/i);
    const gone = await caught(client.get(`/api/courses/${courseId}`));
    expect(gone.status).toBe(404);
    expect(gone.code).toBe('COURSE_NOT_FOUND');
    expect(gone.category).toBe('unknown');
  });

  it('patch sends a PATCH with a JSON body (no route takes PATCH yet: the server answers 404)', async () => {
    const instructor = await createInstructor();
    const client = new ApiClient({ baseUrl: proxy.url, tokens: { accessToken: instructor.token } });
    const error = await caught(client.patch('/api/courses/00000000-0000-4000-8000-000000000000', { title: 'x' }));
    const sent = proxy.seen.filter((r) => r.method === 'PATCH').at(-1)!;
    expect(sent.headers['content-type']).toBe('application/json');
    expect(sent.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(error.status).toBe(404);
    expect(error.code).toBe('ROUTE_NOT_FOUND');
  });

  it('sends query parameters, repeating arrays and leaving out undefined and null', async () => {
    const client = coreFor(undefined);
    const log = record(client);
    await client.get('/api/courses', { category: 'design', search: undefined, difficulty: null, limit: 2, sort: ['title'] });
    expect(new URL(log[0]!.url).search).toBe('?category=design&limit=2&sort=title');
  });
});

describe('bearer sessions', () => {
  it('signIn keeps the tokens, signOut ends the session and clears every trace of it', async () => {
    const student = await createStudent();
    const changes: unknown[] = [];
    const client = sdkFor(undefined, { onTokens: (tokens) => changes.push(tokens) });
    const log = record(client);

    const session = await client.signIn(student.email, student.password);
    expect(session.user.id).toBe(student.id);
    expect(client.getTokens()).toEqual({ accessToken: session.accessToken, refreshToken: session.refreshToken, expiresAt: session.expiresAt });
    expect(changes).toHaveLength(1);
    expect(await client.checkAuth()).toMatchObject({ authenticated: true, user: { id: student.id, role: 'student' } });
    expect(log.at(-1)!.requestHeaders.authorization).toBe(`Bearer ${session.accessToken}`);
    // a cached response, to see that sign-out forgets it too
    await client.getUserProfile(student.id);
    await client.getUserProfile(student.id);
    expect(log.at(-1)!.requestHeaders['if-none-match']).toBeDefined();

    await client.signOut();
    expect(client.getTokens()).toBeUndefined();
    expect(changes.at(-1)).toBeNull();
    expect(log.at(-1)!.path).toBe('/api/auth/signout');
    expect(await client.checkAuth()).toEqual({ authenticated: false });
    expect(log.at(-1)!.requestHeaders.authorization).toBeUndefined();
    const anonymous = await caught(client.getUserProfile(student.id));
    expect(anonymous.status).toBe(401);
    expect(log.at(-1)!.requestHeaders['if-none-match']).toBeUndefined();
    // the refresh token of the ended session no longer works
    const refresh = await api('POST', '/api/auth/refresh', { body: { refreshToken: session.refreshToken } });
    expect(refresh.status).toBe(401);
  });

  it('wrong credentials are a typed 401 and never trigger a refresh', async () => {
    const student = await createStudent();
    const expired: string[] = [];
    const client = sdkFor(student, { onSessionExpired: () => expired.push('expired') });
    const log = record(client);
    const error = await caught(client.signIn(student.email, 'not-the-password'));
    expect(error).toMatchObject({ status: 401, code: 'INVALID_CREDENTIALS', category: 'auth' });
    expect(log.map((e) => e.path)).toEqual(['/api/auth/signin']);
    expect(expired).toEqual([]);
    expect(client.getTokens()?.accessToken).toBe(student.token);
  });
});

describe('one refresh shared by every request in flight', () => {
  it('10 concurrent requests with a refused access token: one refresh, then all are replayed and succeed', async () => {
    const { student, course } = await (async () => {
      const instructor = await createInstructor();
      const course = await createCourse(instructor);
      const student = await createStudent();
      await enroll(student, course.courseId);
      return { student, course };
    })();
    const changes: unknown[] = [];
    const client = sdkFor(undefined, {
      baseUrl: proxy.url,
      tokens: { accessToken: spoiled(student.token), refreshToken: student.refreshToken },
      onTokens: (tokens) => changes.push(tokens),
    });
    const refreshes: number[] = [];
    client.interceptors.response.push((response, context) => {
      if (context.url.endsWith('/api/auth/refresh')) refreshes.push(response.status);
      return response;
    });
    // One request is held back, so that its 401 arrives after the refresh has finished: it must be
    // replayed with the new token, not refresh again.
    const refreshesBefore = proxy.count('POST', '/api/auth/refresh');
    proxy.plan(({ path, headers }) =>
      path === '/api/courses/' + course.courseId + '/progress' && headers.authorization?.includes('c2lnbmF0dXJlLWNoYW5nZWQ')
        ? { kind: 'forward', delayMs: 400 }
        : undefined,
    );
    try {
      const results = await Promise.all([
        ...Array.from({ length: 8 }, (_, i) => client.listMyAssignments({ page: i + 1 })),
        client.getCourseProgress(course.courseId),
        client.getMyAnalytics('month'),
      ]);
      expect(results.slice(0, 8).every((r) => 'pagination' in r)).toBe(true);
      expect(results[8]).toMatchObject({ courseId: course.courseId });
      expect(results[9]).toMatchObject({ userId: student.id, period: 'month' });
    } finally {
      proxy.plan(() => undefined);
    }
    expect(refreshes).toEqual([200]);
    expect(proxy.count('POST', '/api/auth/refresh') - refreshesBefore).toBe(1);
    expect(changes).toHaveLength(1);
    expect(client.getTokens()?.refreshToken).not.toBe(student.refreshToken);
    // the new session works on its own
    expect((await client.getCourseProgress(course.courseId)).courseId).toBe(course.courseId);
  });

  it('a refused refresh: every waiting request fails with 401, the session is forgotten, once', async () => {
    const student = await createStudent();
    const expired: string[] = [];
    const client = sdkFor(undefined, {
      tokens: { accessToken: spoiled(student.token), refreshToken: 'not-a-refresh-token' },
      onSessionExpired: () => expired.push('expired'),
    });
    const log = record(client);
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => client.listMyAssignments({ page: i + 1 })));
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      const reason = (outcome as PromiseRejectedResult).reason as ApiError;
      expect(reason).toBeInstanceOf(ApiError);
      expect(reason.status).toBe(401);
      expect(reason.getUserMessage()).toBe('Your session has ended. Please sign in again.');
    }
    expect(log.filter((e) => e.path === '/api/auth/refresh').map((e) => e.status)).toEqual([401]);
    expect(expired).toEqual(['expired']);
    expect(client.getTokens()).toBeUndefined();
  });
});

describe('a refresh that cannot reach the server', () => {
  it('keeps the session: the request fails with its 401, and a later call refreshes', async () => {
    const student = await createStudent();
    const expired: string[] = [];
    const client = sdkFor(undefined, {
      baseUrl: proxy.url,
      tokens: { accessToken: spoiled(student.token), refreshToken: student.refreshToken },
      onSessionExpired: () => expired.push('expired'),
    });
    const offset = proxy.count('POST', '/api/auth/refresh');
    proxy.plan(({ method, path, nth }) => (method === 'POST' && path === '/api/auth/refresh' && nth === offset + 1 ? { kind: 'drop' } : undefined));
    try {
      const error = await caught(client.listMyAssignments());
      expect(error).toMatchObject({ status: 401, code: 'INVALID_TOKEN' });
      expect(expired).toEqual([]);
      expect(client.getTokens()).toMatchObject({ refreshToken: student.refreshToken });
      const page = await client.listMyAssignments();
      expect(page.pagination.page).toBe(1);
      expect(proxy.count('POST', '/api/auth/refresh') - offset).toBe(2);
    } finally {
      proxy.plan(() => undefined);
    }
  });
});

describe('cookie mode', () => {
  it('is refused outside a browser without a fetch that keeps cookies; bearer is the default there', () => {
    expect(() => new ApiClient({ baseUrl: baseUrl(), authMode: 'cookie' })).toThrow(/cookie/);
    const client = new ApiClient({ baseUrl: baseUrl() });
    client.setTokens({ accessToken: 'abc' });
    const log = record(client);
    return client.get('/api/auth/check').then((answer) => {
      expect(answer).toEqual({ authenticated: false });
      expect(log[0]!.requestHeaders.authorization).toBe('Bearer abc');
    });
  });

  it('with a cookie-keeping fetch: the session lives in HTTP-only cookies, is refreshed by cookie, and sign-out clears it', async () => {
    const student = await createStudent();
    const { fetch: jarFetch, jar } = cookieJarFetch();
    const client = new ApiClient({ baseUrl: baseUrl(), authMode: 'cookie', fetch: jarFetch });
    const log = record(client);

    await client.signIn(student.email, student.password);
    expect(client.getTokens()).toBeUndefined();
    expect([...jar.keys()].sort()).toEqual(['skilled_access', 'skilled_refresh']);
    expect(await client.get('/api/auth/check')).toMatchObject({ authenticated: true, user: { id: student.id } });
    expect(log.at(-1)!.requestHeaders.authorization).toBeUndefined();

    // the access cookie runs out: the next call is refreshed by the refresh cookie and replayed
    jar.delete('skilled_access');
    const analytics = await client.get<{ data: { userId: string } }>('/api/analytics');
    expect(analytics.data.userId).toBe(student.id);
    expect(log.slice(-3).map((e) => `${e.path} ${e.status}`)).toEqual(['/api/analytics 401', '/api/auth/refresh 200', '/api/analytics 200']);
    expect(jar.has('skilled_access')).toBe(true);

    await client.signOut();
    expect(jar.size).toBe(0);
    expect(await client.get('/api/auth/check')).toEqual({ authenticated: false });
  });
});

describe('interceptors', () => {
  it('request interceptors change what is sent; response interceptors see every answer', async () => {
    const instructor = await createInstructor();
    const client = coreFor(instructor);
    const statuses: number[] = [];
    const requestId = `sdk-test-${uniqueSuffix()}`;
    client.interceptors.request.push((context) => ({ ...context, headers: { ...context.headers, 'x-request-id': requestId } }));
    client.interceptors.request.push(async (context) =>
      context.url.endsWith('/api/courses/missing') ? { ...context, url: context.url.replace('missing', '00000000-0000-4000-8000-000000000000') } : context,
    );
    client.interceptors.response.push((response) => {
      statuses.push(response.status);
      return response;
    });
    const error = await caught(client.get('/api/courses/missing'));
    expect(error.code).toBe('COURSE_NOT_FOUND');
    expect(error.requestId).toBe(requestId);
    await client.post('/api/courses', courseBody());
    expect(statuses).toEqual([404, 201]);
  });
});

describe('timeouts and cancellation', () => {
  it('a request slower than its timeout fails with TIMEOUT (network), and is retried when safe', async () => {
    const client = new ApiClient({ baseUrl: proxy.url, timeoutMs: 150, retryBaseDelayMs: 1 });
    const path = `/api/courses`;
    const tag = uniqueSuffix();
    proxy.plan(({ path: p, nth }) => (p === path && nth > 0 ? { kind: 'forward', delayMs: 600 } : undefined));
    const before = proxy.count('GET', path);
    try {
      const error = await caught(client.get(path, { search: tag }, { retry: false }));
      expect(error).toMatchObject({ status: 0, code: 'TIMEOUT', category: 'network' });
      expect(getUserMessage(error)).toMatch(/too long/);
      expect(proxy.count('GET', path) - before).toBe(1);

      // with retries, a slow first answer is replaced by a quick second one
      proxy.plan(({ path: p, nth }) => (p === path && nth === before + 2 ? { kind: 'forward', delayMs: 600 } : undefined));
      const ok = await client.get<{ data: unknown[] }>(path, { search: tag }, { timeoutMs: 150 });
      expect(ok.data).toEqual([]);
    } finally {
      proxy.plan(() => undefined);
    }
  });

  it('an AbortSignal cancels the request: ABORTED, never retried', async () => {
    const client = new ApiClient({ baseUrl: proxy.url, retryBaseDelayMs: 1 });
    const tag = uniqueSuffix();
    proxy.plan(({ path }) => (path === '/api/courses' ? { kind: 'forward', delayMs: 500 } : undefined));
    const before = proxy.count('GET', '/api/courses');
    try {
      const controller = new AbortController();
      const pending = client.get('/api/courses', { search: tag }, { signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      const error = await caught(pending);
      expect(error).toMatchObject({ status: 0, code: 'ABORTED', category: 'network' });
      expect(proxy.count('GET', '/api/courses') - before).toBe(1);
      // an already-aborted signal never leaves
      const again = await caught(client.get('/api/courses', { search: tag }, { signal: AbortSignal.abort() }));
      expect(again.code).toBe('ABORTED');
    } finally {
      proxy.plan(() => undefined);
    }
  });
});

describe('typed errors', () => {
  it('a validation error carries status, message, details, request id, code and category', async () => {
    const instructor = await createInstructor();
    const client = sdkFor(instructor);
    const error = await caught(client.createCourse({ title: '', category: 'cooking' as 'art', difficultyLevel: 'beginner' }));
    expect(error.status).toBe(400);
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(error.category).toBe('validation');
    expect(error.details).toMatchObject({ 'body.title': expect.any(String), 'body.category': expect.any(String) });
    expect(error.requestId).toMatch(/.+/);
    expect(error.message).toBe((error.body as { error: string }).error);
    expect(error.getUserMessage()).toBe(error.message);
  });

  it('auth errors: 401 without a session, 403 without the permission', async () => {
    const student = await createStudent();
    const anonymous = await caught(sdkFor(undefined).listMyAssignments());
    expect(anonymous).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', category: 'auth' });
    expect(anonymous.getUserMessage()).toBe('Your session has ended. Please sign in again.');
    const forbidden = await caught(sdkFor(student).createCourse(courseBody()));
    expect(forbidden).toMatchObject({ status: 403, code: 'FORBIDDEN', category: 'auth' });
    expect(forbidden.getUserMessage()).toBe(forbidden.message);
  });

  it('an unreachable server is a network error, retried for GETs, with words for a person', async () => {
    const closed = await startFlakyProxy(baseUrl());
    const url = closed.url;
    await closed.close();
    const client = new ApiClient({ baseUrl: url, maxRetries: 2, retryBaseDelayMs: 1 });
    const attempts: string[] = [];
    client.interceptors.request.push((context) => {
      attempts.push(context.url);
      return context;
    });
    const error = await caught(client.get('/api/health'));
    expect(error).toMatchObject({ status: 0, code: 'NETWORK_ERROR', category: 'network' });
    expect(attempts).toHaveLength(3);
    expect(getUserMessage(error)).toMatch(/offline/);
    expect(getUserMessage(new Error('boom'))).toBe('Something went wrong. Please try again.');
  });
});

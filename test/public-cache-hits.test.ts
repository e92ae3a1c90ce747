// Public cache hits are answered from an early hook: the answer must be the one the route handler
// gives (security headers, CORS, ETag and 304, request id), and the request must still count against
// the rate limits and in the metrics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type ApiResponse, uniqueSuffix } from './support/api.js';
import { clientAt, type OwnServer, registerOn, startServer } from './support/security.js';

const PARTNER = 'https://partner.example';
const IP_LIMIT = 6;
let server: OwnServer;
let courseId: string;

beforeAll(async () => {
  server = await startServer({ CORS_ORIGINS: PARTNER, RATE_LIMIT_IP_MAX: String(IP_LIMIT), RATE_LIMIT_WINDOW_SECONDS: '60' });
  const client = clientAt(server.url);
  const instructor = await registerOn(client, 'instructor');
  const created = await client.call('POST', '/api/courses', {
    token: instructor.token,
    body: { title: `Early hit ${uniqueSuffix()}`, description: 'Served from the cache', category: 'design', difficultyLevel: 'beginner' },
  });
  expect(created.status).toBe(201);
  courseId = created.body.data.courseId;
});

afterAll(async () => {
  await server?.close();
});

/** Every header but those that differ by request: the date, the request id and the rate-limit countdown. */
const stableHeaders = (res: ApiResponse): Record<string, string> => {
  const varying = new Set(['date', 'x-request-id', 'ratelimit-remaining', 'ratelimit-reset']);
  return Object.fromEntries([...res.headers].filter(([name]) => !varying.has(name)));
};

const paths = () => [`/api/courses?search=${uniqueSuffix()}&sort=newest`, `/api/courses/${courseId}`];

describe('public cache hits answered early', () => {
  it('carry the same headers and body as the answer built by the route handler', async () => {
    for (const path of paths()) {
      const client = clientAt(server.url);
      const headers = { origin: PARTNER, 'x-request-id': `hit-test-${uniqueSuffix()}` };
      expect(server.app.publicCache.hit(path)).toBeUndefined();
      const built = await client.call('GET', path, { headers });
      expect(built.status).toBe(200);
      // The next request to this URL is answered by the early hook.
      expect(server.app.publicCache.hit(path)).toBeDefined();
      const hit = await client.call('GET', path, { headers });
      expect(hit.status).toBe(200);
      expect(hit.body).toEqual(built.body);
      expect(stableHeaders(hit)).toEqual(stableHeaders(built));
      expect(hit.headers.get('x-request-id')).toBe(headers['x-request-id']);
      expect(hit.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(hit.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(hit.headers.get('access-control-allow-origin')).toBe(PARTNER);
      expect(hit.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(Number(hit.headers.get('ratelimit-remaining'))).toBe(Number(built.headers.get('ratelimit-remaining')) - 1);

      const notModified = await client.call('GET', path, { headers: { ...headers, 'if-none-match': hit.headers.get('etag')! } });
      expect(notModified.status).toBe(304);
      expect(notModified.headers.get('content-security-policy')).toBe(hit.headers.get('content-security-policy'));
      expect(notModified.headers.get('x-request-id')).toBe(headers['x-request-id']);
    }
  });

  it('still count against the rate limit per address', async () => {
    const client = clientAt(server.url);
    const path = `/api/courses/${courseId}`;
    const statuses: number[] = [];
    for (let i = 0; i <= IP_LIMIT; i++) statuses.push((await client.call('GET', path)).status);
    expect(statuses).toEqual([...Array<number>(IP_LIMIT).fill(200), 429]);
  });

  it('are counted in the metrics under their route', async () => {
    const path = `/api/courses/${courseId}`;
    await clientAt(server.url).call('GET', path);
    const count = async () => {
      // From loopback without a forwarding header: the metrics are served to local clients.
      const res = await api('GET', '/metrics', { baseUrl: server.url });
      expect(res.status).toBe(200);
      const line = String(res.body)
        .split('\n')
        .find((l) => l.startsWith('skilled_http_requests_total{') && l.includes('route="/api/courses/:courseId"') && l.includes('status_code="200"'));
      return Number(line?.split(' ').pop() ?? 0);
    };
    const before = await count();
    const client = clientAt(server.url);
    for (let i = 0; i < 3; i++) expect((await client.call('GET', path)).status).toBe(200);
    expect(await count()).toBe(before + 3);
  });

  it('are not given to a signed-in caller or to one with a bad token, nor for a query that fails validation', async () => {
    const path = `/api/courses/${courseId}`;
    await clientAt(server.url).call('GET', path);
    expect(server.app.publicCache.hit(path)).toBeDefined();
    const student = await registerOn(clientAt(server.url));
    expect((await clientAt(server.url).call('POST', `/api/courses/${courseId}/enroll`, { token: student.token })).status).toBe(201);
    // The enrolment emptied the cache: the anonymous page is cached again, then the student reads theirs.
    expect((await clientAt(server.url).call('GET', path)).body.data.enrollment).toBeUndefined();
    expect(server.app.publicCache.hit(path)).toBeDefined();
    const signedIn = await clientAt(server.url).call('GET', path, { token: student.token });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.data.enrollment).toBeDefined();
    const badToken = await clientAt(server.url).call('GET', path, { token: 'not-a-token' });
    expect(badToken.status).toBe(401);

    expect((await clientAt(server.url).call('GET', '/api/courses?limit=abc')).status).toBe(400);
    expect(server.app.publicCache.hit('/api/courses?limit=abc')).toBeUndefined();
  });
});

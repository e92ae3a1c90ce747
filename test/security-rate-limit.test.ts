// Rate limits per IP, per user and per endpoint group (sign-in, registration, password reset, MFA),
// with the IETF draft headers and the RATE_LIMITED envelope; per-instance counting when Redis is down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientAt, type OwnServer, randomIp, registerOn, startServer } from './support/security.js';

let server: OwnServer;

beforeAll(async () => {
  server = await startServer({
    RATE_LIMIT_IP_MAX: '8',
    RATE_LIMIT_USER_MAX: '5',
    RATE_LIMIT_AUTH_MAX: '3',
    RATE_LIMIT_WINDOW_SECONDS: '60',
    RATE_LIMIT_AUTH_WINDOW_SECONDS: '60',
    LOCKOUT_THRESHOLD: '100',
    LOCKOUT_DELAY_MS: '0',
  });
  server.app.log.level = 'silent';
});

afterAll(async () => {
  await server?.close();
});

describe('per IP address', () => {
  it('counts down in RateLimit headers, then answers 429 with Retry-After and RATE_LIMITED; other addresses are unaffected', async () => {
    const client = clientAt(server.url);
    const remaining: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await client.call('GET', '/api/courses');
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBe('8');
      expect(res.headers.get('ratelimit-policy')).toBe('8;w=60');
      expect(Number(res.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
      remaining.push(Number(res.headers.get('ratelimit-remaining')));
    }
    expect(remaining).toEqual([7, 6, 5, 4, 3, 2, 1, 0]);

    const refused = await client.call('GET', '/api/courses');
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ status: 429, code: 'RATE_LIMITED', requestId: expect.any(String) });
    expect(refused.body.error).toMatch(/from this address/);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');

    expect((await clientAt(server.url).call('GET', '/api/courses')).status).toBe(200);
    // health probes are never limited
    expect((await client.call('GET', '/api/health')).status).toBe(200);
  });
});

describe('per user', () => {
  it("limits a signed-in user across addresses, in a bucket of their own; the headers show the tighter bucket", async () => {
    const signUp = clientAt(server.url);
    const user = await registerOn(signUp);
    const other = await registerOn(clientAt(server.url));
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await clientAt(server.url).call('GET', '/api/auth/check', { token: user.token });
      statuses.push(res.status);
      if (i === 0) {
        expect(res.headers.get('ratelimit-limit')).toBe('5');
        expect(res.headers.get('ratelimit-policy')).toBe('8;w=60, 5;w=60');
      }
      if (res.status === 429) expect(res.body.error).toMatch(/for this account/);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect((await clientAt(server.url).call('GET', '/api/auth/check', { token: other.token })).status).toBe(200);
  });
});

describe('authentication endpoints', () => {
  it('allow a few sign-in attempts per address, whatever the account, then 429', async () => {
    const client = clientAt(server.url);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await client.call('POST', '/api/auth/signin', { body: { email: `nobody-${i}@security.skilled`, password: 'wrong-password' } });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    const refused = await client.call('POST', '/api/auth/signin', { body: { email: 'x@security.skilled', password: 'y' } });
    expect(refused.body).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    expect(refused.body.error).toMatch(/sign-in attempts/);
    expect(refused.headers.get('ratelimit-policy')).toBe('8;w=60, 3;w=60');
    // the alias and the MFA step of sign-in are limited too, each in its own group
    expect((await client.call('POST', '/api/auth/login', { body: { email: 'x@security.skilled', password: 'y' } })).status).toBe(429);
    // reading whether one is signed in is not an attempt
    expect((await client.call('GET', '/api/auth/check')).status).toBe(200);
  });

  it('count registrations, password resets and MFA steps in groups of their own', async () => {
    let client = clientAt(server.url);
    for (const [path, body] of [
      ['/api/users/register', { email: 'not-an-email' }],
      ['/api/auth/password/forgot', { email: 'nobody@security.skilled' }],
      ['/api/auth/login/mfa', { challengeId: 'x', code: '000000' }],
    ] as const) {
      // a fresh address for each group, so that the per-address limit (8) stays out of the way
      client = clientAt(server.url);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await client.call('POST', path, { body })).status);
      expect(statuses.slice(0, 3).every((s) => s !== 429 && s < 500), `${path}: ${statuses.join(',')}`).toBe(true);
      expect(statuses[3], path).toBe(429);
    }
    // the sign-in group of this address was not touched
    const signIn = await client.call('POST', '/api/auth/signin', { body: { email: 'x@security.skilled', password: 'y' } });
    expect(signIn.status).toBe(401);
  });
});

describe('a limit a route declares', () => {
  it('is counted per caller, with the same headers and envelope', async () => {
    const own = await startServer(
      { RATE_LIMIT_IP_MAX: '1000' },
      {
        beforeListen: (app) =>
          app.get('/api/limited-example', { config: { rateLimit: { max: 2, timeWindow: 60_000 } } }, async () => ({ ok: true })),
      },
    );
    try {
      const client = clientAt(own.url);
      const first = await client.call('GET', '/api/limited-example');
      expect(first.status).toBe(200);
      await client.call('GET', '/api/limited-example');
      const refused = await client.call('GET', '/api/limited-example');
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await clientAt(own.url).call('GET', '/api/limited-example')).status).toBe(200);
    } finally {
      await own.close();
    }
  });
});

describe('when Redis cannot be reached', () => {
  it('still answers, and limits per instance', async () => {
    const degraded = await startServer({ REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_IP_MAX: '3' });
    try {
      const client = clientAt(degraded.url, randomIp());
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await client.call('GET', '/api/courses')).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await degraded.close();
    }
  });
});

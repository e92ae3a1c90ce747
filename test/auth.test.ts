import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { api, baseUrl, createStudent, signIn, signInAdmin, uniqueSuffix } from './support/api.js';
import { TEST_PASSWORD } from './support/constants.js';

const registration = (overrides: Record<string, unknown> = {}) => {
  const suffix = uniqueSuffix();
  return {
    email: `reg-${suffix}@test.skilled`,
    password: TEST_PASSWORD,
    firstName: 'John',
    lastName: 'Doe',
    username: `johndoe_${suffix}`,
    role: 'student',
    preferredStudyTime: 'evening',
    ...overrides,
  };
};

describe('POST /api/users/register and /api/auth/signup', () => {
  for (const path of ['/api/users/register', '/api/auth/signup']) {
    it(`${path} creates an account with the spec's response`, async () => {
      const body = registration();
      const res = await api('POST', path, { body });
      expect(res.status).toBe(201);
      expect(res.body.message).toBe('User registered successfully');
      expect(res.body.data).toMatchObject({
        email: body.email,
        firstName: 'John',
        lastName: 'Doe',
        username: body.username,
        role: 'student',
        notificationPreference: true,
        preferredStudyTime: 'evening',
        currentStreak: 0,
      });
      expect(res.body.data.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(new Date(res.body.data.createdAt).toString()).not.toBe('Invalid Date');
      expect(JSON.stringify(res.body)).not.toMatch(/password|argon2/i);
      // the account works afterwards
      const session = await signIn(body.email, body.password);
      expect(session.user.id).toBe(res.body.data.id);
    });
  }

  it('lets instructors register but refuses admin with 403', async () => {
    const instructor = await api('POST', '/api/users/register', { body: registration({ role: 'instructor' }) });
    expect(instructor.status).toBe(201);
    expect(instructor.body.data.role).toBe('instructor');
    const body = registration({ role: 'admin' });
    const admin = await api('POST', '/api/users/register', { body });
    expect(admin.status).toBe(403);
    expect(admin.body.code).toBe('ROLE_NOT_ALLOWED');
    // nothing was created
    expect((await api('POST', '/api/auth/signin', { body: { email: body.email, password: body.password } })).status).toBe(401);
  });

  it('refuses duplicate email and username with 409, whatever their case', async () => {
    const body = registration();
    expect((await api('POST', '/api/users/register', { body })).status).toBe(201);
    const sameEmail = await api('POST', '/api/users/register', {
      body: registration({ email: body.email.toUpperCase() }),
    });
    expect(sameEmail.status).toBe(409);
    expect(sameEmail.body.code).toBe('EMAIL_TAKEN');
    const sameUsername = await api('POST', '/api/users/register', {
      body: registration({ username: body.username.toUpperCase() }),
    });
    expect(sameUsername.status).toBe(409);
    expect(sameUsername.body.code).toBe('USERNAME_TAKEN');
  });

  it('validates the body field by field', async () => {
    const res = await api('POST', '/api/users/register', {
      body: registration({ password: 'short', email: 'not-an-email', preferredStudyTime: 'noon', username: 'a b' }),
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, code: 'VALIDATION_ERROR' });
    expect(typeof res.body.error).toBe('string');
    expect(Object.keys(res.body.details).sort()).toEqual(
      ['body.email', 'body.password', 'body.preferredStudyTime', 'body.username'].sort(),
    );
    const missing = await api('POST', '/api/users/register', { body: { email: 'x@y.co' } });
    expect(missing.status).toBe(400);
    expect(missing.body.details['body.password']).toBe('is required');
  });
});

describe('POST /api/auth/signin', () => {
  it('returns the user and tokens and sets HTTP-only cookies', async () => {
    const student = await createStudent();
    const res = await api('POST', '/api/auth/signin', { body: { email: student.email, password: student.password } });
    expect(res.status).toBe(200);
    expect(res.body.message).toBeTypeOf('string');
    expect(res.body.data.user).toMatchObject({ id: student.id, email: student.email, role: 'student' });
    expect(res.body.data.accessToken.split('.')).toHaveLength(3);
    expect(new Date(res.body.data.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const cookies = res.headers.getSetCookie();
    expect(cookies.find((c) => c.startsWith('skilled_access='))).toMatch(/HttpOnly/i);
    expect(cookies.find((c) => c.startsWith('skilled_refresh='))).toMatch(/HttpOnly/i);
  });

  it('gives the same 401 for an unknown email and a wrong password', async () => {
    const student = await createStudent();
    const wrong = await api('POST', '/api/auth/signin', { body: { email: student.email, password: 'Wrong-password-1' } });
    const unknown = await api('POST', '/api/auth/signin', { body: { email: `nobody-${uniqueSuffix()}@x.co`, password: 'whatever1' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error).toBe(unknown.body.error);
    expect(wrong.body.code).toBe(unknown.body.code);
  });

  it('validates the body', async () => {
    const res = await api('POST', '/api/auth/signin', { body: { email: '' } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
  });
});

describe('GET /api/auth/check', () => {
  it('says who the caller is, by bearer token or by cookie', async () => {
    const student = await createStudent();
    const byBearer = await api('GET', '/api/auth/check', { token: student.token });
    expect(byBearer.status).toBe(200);
    expect(byBearer.body).toEqual({
      authenticated: true,
      user: {
        id: student.id,
        email: student.email,
        role: 'student',
        firstName: student.firstName,
        lastName: student.lastName,
        username: student.username,
        emailVerified: false,
      },
    });
    const byCookie = await api('GET', '/api/auth/check', { headers: { cookie: `skilled_access=${student.token}` } });
    expect(byCookie.body.authenticated).toBe(true);
  });

  it('answers authenticated: false without or with a bad token', async () => {
    expect((await api('GET', '/api/auth/check')).body).toEqual({ authenticated: false });
    expect((await api('GET', '/api/auth/check', { token: 'not.a.jwt' })).body).toEqual({ authenticated: false });
  });
});

describe('POST /api/auth/refresh and /api/auth/signout', () => {
  it('rotates the refresh token; the old one then ends the whole session', async () => {
    const student = await createStudent();
    const first = await api('POST', '/api/auth/refresh', { body: { refreshToken: student.refreshToken } });
    expect(first.status).toBe(200);
    expect(first.body.data.refreshToken).not.toBe(student.refreshToken);
    expect(first.body.data.user.id).toBe(student.id);
    // reuse of the rotated token is refused, and revokes its successor too
    const reuse = await api('POST', '/api/auth/refresh', { body: { refreshToken: student.refreshToken } });
    expect(reuse.status).toBe(401);
    const successor = await api('POST', '/api/auth/refresh', { body: { refreshToken: first.body.data.refreshToken } });
    expect(successor.status).toBe(401);
  });

  it('refreshes from the cookie', async () => {
    const student = await createStudent();
    const res = await api('POST', '/api/auth/refresh', { headers: { cookie: `skilled_refresh=${student.refreshToken}` } });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie().some((c) => c.startsWith('skilled_refresh='))).toBe(true);
  });

  it('refuses a missing or unknown refresh token with 401', async () => {
    expect((await api('POST', '/api/auth/refresh')).status).toBe(401);
    expect((await api('POST', '/api/auth/refresh', { body: { refreshToken: 'nope' } })).status).toBe(401);
  });

  it('sign-out ends the session: its refresh token stops working and cookies are cleared', async () => {
    const student = await createStudent();
    const out = await api('POST', '/api/auth/signout', { token: student.token, body: { refreshToken: student.refreshToken } });
    expect(out.status).toBe(200);
    expect(out.headers.getSetCookie().some((c) => /^skilled_access=;/.test(c))).toBe(true);
    expect((await api('POST', '/api/auth/refresh', { body: { refreshToken: student.refreshToken } })).status).toBe(401);
  });
});

describe('cross-cutting behaviour', () => {
  it('keeps a client-sent request id and makes one otherwise', async () => {
    const kept = await api('GET', '/api/health', { headers: { 'x-request-id': 'trace-abc-123' } });
    expect(kept.headers.get('x-request-id')).toBe('trace-abc-123');
    const made = await api('GET', '/api/health');
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown routes, malformed JSON and oversized bodies with the error envelope', async () => {
    const missing = await api('GET', '/api/no-such-route');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ status: 404, code: 'ROUTE_NOT_FOUND' });
    expect(missing.body.requestId).toBe(missing.headers.get('x-request-id'));
    const malformed = await api('POST', '/api/auth/signin', { rawBody: '{"email":', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('INVALID_JSON');
    const huge = await rawPost('/api/auth/signin', JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(2 * 1024 * 1024) }));
    expect(huge.status).toBe(413);
    expect(JSON.parse(huge.body).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('serves health, readiness and the OpenAPI document', async () => {
    expect((await api('GET', '/api/health')).body.status).toBe('ok');
    const ready = await api('GET', '/api/ready');
    expect(ready.status).toBe(200);
    // (with REDIS_URL set, `checks` names Redis too: see ops-observability.test.ts)
    expect(ready.body).toMatchObject({ status: 'ready', checks: { database: 'ok' } });
    const doc = await api('GET', '/api/docs/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/auth/signin', '/api/users/register']));
    const page = await api('GET', '/api/docs');
    expect([200, 302]).toContain(page.status);
  });

  it('the configured admin account exists at start', async () => {
    const admin = await signInAdmin();
    const check = await api('GET', '/api/auth/check', { token: admin.token });
    expect(check.body.user.role).toBe('admin');
  });
});

/** Announces an oversized body: the server must answer 413 from the length alone, before reading it. */
function rawPost(path: string, payload: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, baseUrl()), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body });
        req.destroy();
      });
    });
    req.on('error', reject);
    req.write(payload.slice(0, 1024));
  });
}

// CSRF protection of cookie sessions (Origin check and X-CSRF-Token), unaffected Bearer and API-key
// clients, the SDK's cookie mode, and the WebSocket handshake's Origin check.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../src/sdk/api-client.js';
import { api, baseUrl, createStudent, type TestUser } from './support/api.js';
import { connectWs } from './support/realtime.js';
import { cookieJarFetch } from './support/sdk.js';
import { clientAt, cookiesOf, cookieValue, type OwnServer, registerOn, startServer } from './support/security.js';

const APP_ORIGIN = 'https://app.example';

/** A browser-like session: the cookies and the CSRF token sign-in gave. */
async function cookieSession(user: TestUser, url = baseUrl()) {
  const res = await api('POST', '/api/auth/signin', { baseUrl: url, body: { email: user.email, password: user.password } });
  expect(res.status).toBe(200);
  const cookies = cookiesOf(res);
  const access = cookieValue(cookies.get('skilled_access'));
  const refresh = cookieValue(cookies.get('skilled_refresh'));
  const csrf = res.headers.get('x-csrf-token');
  expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
  return { access, refresh, csrf: csrf!, cookie: `skilled_access=${access}; skilled_refresh=${refresh}` };
}

const preferences = (user: TestUser, cookie: string, headers: Record<string, string> = {}, url = baseUrl()) =>
  api('PUT', '/api/profile/preferences', { baseUrl: url, headers: { cookie, ...headers }, body: { userId: user.id, weeklyLearningGoal: 420 } });

describe('cookie-authenticated changes', () => {
  let student: TestUser;

  beforeAll(async () => {
    student = await createStudent();
  });

  it('are refused without the session\'s X-CSRF-Token, and change nothing', async () => {
    const session = await cookieSession(student);
    const refused = await preferences(student, session.cookie);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('CSRF_FAILED');
    const profile = await api('GET', `/api/users/${student.id}/profile`, { token: student.token });
    expect(profile.body.weeklyLearningGoal).toBe(300);
    expect((await preferences(student, session.cookie, { 'x-csrf-token': 'A'.repeat(43) })).status).toBe(403);
    // another session's token is no good either
    const other = await cookieSession(student);
    expect((await preferences(student, session.cookie, { 'x-csrf-token': other.csrf })).status).toBe(403);
  });

  it('pass with the token that sign-in and every cookie-authenticated answer carry', async () => {
    const session = await cookieSession(student);
    expect((await preferences(student, session.cookie, { 'x-csrf-token': session.csrf })).status).toBe(200);
    const read = await api('GET', '/api/auth/check', { headers: { cookie: session.cookie } });
    expect(read.headers.get('x-csrf-token')).toBe(session.csrf);
    // the same session keeps its token across a refresh
    const refreshed = await api('POST', '/api/auth/refresh', { headers: { cookie: `skilled_refresh=${session.refresh}` } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.headers.get('x-csrf-token')).toBe(session.csrf);
  });

  it('are refused from a foreign Origin or Referer even with the token; the own origin passes', async () => {
    const session = await cookieSession(student);
    const token = { 'x-csrf-token': session.csrf };
    const foreignHeaders: Record<string, string>[] = [{ origin: 'https://evil.example' }, { referer: 'https://evil.example/page' }, { origin: 'null' }];
    for (const headers of foreignHeaders) {
      const res = await preferences(student, session.cookie, { ...token, ...headers });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(res.body.code).toBe('CSRF_FAILED');
    }
    expect((await preferences(student, session.cookie, { ...token, origin: new URL(baseUrl()).origin })).status).toBe(200);
    // a refresh or sign-out driven from another site is refused too
    const refresh = await api('POST', '/api/auth/refresh', { headers: { cookie: `skilled_refresh=${session.refresh}`, origin: 'https://evil.example' } });
    expect(refresh.status).toBe(403);
    const signOut = await api('POST', '/api/auth/signout', { headers: { cookie: session.cookie, origin: 'https://evil.example' } });
    expect(signOut.status).toBe(403);
    expect((await api('GET', '/api/auth/check', { headers: { cookie: session.cookie } })).body.authenticated).toBe(true);
  });

  it('do not concern Bearer-token and API-key clients', async () => {
    const bearer = await api('PUT', '/api/profile/preferences', {
      token: student.token,
      headers: { origin: 'https://evil.example' },
      body: { userId: student.id, weeklyLearningGoal: 300 },
    });
    expect(bearer.status).toBe(200);
    const created = await api('POST', '/api/api-keys', { token: student.token, body: { name: 'csrf', scopes: ['profile:edit'] } });
    const byKey = await api('PUT', '/api/profile/preferences', { headers: { 'x-api-key': created.body.data.key }, body: { userId: student.id, weeklyLearningGoal: 310 } });
    expect(byKey.status).toBe(200);
  });
});

describe("the SDK's cookie mode", () => {
  it('sends the token it learnt, and after a reload recovers it from the first refusal', async () => {
    const student = await createStudent();
    const { fetch: jarFetch, jar } = cookieJarFetch();
    const client = new ApiClient({ baseUrl: baseUrl(), authMode: 'cookie', fetch: jarFetch });
    await client.signIn(student.email, student.password);
    await client.put('/api/profile/preferences', { userId: student.id, weeklyLearningGoal: 360 });
    // a new client with the same cookies (a reloaded page) does not know the token yet
    const reloaded = new ApiClient({ baseUrl: baseUrl(), authMode: 'cookie', fetch: jarFetch, retryBaseDelayMs: 1 });
    const statuses: number[] = [];
    reloaded.interceptors.response.push((response) => {
      statuses.push(response.status);
      return response;
    });
    await reloaded.put('/api/profile/preferences', { userId: student.id, weeklyLearningGoal: 370 });
    expect(statuses).toEqual([403, 200]);
    await reloaded.signOut();
    expect(jar.size).toBe(0);
  });
});

describe('with CORS_ORIGINS', () => {
  let server: OwnServer;

  beforeAll(async () => {
    server = await startServer({ CORS_ORIGINS: `${APP_ORIGIN}, https://admin.example` });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('a listed origin may use the cookies; others may not', async () => {
    const client = clientAt(server.url);
    const user = await registerOn(client);
    const session = await cookieSession(user, server.url);
    const headers = { 'x-forwarded-for': client.ip, 'x-csrf-token': session.csrf };
    expect((await preferences(user, session.cookie, { ...headers, origin: APP_ORIGIN }, server.url)).status).toBe(200);
    expect((await preferences(user, session.cookie, { ...headers, origin: 'https://other.example' }, server.url)).status).toBe(403);
  });

  it('the WebSocket handshake takes the cookie from listed origins only', async () => {
    const client = clientAt(server.url);
    const user = await registerOn(client);
    const listed = await connectWs({ url: server.url, token: user.token, auth: 'cookie', headers: { origin: APP_ORIGIN } });
    expect(listed.messages[0]).toMatchObject({ type: 'ready' });
    await listed.close();
    const foreign = await connectWs({
      url: server.url,
      auth: 'none',
      headers: { cookie: `skilled_access=${user.token}`, origin: 'https://other.example' },
    });
    foreign.send({ type: 'ping' });
    expect((await foreign.closed).code).toBe(4401);
  });
});

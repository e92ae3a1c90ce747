// Sessions: the caller's list, ending one or all others (refresh at once, access within the validity
// window, real-time connections closed), the concurrent-session limit, refresh-token reuse, idle and
// absolute expiry, and binding a session to its client's network.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_CHECK_TTL_MS } from '../src/server/http/session-validity.js';
import { expectError, mailTo, type SecurityPlatform, startSecurityPlatform } from './support/account-security.js';
import { connectWs } from './support/realtime.js';
import { adminOn, type Client, clientAt, startServer } from './support/security.js';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

let platform: SecurityPlatform;

beforeAll(async () => {
  platform = await startSecurityPlatform({
    LOCKOUT_DELAY_MS: '0',
    MAX_SESSIONS: '3',
    SESSION_IP_BINDING: '/24,/64',
    REFRESH_TOKEN_TTL: '3600',
    REFRESH_IDLE_TTL: '600',
  });
});

afterAll(async () => {
  await platform?.close();
});

const signInFrom = (client: Client, user: { email: string; password: string }, userAgent = FIREFOX) =>
  client.call('POST', '/api/auth/signin', { body: { email: user.email, password: user.password }, headers: { 'user-agent': userAgent } });

const refresh = (client: Client, refreshToken: string) => client.call('POST', '/api/auth/refresh', { body: { refreshToken } });

async function auditRows(action: string, targetId: string) {
  const client = platform.client();
  const admin = await adminOn(client);
  const res = await client.call('GET', '/api/admin/audit-log', { token: admin.token, query: { action, targetId, limit: 50 } });
  return res.body.data as { action: string; ip: string; after: Record<string, unknown> }[];
}

describe('GET /api/auth/sessions', () => {
  it("lists the caller's sessions with device, address and times, the current one first", async () => {
    const user = await platform.user();
    const phone = platform.client();
    const fromPhone = await signInFrom(phone, user, IPHONE);
    const res = await user.client.call('GET', '/api/auth/sessions', { token: fromPhone.body.data.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(2);
    const [current, other] = res.body.data;
    expect(current).toEqual({
      sessionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      device: 'Safari on iOS',
      ipAddress: phone.ip,
      userAgent: IPHONE,
      createdAt: expect.any(String),
      lastUsedAt: expect.any(String),
      expiresAt: expect.any(String),
      current: true,
    });
    expect(other).toMatchObject({ ipAddress: user.client.ip, current: false });
    // the refresh token lasts the idle TTL (600 s) from its issue
    const lifetime = new Date(current.expiresAt).getTime() - new Date(current.lastUsedAt).getTime();
    expect(Math.round(lifetime / 1000)).toBe(600);
    expect(JSON.stringify(res.body)).not.toMatch(/refresh_token|refreshToken|hash/i);
    expectError(await user.client.call('GET', '/api/auth/sessions'), 401, 'UNAUTHENTICATED');
  });
});

describe('ending sessions', () => {
  it('DELETE /api/auth/sessions/:id ends that session everywhere within seconds', async () => {
    const user = await platform.user();
    const laptop = platform.client();
    const other = (await signInFrom(laptop, user)).body.data;
    const socket = await connectWs({ url: platform.server.url, token: other.accessToken, headers: { 'x-forwarded-for': laptop.ip } });
    const list = await user.client.call('GET', '/api/auth/sessions', { token: user.token });
    const target = list.body.data.find((s: { current: boolean }) => !s.current).sessionId;

    const res = await user.client.call('DELETE', `/api/auth/sessions/${target}`, { token: user.token });
    expect(res.status).toBe(200);
    expectError(await refresh(laptop, other.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
    // the access token stops within the validity window (at once on this instance)
    await expect
      .poll(async () => (await laptop.call('GET', '/api/auth/sessions', { token: other.accessToken })).status, { timeout: SESSION_CHECK_TTL_MS + 2_000 })
      .toBe(401);
    expect((await socket.closed).code).toBeGreaterThanOrEqual(4000);
    const after = await user.client.call('GET', '/api/auth/sessions', { token: user.token });
    expect(after.body.data.map((s: { sessionId: string }) => s.sessionId)).not.toContain(target);
    expect((await refresh(user.client, user.refreshToken)).status).toBe(200);
    const [row] = await auditRows('session.revoke', user.id);
    expect(row).toMatchObject({ ip: user.client.ip, after: { sessionIds: [target], reason: 'revoked_by_user' } });
  });

  it('a session ended through one instance stops working on another within the validity window', async () => {
    // A second instance on the same database, with its own cache of session validity.
    const other = await startServer({ LOCKOUT_DELAY_MS: '0', RATE_LIMIT_USER_MAX: '100000' }, { database: platform.server.database });
    try {
      const user = await platform.user();
      const laptop = platform.client();
      const session = (await signInFrom(laptop, user)).body.data;
      const onOther = clientAt(other.url, laptop.ip);
      // the other instance has seen the session as valid, and remembers it
      expect((await onOther.call('GET', '/api/auth/sessions', { token: session.accessToken })).status).toBe(200);
      const list = await user.client.call('GET', '/api/auth/sessions', { token: user.token });
      const target = list.body.data.find((s: { current: boolean }) => !s.current).sessionId;
      expect((await user.client.call('DELETE', `/api/auth/sessions/${target}`, { token: user.token })).status).toBe(200);
      await expect
        .poll(async () => (await onOther.call('GET', '/api/auth/sessions', { token: session.accessToken })).status, {
          timeout: SESSION_CHECK_TTL_MS + 2_000,
          interval: 250,
        })
        .toBe(401);
    } finally {
      await other.close();
    }
  });

  it("another user's session is not found, and keeps working", async () => {
    const owner = await platform.user();
    const stranger = await platform.user();
    const sessions = await owner.client.call('GET', '/api/auth/sessions', { token: owner.token });
    const sessionId = sessions.body.data[0].sessionId;
    expectError(await stranger.client.call('DELETE', `/api/auth/sessions/${sessionId}`, { token: stranger.token }), 404, 'SESSION_NOT_FOUND');
    expectError(await stranger.client.call('DELETE', `/api/auth/sessions/${crypto.randomUUID()}`, { token: stranger.token }), 404, 'SESSION_NOT_FOUND');
    expectError(await stranger.client.call('DELETE', '/api/auth/sessions/not-an-id', { token: stranger.token }), 400, 'VALIDATION_ERROR');
    expectError(await stranger.client.call('DELETE', `/api/auth/sessions/${sessionId}`), 401, 'UNAUTHENTICATED');
    expect((await owner.client.call('GET', '/api/auth/sessions', { token: owner.token })).status).toBe(200);
  });

  it('POST /api/auth/sessions/revoke-others keeps only the current session', async () => {
    const user = await platform.user();
    const second = platform.client();
    const others = [(await signInFrom(second, user)).body.data, (await signInFrom(second, user)).body.data];
    const res = await user.client.call('POST', '/api/auth/sessions/revoke-others', { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ revoked: 2 });
    for (const session of others) expectError(await refresh(second, session.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
    const list = await user.client.call('GET', '/api/auth/sessions', { token: user.token });
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0].current).toBe(true);
    expect((await user.client.call('POST', '/api/auth/sessions/revoke-others', { token: user.token })).body.data).toEqual({ revoked: 0 });
  });
});

describe('the concurrent session limit (MAX_SESSIONS=3)', () => {
  it('ends the oldest session when a sign-in goes past it', async () => {
    const user = await platform.user();
    const device = platform.client();
    const second = (await signInFrom(device, user)).body.data;
    const third = (await signInFrom(device, user)).body.data;
    expect((await user.client.call('GET', '/api/auth/sessions', { token: user.token })).body.data).toHaveLength(3);
    const fourth = (await signInFrom(device, user)).body.data;
    // the first (registration's sign-in) ended; the three newest go on
    expectError(await refresh(user.client, user.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
    for (const session of [second, third, fourth]) expect((await refresh(device, session.refreshToken)).status).toBe(200);
    const list = await device.call('GET', '/api/auth/sessions', { token: fourth.accessToken });
    expect(list.body.data).toHaveLength(3);
    const [row] = await auditRows('session.revoke', user.id);
    expect(row!.after).toMatchObject({ reason: 'session_limit', maxSessions: 3 });
  });
});

describe('refresh tokens', () => {
  it('a rotated token presented again ends the whole session and the user is told', async () => {
    const user = await platform.user();
    const rotated = await refresh(user.client, user.refreshToken);
    expect(rotated.status).toBe(200);
    expectError(await refresh(user.client, user.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
    // the successor is dead too, and so is the access token it came with
    expectError(await refresh(user.client, rotated.body.data.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
    await expect
      .poll(async () => (await user.client.call('GET', '/api/auth/sessions', { token: rotated.body.data.accessToken })).status, {
        timeout: SESSION_CHECK_TTL_MS + 2_000,
      })
      .toBe(401);
    const mail = await mailTo(platform.smtp, user.email, /session of your skillEd account was ended/);
    expect(mail.text).toContain(user.client.ip);
    // and in the app, once signed in again
    const again = await user.client.call('POST', '/api/auth/signin', { body: { email: user.email, password: user.password } });
    const notifications = await user.client.call('GET', '/api/notifications', { token: again.body.data.accessToken, query: { type: 'security_alert' } });
    expect(notifications.body.data).toEqual([
      expect.objectContaining({ type: 'security_alert', title: 'A session of your skillEd account was ended', data: { notice: 'refresh_reuse' } }),
    ]);
    const [row] = await auditRows('session.refresh_reuse', user.id);
    expect(row).toMatchObject({ ip: user.client.ip, after: { sessionsEnded: 1 } });
  });

  it('expire when unused for the idle time, and never outlive the absolute end', async () => {
    const user = await platform.user();
    const db = platform.server.database.db;
    // the absolute end is an hour from sign-in: a refresh near it gets a token that ends with it
    await db.execute(sql`update sessions set absolute_expires_at = now() + interval '90 seconds' where user_id = ${user.id}`);
    const near = await refresh(user.client, user.refreshToken);
    expect(near.status).toBe(200);
    const left = new Date(near.body.data.refreshExpiresAt).getTime() - Date.now();
    expect(left).toBeGreaterThan(60_000);
    expect(left).toBeLessThanOrEqual(90_000);

    // unused past its idle end, a token no longer refreshes
    await db.execute(sql`update sessions set expires_at = now() - interval '1 second' where user_id = ${user.id} and rotated_at is null`);
    expectError(await refresh(user.client, near.body.data.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
    const list = await platform.client().call('POST', '/api/auth/signin', { body: { email: user.email, password: user.password } });
    const sessions = await platform.client().call('GET', '/api/auth/sessions', { token: list.body.data.accessToken });
    expect(sessions.body.data).toHaveLength(1);
  });
});

describe('binding a session to its network (SESSION_IP_BINDING=/24,/64)', () => {
  it('refreshes from the same /24, refuses another network without ending the session', async () => {
    const user = await platform.user(platform.client('10.20.30.40'));
    const sameNetwork = platform.client('10.20.30.200');
    const moved = await refresh(sameNetwork, user.refreshToken);
    expect(moved.status).toBe(200);
    const elsewhere = platform.client('10.20.31.5');
    expectError(await refresh(elsewhere, moved.body.data.refreshToken), 401, 'SESSION_IP_MISMATCH');
    // the token still works from its own network
    expect((await refresh(sameNetwork, moved.body.data.refreshToken)).status).toBe(200);
    const [row] = await auditRows('session.refresh_refused', user.id);
    expect(row).toMatchObject({ ip: '10.20.31.5', after: { reason: 'other_network', sessionIp: '10.20.30.200' } });
  });

  it('uses the /64 for IPv6 addresses', async () => {
    const user = await platform.user(platform.client('2001:db8:1:2::10'));
    const next = await refresh(platform.client('2001:db8:1:2::99'), user.refreshToken);
    expect(next.status).toBe(200);
    expectError(await refresh(platform.client('2001:db8:1:3::10'), next.body.data.refreshToken), 401, 'SESSION_IP_MISMATCH');
    expectError(await refresh(platform.client('10.0.0.1'), next.body.data.refreshToken), 401, 'SESSION_IP_MISMATCH');
  });
});

// Passwords: strength rules on registration, change and reset; password reset by mail end to end
// (no account enumeration, single-use expiring link, every session ended); changing the password.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/server/db/client.js';
import { ageSentCodes, expectError, linkTokenIn, mailTo, type SecurityPlatform, startSecurityPlatform } from './support/account-security.js';
import { uniqueSuffix } from './support/api.js';
import { adminOn } from './support/security.js';

let platform: SecurityPlatform;

beforeAll(async () => {
  platform = await startSecurityPlatform({ LOCKOUT_DELAY_MS: '0' });
});

afterAll(async () => {
  await platform?.close();
});

const registration = (password: string) => {
  const suffix = uniqueSuffix();
  return { email: `pw-${suffix}@security.skilled`, password, firstName: 'Grace', lastName: 'Hopper', username: `grace_${suffix}` };
};

const resetMail = (email: string) => mailTo(platform.smtp, email, /Reset your skillEd password/);

async function auditActions(userId: string, action: string) {
  const client = platform.client();
  const admin = await adminOn(client);
  const res = await client.call('GET', '/api/admin/audit-log', { token: admin.token, query: { targetId: userId, action, limit: 50 } });
  return res.body.data as { action: string; ip: string; after: Record<string, unknown> }[];
}

describe('password strength', () => {
  it.each(['password123', 'qwertyuiop', 'Sunshine2024!', 'iloveyou1234'])('registration refuses %s with the reason on the field', async (password) => {
    const res = await platform.client().call('POST', '/api/users/register', { body: registration(password) });
    expectError(res, 400, 'WEAK_PASSWORD');
    expect(res.body.details['body.password']).toMatch(/^is too easy to guess: .+/);
    expect(res.body.error).toContain('The password is too easy to guess');
  });

  it("refuses a password made of the user's own name", async () => {
    const body = registration('');
    const res = await platform.client().call('POST', '/api/users/register', { body: { ...body, password: `${body.username}1` } });
    expectError(res, 400, 'WEAK_PASSWORD');
  });

  it('keeps the length rules: 8 to 128 characters, long passphrases welcome', async () => {
    const short = await platform.client().call('POST', '/api/users/register', { body: registration('Xk9#q2') });
    expectError(short, 400, 'VALIDATION_ERROR');
    expect(short.body.details['body.password']).toBe('must be at least 8 characters');
    const long = await platform.client().call('POST', '/api/users/register', { body: registration(`${'Tq7!vLm2'.repeat(16)}x`) });
    expectError(long, 400, 'VALIDATION_ERROR');
    expect(long.body.details['body.password']).toBe('must be at most 128 characters');
    const passphrase = 'violet tractor whispers under the copper lighthouse while seven otters argue about jazz';
    expect(passphrase.length).toBeGreaterThan(64);
    expect((await platform.client().call('POST', '/api/users/register', { body: registration(passphrase) })).status).toBe(201);
    expect((await platform.client().call('POST', '/api/users/register', { body: registration('Vy7-mud-kettle') })).status).toBe(201);
  });

  it('applies to a password change too', async () => {
    const user = await platform.user();
    const res = await user.client.call('PUT', '/api/profile/update', {
      token: user.token,
      body: { currentPassword: user.password, newPassword: 'password1234' },
    });
    expectError(res, 400, 'WEAK_PASSWORD');
    expect(Object.keys(res.body.details)).toEqual(['body.newPassword']);
    expect((await user.client.call('POST', '/api/auth/signin', { body: { email: user.email, password: user.password } })).status).toBe(200);
  });
});

describe('changing the password (PUT /api/profile/update)', () => {
  it('ends the other sessions, keeps this one, is audited and mailed', async () => {
    const user = await platform.user();
    const other = await user.client.call('POST', '/api/auth/signin', { body: { email: user.email, password: user.password } });
    const newPassword = 'Orchid-bicycle-73';
    const res = await user.client.call('PUT', '/api/profile/update', { token: user.token, body: { currentPassword: user.password, newPassword } });
    expect(res.status).toBe(200);
    expectError(await user.client.call('POST', '/api/auth/refresh', { body: { refreshToken: other.body.data.refreshToken } }), 401, 'INVALID_REFRESH_TOKEN');
    expect((await user.client.call('POST', '/api/auth/refresh', { body: { refreshToken: user.refreshToken } })).status).toBe(200);
    await mailTo(platform.smtp, user.email, /password was changed/);
    const [row] = await auditActions(user.id, 'user.password_change');
    expect(row).toMatchObject({ ip: user.client.ip, after: { sessionsEnded: 1, byAdmin: false } });
    expect(JSON.stringify(row)).not.toContain(newPassword);
  });
});

describe('password reset', () => {
  it('answers the same for unknown and known addresses, and mails only the known one', async () => {
    const user = await platform.user();
    const unknown = await platform.client().call('POST', '/api/auth/password/forgot', { body: { email: `nobody-${uniqueSuffix()}@security.skilled` } });
    const known = await platform.client().call('POST', '/api/auth/password/forgot', { body: { email: user.email.toUpperCase() } });
    expect(unknown.status).toBe(202);
    expect(known.status).toBe(202);
    expect(known.body).toEqual(unknown.body);
    const mail = await resetMail(user.email);
    expect(mail.text).toContain('https://skilled.example/reset-password?token=');
    expectError(await platform.client().call('POST', '/api/auth/password/forgot', { body: { email: '' } }), 400, 'VALIDATION_ERROR');
  });

  it('sets a new password with a single-use link and ends every session', async () => {
    const user = await platform.user();
    const other = await user.client.call('POST', '/api/auth/signin', { body: { email: user.email, password: user.password } });
    await platform.client().call('POST', '/api/auth/password/forgot', { body: { email: user.email } });
    const token = linkTokenIn(await resetMail(user.email));

    // a weak password is refused and leaves the link working
    const weak = await platform.client().call('POST', '/api/auth/password/reset', { body: { token, newPassword: 'password123' } });
    expectError(weak, 400, 'WEAK_PASSWORD');
    expect(Object.keys(weak.body.details)).toEqual(['body.newPassword']);

    const newPassword = 'Granite-lantern-58';
    const done = await platform.client().call('POST', '/api/auth/password/reset', { body: { token, newPassword } });
    expect(done.status).toBe(200);
    const again = await platform.client().call('POST', '/api/auth/password/reset', { body: { token, newPassword: 'Another-lantern-59' } });
    expectError(again, 400, 'INVALID_RESET_TOKEN');

    // every session ended: refresh tokens at once, access tokens within the validity window
    for (const refreshToken of [user.refreshToken, other.body.data.refreshToken]) {
      expectError(await user.client.call('POST', '/api/auth/refresh', { body: { refreshToken } }), 401, 'INVALID_REFRESH_TOKEN');
    }
    await expect.poll(async () => (await user.client.call('GET', '/api/auth/mfa', { token: user.token })).status, { timeout: 6_000 }).toBe(401);
    expectError(await user.client.call('POST', '/api/auth/signin', { body: { email: user.email, password: user.password } }), 401, 'INVALID_CREDENTIALS');
    const signIn = await user.client.call('POST', '/api/auth/signin', { body: { email: user.email, password: newPassword } });
    expect(signIn.status).toBe(200);
    // the link proved the address too
    expect(signIn.body.data.user.emailVerified).toBe(true);
    await mailTo(platform.smtp, user.email, /password was reset/);

    const requested = await auditActions(user.id, 'user.password_reset_request');
    expect(requested).toHaveLength(1);
    const [reset] = await auditActions(user.id, 'user.password_reset');
    expect(reset!.after).toMatchObject({ sessionsEnded: 2 });
  });

  it('refuses an expired link, and a made-up one', async () => {
    const user = await platform.user();
    await platform.client().call('POST', '/api/auth/password/forgot', { body: { email: user.email } });
    const token = linkTokenIn(await resetMail(user.email));
    const [row] = await queryRows<{ seconds: string }>(
      platform.server.database.db,
      sql`select extract(epoch from expires_at - created_at) as seconds from verification_codes where user_id = ${user.id} and purpose = 'password_reset'`,
    );
    expect(Math.round(Number(row!.seconds))).toBe(30 * 60);
    await platform.server.database.db.execute(
      sql`update verification_codes set expires_at = now() - interval '1 second' where user_id = ${user.id} and purpose = 'password_reset'`,
    );
    expectError(await platform.client().call('POST', '/api/auth/password/reset', { body: { token, newPassword: 'Granite-lantern-58' } }), 400, 'INVALID_RESET_TOKEN');
    expectError(await platform.client().call('POST', '/api/auth/password/reset', { body: { token: 'made-up', newPassword: 'Granite-lantern-58' } }), 400, 'INVALID_RESET_TOKEN');
    expect((await user.client.call('POST', '/api/auth/signin', { body: { email: user.email, password: user.password } })).status).toBe(200);
  });

  it('a new link ends the previous one; a repeat within a minute sends nothing', async () => {
    const user = await platform.user();
    await platform.client().call('POST', '/api/auth/password/forgot', { body: { email: user.email } });
    const first = linkTokenIn(await resetMail(user.email));
    await platform.client().call('POST', '/api/auth/password/forgot', { body: { email: user.email } });
    // the repeat is handled after its answer: give it time to look and send nothing
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(platform.smtp.received.filter((m) => m.to.includes(user.email) && /Reset/.test(m.subject))).toHaveLength(1);
    await ageSentCodes(platform, user.id);
    await platform.client().call('POST', '/api/auth/password/forgot', { body: { email: user.email } });
    await expect.poll(() => platform.smtp.received.filter((m) => m.to.includes(user.email) && /Reset/.test(m.subject)).length).toBe(2);
    const mails = platform.smtp.received.filter((m) => m.to.includes(user.email) && /Reset/.test(m.subject));
    const second = linkTokenIn(mails[1]!);
    expectError(await platform.client().call('POST', '/api/auth/password/reset', { body: { token: first, newPassword: 'Granite-lantern-58' } }), 400, 'INVALID_RESET_TOKEN');
    expect((await platform.client().call('POST', '/api/auth/password/reset', { body: { token: second, newPassword: 'Granite-lantern-58' } })).status).toBe(200);
  });
});

// Email verification through a real SMTP server on loopback: the code and the link mailed on
// registration and on an email change, resends spaced out, and the `emailVerified` flag.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ageSentCodes, codeIn, expectError, linkTokenIn, mailTo, type SecurityPlatform, startSecurityPlatform } from './support/account-security.js';
import { adminOn } from './support/security.js';

let platform: SecurityPlatform;

beforeAll(async () => {
  platform = await startSecurityPlatform({ LOCKOUT_DELAY_MS: '0' });
});

afterAll(async () => {
  await platform?.close();
});

const verificationMail = (email: string) => mailTo(platform.smtp, email, /verification code/);


describe('on registration', () => {
  it('mails a 6-digit code and a link; the account is flagged until verified with the code', async () => {
    const user = await platform.user();
    const mail = await verificationMail(user.email);
    expect(mail.subject).toMatch(/^\d{6} is your skillEd verification code$/);
    const code = codeIn(mail.subject);
    expect(mail.text).toContain(code);
    expect(mail.text).toContain('https://skilled.example/verify-email?token=');

    const check = await user.client.call('GET', '/api/auth/check', { token: user.token });
    expect(check.body.user.emailVerified).toBe(false);
    const profile = await user.client.call('GET', `/api/users/${user.id}/profile`, { token: user.token });
    expect(profile.body.emailVerified).toBe(false);

    const wrong = code === '000000' ? '000001' : '000000';
    expectError(await user.client.call('POST', '/api/auth/verify-email', { token: user.token, body: { code: wrong } }), 400, 'INVALID_VERIFICATION_CODE');
    // a code is the signed-in user's own
    expectError(await user.client.call('POST', '/api/auth/verify-email', { body: { code } }), 401, 'UNAUTHENTICATED');
    const other = await platform.user();
    expectError(await other.client.call('POST', '/api/auth/verify-email', { token: other.token, body: { code } }), 400, 'INVALID_VERIFICATION_CODE');

    const verified = await user.client.call('POST', '/api/auth/verify-email', { token: user.token, body: { code } });
    expect(verified.status).toBe(200);
    expect(verified.body.data).toEqual({ email: user.email, emailVerified: true });
    expect((await user.client.call('GET', '/api/auth/check', { token: user.token })).body.user.emailVerified).toBe(true);
    expect((await user.client.call('GET', `/api/users/${user.id}/profile`, { token: user.token })).body.emailVerified).toBe(true);
    // the code worked once, and the link of the same mail is spent with it
    expectError(await user.client.call('POST', '/api/auth/verify-email', { token: user.token, body: { code } }), 400, 'INVALID_VERIFICATION_CODE');
    expectError(await user.client.call('POST', '/api/auth/verify-email', { body: { token: linkTokenIn(mail) } }), 400, 'INVALID_VERIFICATION_CODE');

    const admin = await adminOn(user.client);
    const audit = await user.client.call('GET', '/api/admin/audit-log', { token: admin.token, query: { action: 'user.email_verify', targetId: user.id } });
    expect(audit.body.data).toHaveLength(1);
    expect(audit.body.data[0]).toMatchObject({ ip: user.client.ip, after: { email: user.email, userAgent: expect.any(String) } });
  });

  it('verifies by the link signed out too, once', async () => {
    const user = await platform.user();
    const token = linkTokenIn(await verificationMail(user.email));
    const res = await platform.client().call('POST', '/api/auth/verify-email', { body: { token } });
    expect(res.status).toBe(200);
    expect(res.body.data.emailVerified).toBe(true);
    expectError(await platform.client().call('POST', '/api/auth/verify-email', { body: { token } }), 400, 'INVALID_VERIFICATION_CODE');
    expectError(await platform.client().call('POST', '/api/auth/verify-email', { body: { token: 'made-up' } }), 400, 'INVALID_VERIFICATION_CODE');
  });

  it('a code stops working after five wrong guesses', async () => {
    const user = await platform.user();
    const code = codeIn((await verificationMail(user.email)).subject);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < 5; i++) {
      expectError(await user.client.call('POST', '/api/auth/verify-email', { token: user.token, body: { code: wrong } }), 400, 'INVALID_VERIFICATION_CODE');
    }
    expectError(await user.client.call('POST', '/api/auth/verify-email', { token: user.token, body: { code } }), 400, 'INVALID_VERIFICATION_CODE');
  });

  it('takes either a code or a token, not both or neither', async () => {
    const user = await platform.user();
    const both = await user.client.call('POST', '/api/auth/verify-email', { token: user.token, body: { code: '123456', token: 'abc' } });
    expectError(both, 400, 'VALIDATION_ERROR');
    expect(both.body.details['body.code']).toBe('send either code or token');
    expectError(await user.client.call('POST', '/api/auth/verify-email', { token: user.token, body: {} }), 400, 'VALIDATION_ERROR');
    expectError(await user.client.call('POST', '/api/auth/verify-email', { token: user.token, body: { code: '12ab56' } }), 400, 'VALIDATION_ERROR');
  });
});

describe('POST /api/auth/verify-email/resend', () => {
  it('is spaced a minute apart; a new mail ends the previous code', async () => {
    const user = await platform.user();
    const first = codeIn((await verificationMail(user.email)).subject);
    const tooSoon = await user.client.call('POST', '/api/auth/verify-email/resend', { token: user.token });
    expectError(tooSoon, 429, 'RATE_LIMITED');
    expect(Number(tooSoon.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(tooSoon.headers.get('retry-after'))).toBeLessThanOrEqual(60);

    await ageSentCodes(platform, user.id);
    const sent = await user.client.call('POST', '/api/auth/verify-email/resend', { token: user.token });
    expect(sent.status).toBe(202);
    expect(sent.body.data.sentTo).toMatch(/^s•••\w@security\.skilled$/);
    await expect
      .poll(() => platform.smtp.received.filter((m) => m.to.includes(user.email) && /verification code/.test(m.subject)).length)
      .toBe(2);
    const mails = platform.smtp.received.filter((m) => m.to.includes(user.email) && /verification code/.test(m.subject));
    const second = codeIn(mails[1]!.subject);
    if (second !== first) {
      expectError(await user.client.call('POST', '/api/auth/verify-email', { token: user.token, body: { code: first } }), 400, 'INVALID_VERIFICATION_CODE');
    }
    expect((await user.client.call('POST', '/api/auth/verify-email', { token: user.token, body: { code: second } })).status).toBe(200);

    await ageSentCodes(platform, user.id);
    expectError(await user.client.call('POST', '/api/auth/verify-email/resend', { token: user.token }), 409, 'EMAIL_ALREADY_VERIFIED');
    expectError(await user.client.call('POST', '/api/auth/verify-email/resend'), 401, 'UNAUTHENTICATED');
  });
});

describe('changing the email (PUT /api/profile/update)', () => {
  it('needs the current password, unverifies the account, mails both addresses and ends the other sessions', async () => {
    const user = await platform.user();
    await user.client.call('POST', '/api/auth/verify-email', { token: user.token, body: { code: codeIn((await verificationMail(user.email)).subject) } });
    const otherDevice = await user.client.call('POST', '/api/auth/signin', { body: { email: user.email, password: user.password } });
    const newEmail = `moved-${user.username}@security.skilled`;
    const update = (body: Record<string, unknown>) => user.client.call('PUT', '/api/profile/update', { token: user.token, body });

    const missing = await update({ email: newEmail });
    expectError(missing, 400, 'VALIDATION_ERROR');
    expect(missing.body.details).toEqual({ 'body.currentPassword': 'is required to change the email' });
    expectError(await update({ email: newEmail, currentPassword: 'Not-my-password-1' }), 403, 'WRONG_PASSWORD');
    // the same address in another case is no change
    expect((await update({ email: user.email.toUpperCase(), firstName: 'Same' })).status).toBe(200);

    const changed = await update({ email: newEmail, currentPassword: user.password });
    expect(changed.status).toBe(200);
    expect(changed.body.user).toMatchObject({ email: newEmail, emailVerified: false });
    await mailTo(platform.smtp, user.email, /email of your skillEd account was changed/);
    const code = codeIn((await verificationMail(newEmail)).subject);

    expectError(await user.client.call('POST', '/api/auth/refresh', { body: { refreshToken: otherDevice.body.data.refreshToken } }), 401, 'INVALID_REFRESH_TOKEN');
    expect((await user.client.call('POST', '/api/auth/refresh', { body: { refreshToken: user.refreshToken } })).status).toBe(200);

    const verified = await user.client.call('POST', '/api/auth/verify-email', { token: user.token, body: { code } });
    expect(verified.body.data).toEqual({ email: newEmail, emailVerified: true });
    const admin = await adminOn(user.client);
    const audit = await user.client.call('GET', '/api/admin/audit-log', { token: admin.token, query: { action: 'user.email_change', targetId: user.id } });
    expect(audit.body.data[0].after).toMatchObject({ from: user.email, to: newEmail, sessionsEnded: 1 });
  });

  it('a code mailed to the old address no longer verifies the account', async () => {
    const user = await platform.user();
    const oldCode = codeIn((await verificationMail(user.email)).subject);
    const newEmail = `second-${user.username}@security.skilled`;
    expect((await user.client.call('PUT', '/api/profile/update', { token: user.token, body: { email: newEmail, currentPassword: user.password } })).status).toBe(200);
    expectError(await user.client.call('POST', '/api/auth/verify-email', { token: user.token, body: { code: oldCode } }), 400, 'INVALID_VERIFICATION_CODE');
  });
});

// Second factors delivered by mail (a real SMTP server on loopback) and by SMS (an SMS provider's HTTP
// API on loopback): enrolment, sending codes for a sign-in, spacing of resends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  codeIn,
  expectError,
  mailTo,
  passwordStep,
  type SecurityPlatform,
  startSecurityPlatform,
  testPhoneNumber,
} from './support/account-security.js';
import type { TestUser } from './support/api.js';
import type { Client } from './support/security.js';

let platform: SecurityPlatform;

beforeAll(async () => {
  platform = await startSecurityPlatform({ LOCKOUT_DELAY_MS: '0' });
});

afterAll(async () => {
  await platform?.close();
});

type User = TestUser & { client: Client };

async function verifiedUser(): Promise<User> {
  const user = await platform.user();
  const code = codeIn((await mailTo(platform.smtp, user.email, /verification code/)).subject);
  expect((await user.client.call('POST', '/api/auth/verify-email', { token: user.token, body: { code } })).status).toBe(200);
  return user;
}

describe('sign-in codes by email', () => {
  it('need a verified email and the password to turn on', async () => {
    const user = await platform.user();
    expectError(
      await user.client.call('POST', '/api/auth/mfa/email/enable', { token: user.token, body: { currentPassword: user.password } }),
      403,
      'EMAIL_NOT_VERIFIED',
    );
    const verified = await verifiedUser();
    expectError(
      await verified.client.call('POST', '/api/auth/mfa/email/enable', { token: verified.token, body: { currentPassword: 'Not-my-password-1' } }),
      403,
      'WRONG_PASSWORD',
    );
    expectError(await verified.client.call('POST', '/api/auth/mfa/email/enable', { body: { currentPassword: verified.password } }), 401, 'UNAUTHENTICATED');
  });

  it('complete a sign-in with the mailed code; resends are spaced', async () => {
    const user = await verifiedUser();
    const on = await user.client.call('POST', '/api/auth/mfa/email/enable', { token: user.token, body: { currentPassword: user.password } });
    expect(on.status).toBe(200);
    expect(on.body.data.recoveryCodes).toHaveLength(10);
    expect(on.body.data.status).toMatchObject({ enabled: true, methods: ['email', 'recovery'], email: { enabled: true, available: true } });

    const challenge = (await passwordStep(user)).body;
    expect(challenge).toMatchObject({ mfaRequired: true, methods: ['email', 'recovery'] });
    const sent = await user.client.call('POST', '/api/auth/login/mfa/send', { body: { challengeId: challenge.challengeId, method: 'email' } });
    expect(sent.status).toBe(202);
    expect(sent.body.data).toEqual({ method: 'email', sentTo: expect.stringMatching(/^s•••\w@security\.skilled$/), resendAfter: expect.any(String) });
    const mail = await mailTo(platform.smtp, user.email, /sign-in code/);
    const code = codeIn(mail.subject);

    const again = await user.client.call('POST', '/api/auth/login/mfa/send', { body: { challengeId: challenge.challengeId, method: 'email' } });
    expectError(again, 429, 'RATE_LIMITED');
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);

    const wrong = code === '000000' ? '000001' : '000000';
    expectError(
      await user.client.call('POST', '/api/auth/login/mfa', { body: { challengeId: challenge.challengeId, method: 'email', code: wrong } }),
      401,
      'INVALID_MFA_CODE',
    );
    const done = await user.client.call('POST', '/api/auth/login/mfa', { body: { challengeId: challenge.challengeId, method: 'email', code } });
    expect(done.status).toBe(200);
    expect(done.body.data.user.id).toBe(user.id);

    // a code of one challenge does not complete another
    const next = (await passwordStep(user)).body.challengeId;
    expectError(await user.client.call('POST', '/api/auth/login/mfa', { body: { challengeId: next, method: 'email', code } }), 401, 'INVALID_MFA_CODE');
  });

  it('turn off with the password', async () => {
    const user = await verifiedUser();
    await user.client.call('POST', '/api/auth/mfa/email/enable', { token: user.token, body: { currentPassword: user.password } });
    expectError(
      await user.client.call('POST', '/api/auth/mfa/email/enable', { token: user.token, body: { currentPassword: user.password } }),
      409,
      'MFA_ALREADY_ENABLED',
    );
    const off = await user.client.call('POST', '/api/auth/mfa/email/disable', { token: user.token, body: { currentPassword: user.password } });
    expect(off.status).toBe(200);
    expect(off.body.data.status).toMatchObject({ enabled: false, recoveryCodesRemaining: 0 });
    expect((await passwordStep(user)).body.data.accessToken).toEqual(expect.any(String));
    expectError(
      await user.client.call('POST', '/api/auth/mfa/email/disable', { token: user.token, body: { currentPassword: user.password } }),
      409,
      'MFA_NOT_ENABLED',
    );
  });
});

describe('sign-in codes by SMS', () => {
  it('turn on once the phone number is confirmed with a texted code', async () => {
    const user = await platform.user();
    const phone = testPhoneNumber();
    const enroll = (body: Record<string, unknown>) => user.client.call('POST', '/api/auth/mfa/sms/enroll', { token: user.token, body });
    const invalid = await enroll({ currentPassword: user.password, phoneNumber: '555-0100' });
    expectError(invalid, 400, 'VALIDATION_ERROR');
    expect(invalid.body.details['body.phoneNumber']).toMatch(/international number/);
    expectError(await enroll({ currentPassword: 'Not-my-password-1', phoneNumber: phone }), 403, 'WRONG_PASSWORD');

    // spaces and dashes are dropped
    const sent = await enroll({ currentPassword: user.password, phoneNumber: `${phone.slice(0, 5)} ${phone.slice(5, 8)}-${phone.slice(8)}` });
    expect(sent.status).toBe(202);
    expect(sent.body.data.sentTo).toBe(`${phone.slice(0, 5)}•••${phone.slice(-4)}`);
    const sms = await platform.sms.waitFor(phone);
    expect(platform.sms.unauthorised).toBe(0);
    expectError(await enroll({ currentPassword: user.password, phoneNumber: phone }), 429, 'RATE_LIMITED');
    const status = await user.client.call('GET', '/api/auth/mfa', { token: user.token });
    expect(status.body.data.sms).toEqual({ enabled: false, phoneNumber: null, verificationPending: true });

    const code = codeIn(sms.message);
    const wrong = code === '000000' ? '000001' : '000000';
    expectError(await user.client.call('POST', '/api/auth/mfa/sms/confirm', { token: user.token, body: { code: wrong } }), 401, 'INVALID_MFA_CODE');
    const on = await user.client.call('POST', '/api/auth/mfa/sms/confirm', { token: user.token, body: { code } });
    expect(on.status).toBe(200);
    expect(on.body.data.recoveryCodes).toHaveLength(10);
    expect(on.body.data.status.sms).toEqual({ enabled: true, phoneNumber: `${phone.slice(0, 5)}•••${phone.slice(-4)}`, verificationPending: false });

    const challenge = (await passwordStep(user)).body;
    expect(challenge.methods).toEqual(['sms', 'recovery']);
    const texted = await user.client.call('POST', '/api/auth/login/mfa/send', { body: { challengeId: challenge.challengeId, method: 'sms' } });
    expect(texted.status).toBe(202);
    await expect.poll(() => platform.sms.received.filter((m) => m.to === phone).length).toBe(2);
    const signInCode = codeIn(platform.sms.received.filter((m) => m.to === phone)[1]!.message);
    const done = await user.client.call('POST', '/api/auth/login/mfa', { body: { challengeId: challenge.challengeId, method: 'sms', code: signInCode } });
    expect(done.status).toBe(200);

    const off = await user.client.call('POST', '/api/auth/mfa/sms/disable', { token: done.body.data.accessToken, body: { currentPassword: user.password } });
    expect(off.status).toBe(200);
    expect(off.body.data.status.sms).toEqual({ enabled: false, phoneNumber: null, verificationPending: false });
  });

  it('a second factor added to another keeps the recovery codes as they are', async () => {
    const user = await verifiedUser();
    const first = await user.client.call('POST', '/api/auth/mfa/email/enable', { token: user.token, body: { currentPassword: user.password } });
    expect(first.body.data.recoveryCodes).toHaveLength(10);
    const phone = testPhoneNumber();
    await user.client.call('POST', '/api/auth/mfa/sms/enroll', { token: user.token, body: { currentPassword: user.password, phoneNumber: phone } });
    const code = codeIn((await platform.sms.waitFor(phone)).message);
    const second = await user.client.call('POST', '/api/auth/mfa/sms/confirm', { token: user.token, body: { code } });
    expect(second.status).toBe(200);
    expect(second.body.data.recoveryCodes).toBeUndefined();
    expect(second.body.data.status).toMatchObject({ methods: ['sms', 'email', 'recovery'], recoveryCodesRemaining: 10 });
    // turning one off leaves the other on
    const off = await user.client.call('POST', '/api/auth/mfa/email/disable', { token: user.token, body: { currentPassword: user.password } });
    expect(off.body.data.status).toMatchObject({ enabled: true, methods: ['sms', 'recovery'], recoveryCodesRemaining: 10 });
  });
});

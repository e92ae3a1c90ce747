// TOTP as a second factor: RFC 6238's test vectors, enrolment with an otpauth:// URI and a QR code,
// the two-step sign-in, codes that work once, recovery codes, challenge limits, disabling.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/server/db/client.js';
import { matchTotp, totpCode as serverTotpCode } from '../src/server/features/auth/mfa/totp.js';
import {
  awayFromStepBoundary,
  enableTotp,
  expectError,
  mailTo,
  passwordStep,
  type SecurityPlatform,
  startSecurityPlatform,
  totpCode,
} from './support/account-security.js';
import { adminOn } from './support/security.js';

let platform: SecurityPlatform;

beforeAll(async () => {
  platform = await startSecurityPlatform({ LOCKOUT_DELAY_MS: '0' });
});

afterAll(async () => {
  await platform?.close();
});

async function auditRows(action: string, targetId: string) {
  const client = platform.client();
  const admin = await adminOn(client);
  const res = await client.call('GET', '/api/admin/audit-log', { token: admin.token, query: { action, targetId, limit: 50 } });
  expect(res.status).toBe(200);
  return res.body.data as { action: string; ip: string; after: Record<string, unknown> }[];
}

describe('TOTP codes (RFC 6238)', () => {
  // Appendix B, SHA1, the 20-byte ASCII secret "12345678901234567890"; the RFC's 8-digit codes keep their
  // last 6 digits at 6 digits (69279037 becomes 279037).
  const rfcSecret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  const vectors: [number, string][] = [
    [59, '287082'],
    [1111111109, '081804'],
    [1111111111, '050471'],
    [1234567890, '005924'],
    [2000000000, '279037'],
    [20000000000, '353130'],
  ];

  it.each(vectors)('at T=%i the code is %s, and it matches its own time step', (seconds, expected) => {
    expect(serverTotpCode(rfcSecret, seconds * 1000)).toBe(expected);
    expect(matchTotp(rfcSecret, expected, seconds * 1000)).toBe(Math.floor(seconds / 30));
  });

  it('accepts one step of drift either way, and nothing further', () => {
    const at = 1111111111 * 1000;
    const step = Math.floor(at / 30_000);
    expect(matchTotp(rfcSecret, serverTotpCode(rfcSecret, at - 30_000), at)).toBe(step - 1);
    expect(matchTotp(rfcSecret, serverTotpCode(rfcSecret, at + 30_000), at)).toBe(step + 1);
    expect(matchTotp(rfcSecret, serverTotpCode(rfcSecret, at - 60_000), at)).toBeNull();
    expect(matchTotp(rfcSecret, serverTotpCode(rfcSecret, at + 60_000), at)).toBeNull();
    expect(matchTotp(rfcSecret, 'abcdef', at)).toBeNull();
  });
});

describe('enrolling an authenticator app', () => {
  it('gives the secret, an otpauth:// URI and a PNG QR code, and changes nothing until confirmed', async () => {
    const user = await platform.user();
    const res = await user.client.call('POST', '/api/auth/mfa/totp/enroll', { token: user.token, body: { currentPassword: user.password } });
    expect(res.status).toBe(200);
    const { secret, otpauthUri, qrCode, expiresAt } = res.body.data;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(otpauthUri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe(`/skillEd:${user.email}`);
    expect(Object.fromEntries(uri.searchParams)).toMatchObject({ secret, issuer: 'skillEd', algorithm: 'SHA1', digits: '6', period: '30' });
    expect(qrCode).toMatch(/^data:image\/png;base64,/);
    const png = Buffer.from(qrCode.split(',')[1], 'base64');
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(new Date(expiresAt).getTime()).toBeGreaterThan(Date.now());

    const status = await user.client.call('GET', '/api/auth/mfa', { token: user.token });
    expect(status.body.data).toMatchObject({ enabled: false, methods: [], totp: { enabled: false, enrollmentPending: true } });
    // sign-in still gives tokens at once
    const signIn = await passwordStep(user);
    expect(signIn.status).toBe(200);
    expect(signIn.body.data.accessToken).toEqual(expect.any(String));

    // the secret is stored encrypted, not as given
    const [row] = await queryRows<{ pending_totp_secret: string }>(
      platform.server.database.db,
      sql`select pending_totp_secret from mfa_settings where user_id = ${user.id}`,
    );
    expect(row!.pending_totp_secret).toMatch(/^v1\./);
    expect(row!.pending_totp_secret).not.toContain(secret);
  });

  it('needs a signed-in caller and the right current password', async () => {
    const user = await platform.user();
    expectError(await user.client.call('POST', '/api/auth/mfa/totp/enroll', { body: { currentPassword: user.password } }), 401, 'UNAUTHENTICATED');
    expectError(
      await user.client.call('POST', '/api/auth/mfa/totp/enroll', { token: user.token, body: { currentPassword: 'Not-my-password-1' } }),
      403,
      'WRONG_PASSWORD',
    );
    const missing = await user.client.call('POST', '/api/auth/mfa/totp/enroll', { token: user.token, body: {} });
    expectError(missing, 400, 'VALIDATION_ERROR');
    expect(missing.body.details['body.currentPassword']).toBe('is required');
    expectError(await user.client.call('POST', '/api/auth/mfa/totp/confirm', { token: user.token, body: { code: '123456' } }), 409, 'MFA_ENROLLMENT_MISSING');
  });

  it('turns on with a first code: ten recovery codes once, other sessions end, a notice is mailed', async () => {
    const user = await platform.user();
    const otherDevice = await passwordStep(user);
    expect(otherDevice.status).toBe(200);
    const enrolled = await user.client.call('POST', '/api/auth/mfa/totp/enroll', { token: user.token, body: { currentPassword: user.password } });
    const secret = enrolled.body.data.secret;
    expectError(await user.client.call('POST', '/api/auth/mfa/totp/confirm', { token: user.token, body: { code: '12345' } }), 400, 'VALIDATION_ERROR');
    const wrong = String((Number(totpCode(secret)) + 500_000) % 1_000_000).padStart(6, '0');
    expectError(await user.client.call('POST', '/api/auth/mfa/totp/confirm', { token: user.token, body: { code: wrong } }), 401, 'INVALID_MFA_CODE');

    await awayFromStepBoundary();
    const confirmed = await user.client.call('POST', '/api/auth/mfa/totp/confirm', { token: user.token, body: { code: totpCode(secret) } });
    expect(confirmed.status).toBe(200);
    const { recoveryCodes, status } = confirmed.body.data;
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[A-HJ-NP-Z2-9]{5}-[A-HJ-NP-Z2-9]{5}$/);
    expect(status).toMatchObject({
      enabled: true,
      methods: ['totp', 'recovery'],
      totp: { enabled: true, enrollmentPending: false },
      recoveryCodesRemaining: 10,
    });

    // the other session ended; this one goes on
    expectError(await user.client.call('POST', '/api/auth/refresh', { body: { refreshToken: otherDevice.body.data.refreshToken } }), 401, 'INVALID_REFRESH_TOKEN');
    expect((await user.client.call('GET', '/api/auth/mfa', { token: user.token })).status).toBe(200);
    // the recovery codes are never shown again
    expect(JSON.stringify((await user.client.call('GET', '/api/auth/mfa', { token: user.token })).body)).not.toContain(recoveryCodes[0]);
    await mailTo(platform.smtp, user.email, /Two-step sign-in was turned on/);
    expectError(await user.client.call('POST', '/api/auth/mfa/totp/enroll', { token: user.token, body: { currentPassword: user.password } }), 409, 'MFA_ALREADY_ENABLED');

    const rows = await auditRows('mfa.enable', user.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.after).toMatchObject({ method: 'totp', mfaEnabled: true, sessionsEnded: 1, userAgent: expect.any(String) });
    expect(rows[0]!.ip).toBe(user.client.ip);
  });
});

describe('signing in with an authenticator app', () => {
  it('asks for a second step, then answers exactly as a sign-in does', async () => {
    const user = await platform.user();
    const { secret } = await enableTotp(user);
    for (const path of ['/api/auth/login', '/api/auth/signin']) {
      const first = await user.client.call('POST', path, { body: { email: user.email, password: user.password } });
      expect(first.status).toBe(200);
      expect(first.body).toEqual({
        message: expect.any(String),
        mfaRequired: true,
        challengeId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        methods: ['totp', 'recovery'],
        expiresAt: expect.any(String),
      });
      expect(first.headers.getSetCookie()).toEqual([]);
    }
    // a wrong password is still a plain 401, with no challenge
    const wrong = await user.client.call('POST', '/api/auth/login', { body: { email: user.email, password: 'Wrong-password-1' } });
    expectError(wrong, 401, 'INVALID_CREDENTIALS');

    await awayFromStepBoundary();
    const challenge = (await passwordStep(user)).body;
    const done = await user.client.call('POST', '/api/auth/login/mfa', {
      body: { challengeId: challenge.challengeId, method: 'totp', code: totpCode(secret) },
    });
    expect(done.status).toBe(200);
    expect(done.body.message).toBe('Signed in successfully');
    expect(done.body.data).toMatchObject({ user: { id: user.id, email: user.email }, accessToken: expect.any(String), refreshToken: expect.any(String) });
    const cookies = done.headers.getSetCookie();
    expect(cookies.find((c) => c.startsWith('skilled_access='))).toMatch(/HttpOnly/i);
    expect(cookies.find((c) => c.startsWith('skilled_refresh='))).toMatch(/HttpOnly/i);
    const check = await user.client.call('GET', '/api/auth/check', { token: done.body.data.accessToken });
    expect(check.body).toMatchObject({ authenticated: true, user: { id: user.id } });

    // the challenge worked once
    expectError(
      await user.client.call('POST', '/api/auth/login/mfa', { body: { challengeId: challenge.challengeId, method: 'totp', code: totpCode(secret, 1) } }),
      401,
      'MFA_CHALLENGE_INVALID',
    );
    const signins = await auditRows('user.signin', user.id);
    expect(signins[0]!.after).toMatchObject({ method: 'totp', sessionId: expect.any(String) });
  });

  it('never accepts a code twice, nor one of an earlier step', async () => {
    const user = await platform.user();
    const { secret } = await enableTotp(user);
    await awayFromStepBoundary();
    const code = totpCode(secret);
    const first = (await passwordStep(user)).body.challengeId;
    expect((await user.client.call('POST', '/api/auth/login/mfa', { body: { challengeId: first, method: 'totp', code } })).status).toBe(200);

    const second = (await passwordStep(user)).body.challengeId;
    const replay = await user.client.call('POST', '/api/auth/login/mfa', { body: { challengeId: second, method: 'totp', code } });
    expectError(replay, 401, 'INVALID_MFA_CODE');
    // the confirming code's step (the previous one) is used up too
    expectError(
      await user.client.call('POST', '/api/auth/login/mfa', { body: { challengeId: second, method: 'totp', code: totpCode(secret, -1) } }),
      401,
      'INVALID_MFA_CODE',
    );
    // the next step's code still works on the same challenge
    const next = await user.client.call('POST', '/api/auth/login/mfa', { body: { challengeId: second, method: 'totp', code: totpCode(secret, 1) } });
    expect(next.status).toBe(200);

    const failures = await auditRows('user.signin_failed', user.id);
    expect(failures.map((row) => row.after.reason)).toEqual(['invalid_code', 'invalid_code']);
  });

  it('validates the body and refuses unknown challenges and methods the account lacks', async () => {
    const user = await platform.user();
    await enableTotp(user);
    const bad = await user.client.call('POST', '/api/auth/login/mfa', { body: { challengeId: 'nope', method: 'carrier-pigeon', code: '' } });
    expectError(bad, 400, 'VALIDATION_ERROR');
    expect(Object.keys(bad.body.details).sort()).toEqual(['body.challengeId', 'body.code', 'body.method']);
    expectError(
      await user.client.call('POST', '/api/auth/login/mfa', { body: { challengeId: crypto.randomUUID(), method: 'totp', code: '123456' } }),
      401,
      'MFA_CHALLENGE_INVALID',
    );
    const challengeId = (await passwordStep(user)).body.challengeId;
    expectError(await user.client.call('POST', '/api/auth/login/mfa', { body: { challengeId, method: 'sms', code: '123456' } }), 400, 'MFA_METHOD_UNAVAILABLE');
    expectError(await user.client.call('POST', '/api/auth/login/mfa/send', { body: { challengeId, method: 'email' } }), 400, 'MFA_METHOD_UNAVAILABLE');
  });
});

describe('sign-in challenge limits', () => {
  it('dies after five wrong codes, even for the right one afterwards', async () => {
    const user = await platform.user();
    const { secret } = await enableTotp(user);
    await awayFromStepBoundary();
    const challengeId = (await passwordStep(user)).body.challengeId;
    const wrong = String((Number(totpCode(secret)) + 1) % 1_000_000).padStart(6, '0');
    for (let attempt = 1; attempt <= 5; attempt++) {
      const res = await user.client.call('POST', '/api/auth/login/mfa', { body: { challengeId, method: 'totp', code: wrong } });
      expectError(res, 401, 'INVALID_MFA_CODE');
      expect(res.body.error).toContain(attempt < 5 ? `${5 - attempt} attempt` : 'no attempts are left');
    }
    expectError(
      await user.client.call('POST', '/api/auth/login/mfa', { body: { challengeId, method: 'totp', code: totpCode(secret) } }),
      401,
      'MFA_CHALLENGE_INVALID',
    );
    // a new sign-in starts over
    const fresh = (await passwordStep(user)).body.challengeId;
    expect((await user.client.call('POST', '/api/auth/login/mfa', { body: { challengeId: fresh, method: 'totp', code: totpCode(secret) } })).status).toBe(200);
  });

  it('expires after five minutes', async () => {
    const user = await platform.user();
    const { secret } = await enableTotp(user);
    const challenge = (await passwordStep(user)).body;
    const lifetime = new Date(challenge.expiresAt).getTime() - Date.now();
    expect(lifetime).toBeGreaterThan(4 * 60_000);
    expect(lifetime).toBeLessThanOrEqual(5 * 60_000);
    await platform.server.database.db.execute(
      sql`update mfa_challenges set expires_at = now() - interval '1 second' where id = ${challenge.challengeId}`,
    );
    await awayFromStepBoundary();
    expectError(
      await user.client.call('POST', '/api/auth/login/mfa', { body: { challengeId: challenge.challengeId, method: 'totp', code: totpCode(secret) } }),
      401,
      'MFA_CHALLENGE_INVALID',
    );
  });
});

describe('recovery codes', () => {
  it('each signs in once, whatever its case and dashes; the user is told', async () => {
    const user = await platform.user();
    const { recoveryCodes } = await enableTotp(user);
    const typed = recoveryCodes[0]!.toLowerCase().replace('-', ' ');
    const challengeId = (await passwordStep(user)).body.challengeId;
    const done = await user.client.call('POST', '/api/auth/login/mfa', { body: { challengeId, method: 'recovery', code: typed } });
    expect(done.status).toBe(200);
    await mailTo(platform.smtp, user.email, /recovery code was used/);

    const again = (await passwordStep(user)).body.challengeId;
    expectError(await user.client.call('POST', '/api/auth/login/mfa', { body: { challengeId: again, method: 'recovery', code: recoveryCodes[0] } }), 401, 'INVALID_MFA_CODE');
    expect((await user.client.call('POST', '/api/auth/login/mfa', { body: { challengeId: again, method: 'recovery', code: recoveryCodes[1] } })).status).toBe(200);

    const status = await user.client.call('GET', '/api/auth/mfa', { token: done.body.data.accessToken });
    expect(status.body.data.recoveryCodesRemaining).toBe(8);
    const used = await auditRows('mfa.recovery_code_used', user.id);
    expect(used.map((row) => row.after.remaining)).toEqual([8, 9]);
  });

  it('are replaced as a whole with the password; the old ones stop working', async () => {
    const user = await platform.user();
    const { recoveryCodes } = await enableTotp(user);
    expectError(
      await user.client.call('POST', '/api/auth/mfa/recovery-codes', { token: user.token, body: { currentPassword: 'Not-my-password-1' } }),
      403,
      'WRONG_PASSWORD',
    );
    const fresh = await user.client.call('POST', '/api/auth/mfa/recovery-codes', { token: user.token, body: { currentPassword: user.password } });
    expect(fresh.status).toBe(200);
    const codes = fresh.body.data.recoveryCodes as string[];
    expect(codes).toHaveLength(10);
    expect(codes.filter((code) => recoveryCodes.includes(code))).toEqual([]);
    const challengeId = (await passwordStep(user)).body.challengeId;
    expectError(await user.client.call('POST', '/api/auth/login/mfa', { body: { challengeId, method: 'recovery', code: recoveryCodes[2] } }), 401, 'INVALID_MFA_CODE');
    expect((await user.client.call('POST', '/api/auth/login/mfa', { body: { challengeId, method: 'recovery', code: codes[0] } })).status).toBe(200);
  });

  it('cannot be made without a second factor', async () => {
    const user = await platform.user();
    expectError(
      await user.client.call('POST', '/api/auth/mfa/recovery-codes', { token: user.token, body: { currentPassword: user.password } }),
      409,
      'MFA_NOT_ENABLED',
    );
  });
});

describe('turning the authenticator app off', () => {
  it('needs the password and a code; afterwards sign-in is one step again and recovery codes are gone', async () => {
    const user = await platform.user();
    const { secret, recoveryCodes } = await enableTotp(user);
    const disable = (body: Record<string, unknown>) => user.client.call('POST', '/api/auth/mfa/totp/disable', { token: user.token, body });
    expectError(await disable({ currentPassword: 'Not-my-password-1', code: totpCode(secret) }), 403, 'WRONG_PASSWORD');
    expectError(await disable({ currentPassword: user.password, code: '000000' === totpCode(secret) ? '111111' : '000000' }), 401, 'INVALID_MFA_CODE');
    expectError(await disable({ currentPassword: user.password }), 400, 'VALIDATION_ERROR');
    // a recovery code works too
    const off = await disable({ currentPassword: user.password, code: recoveryCodes[0] });
    expect(off.status).toBe(200);
    expect(off.body.data.status).toMatchObject({ enabled: false, methods: [], totp: { enabled: false }, recoveryCodesRemaining: 0 });
    expect(off.body.data.recoveryCodes).toBeUndefined();
    await mailTo(platform.smtp, user.email, /turned off/);
    const signIn = await passwordStep(user);
    expect(signIn.body.data.accessToken).toEqual(expect.any(String));
    expectError(await disable({ currentPassword: user.password, code: totpCode(secret) }), 409, 'MFA_NOT_ENABLED');
    const rows = await auditRows('mfa.disable', user.id);
    expect(rows[0]!.after).toMatchObject({ method: 'totp', confirmedWith: 'recovery', mfaEnabled: false });
  });
});

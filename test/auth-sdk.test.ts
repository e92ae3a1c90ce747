// The SDK's account-security methods: `login` gives the MFA challenge as a typed value, `signIn` as a
// typed error, `verifyMfaSignIn` starts the session; and the verification, reset and session methods.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, MfaRequiredError } from '../src/sdk/errors.js';
import {
  awayFromStepBoundary,
  codeIn,
  enableTotp,
  linkTokenIn,
  mailTo,
  type SecurityPlatform,
  startSecurityPlatform,
  totpCode,
} from './support/account-security.js';
import { record, sdkFor } from './support/sdk.js';

let platform: SecurityPlatform;

beforeAll(async () => {
  platform = await startSecurityPlatform({ LOCKOUT_DELAY_MS: '0' });
});

afterAll(async () => {
  await platform?.close();
});

const anonymousSdk = () => sdkFor(undefined, { baseUrl: platform.server.url });

describe('signing in through the SDK', () => {
  it('login() answers with the session when there is no second factor', async () => {
    const user = await platform.user();
    const sdk = anonymousSdk();
    const result = await sdk.login(user.email, user.password);
    expect(result.mfaRequired).toBe(false);
    if (result.mfaRequired) throw new Error('unreachable');
    expect(result.user.id).toBe(user.id);
    expect(sdk.getTokens()?.accessToken).toBe(result.accessToken);
    expect(await sdk.checkAuth()).toMatchObject({ authenticated: true, user: { id: user.id, emailVerified: false } });
  });

  it('login() gives the challenge as a value, signIn() as an MfaRequiredError; verifyMfaSignIn() finishes', async () => {
    const user = await platform.user();
    const { secret } = await enableTotp(user);
    const sdk = anonymousSdk();
    const exchanges = record(sdk);

    const challenge = await sdk.login(user.email, user.password);
    if (!challenge.mfaRequired) throw new Error('expected a challenge');
    expect(challenge.methods).toEqual(['totp', 'recovery']);
    expect(sdk.getTokens()).toBeUndefined();

    const thrown = await sdk.signIn(user.email, user.password).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(MfaRequiredError);
    expect((thrown as MfaRequiredError).challenge).toMatchObject({ mfaRequired: true, methods: ['totp', 'recovery'] });

    // a wrong code is an ApiError, and no refresh is attempted for it
    const wrong = await sdk
      .verifyMfaSignIn({ challengeId: challenge.challengeId, method: 'totp', code: 'ABCDE-FGHJK' })
      .catch((error: unknown) => error);
    expect(wrong).toBeInstanceOf(ApiError);
    expect((wrong as ApiError).code).toBe('INVALID_MFA_CODE');
    expect(exchanges.filter((e) => e.path === '/api/auth/refresh')).toEqual([]);

    await awayFromStepBoundary();
    const tokens = await sdk.verifyMfaSignIn({ challengeId: challenge.challengeId, method: 'totp', code: totpCode(secret) });
    expect(tokens.user.id).toBe(user.id);
    expect(sdk.getTokens()?.accessToken).toBe(tokens.accessToken);
    const status = await sdk.getMfaStatus();
    expect(status).toMatchObject({ enabled: true, totp: { enabled: true }, recoveryCodesRemaining: 10 });
    // recovery codes, sessions
    expect(await sdk.regenerateRecoveryCodes(user.password)).toHaveLength(10);
    const sessions = await sdk.listSessions();
    expect(sessions.find((s) => s.current)?.sessionId).toEqual(expect.any(String));
    expect(await sdk.revokeOtherSessions()).toEqual({ revoked: sessions.length - 1 });
  });
});

describe('the account methods of the SDK', () => {
  it('verifies the email, resets the password and ends a session', async () => {
    const user = await platform.user();
    const sdk = sdkFor(user, { baseUrl: platform.server.url });
    const code = codeIn((await mailTo(platform.smtp, user.email, /verification code/)).subject);
    expect(await sdk.verifyEmail({ code })).toEqual({ email: user.email, emailVerified: true });

    const anonymous = anonymousSdk();
    expect(await anonymous.forgotPassword({ email: user.email })).toEqual({ message: expect.any(String) });
    const token = linkTokenIn(await mailTo(platform.smtp, user.email, /Reset your skillEd password/));
    expect(await anonymous.resetPassword({ token, newPassword: 'Juniper-compass-41' })).toEqual({ message: expect.any(String) });
    const again = await anonymous.resetPassword({ token, newPassword: 'Juniper-compass-42' }).catch((error: unknown) => error);
    expect((again as ApiError).code).toBe('INVALID_RESET_TOKEN');

    const fresh = anonymousSdk();
    await fresh.login(user.email, 'Juniper-compass-41');
    const other = anonymousSdk();
    await other.login(user.email, 'Juniper-compass-41');
    const target = (await fresh.listSessions()).find((s) => !s.current)!;
    await fresh.revokeSession(target.sessionId);
    expect((await fresh.listSessions()).map((s) => s.sessionId)).not.toContain(target.sessionId);
  });
});

// The account-security methods of ELearningApiClient against a real server whose mail and text messages
// go to catchers on loopback: second factors (authenticator app, SMS, email) from enrolment to the
// two-step sign-in to turning them off, email verification, password reset, sessions, API keys and the
// signing keys. At the end, every route of this file's group (sdk-route-groups.ts) must have answered 2xx.
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ELearningApiClient } from '../src/sdk/elearning-client.js';
import { ApiError } from '../src/sdk/errors.js';
import {
  ageSentCodes,
  awayFromStepBoundary,
  codeIn,
  linkTokenIn,
  mailTo,
  type SecurityPlatform,
  startSecurityPlatform,
  testPhoneNumber,
  totpCode,
} from './support/account-security.js';
import type { TestUser } from './support/api.js';
import { ISO, UUID } from './support/communication.js';
import { expectRoutesCalled, type Exchange, recordInto, sdkFor } from './support/sdk.js';
import { sdkRouteGroups } from './support/sdk-route-groups.js';
import { adminOn } from './support/security.js';

let platform: SecurityPlatform;
const logs: Exchange[][] = [];

beforeAll(async () => {
  platform = await startSecurityPlatform({ LOCKOUT_DELAY_MS: '0' });
});

afterAll(async () => {
  await platform?.close();
});

/** An SDK client of the platform, signed in as `user` when given; its exchanges count for the coverage. */
const sdkOf = (user?: TestUser): ELearningApiClient => recordInto(logs, sdkFor(user, { baseUrl: platform.server.url }));

/** An SDK client that authenticates with an API key instead of a session. */
const sdkWithKey = (key: string): ELearningApiClient =>
  recordInto(logs, sdkFor(undefined, { baseUrl: platform.server.url, tokens: { accessToken: key } }));

/** What a call that must fail failed with. */
async function failure(call: Promise<unknown>): Promise<ApiError> {
  const error = await call.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

/** Signs in with the password alone: an account without a second factor gets its session at once. */
async function expectNoSecondFactor(user: TestUser, password = user.password): Promise<void> {
  const client = sdkOf();
  const result = await client.login(user.email, password);
  expect(result.mfaRequired).toBe(false);
  expect((await client.checkAuth()).authenticated).toBe(true);
}

const maskedPhone = (phone: string) => `${phone.slice(0, 5)}•••${phone.slice(-4)}`;
const maskedEmail = /^s•••\w@security\.skilled$/;
const justAMessage = { message: expect.any(String) };

describe('an authenticator app through the SDK', () => {
  it('enrols, confirms, signs in in two steps, renews the recovery codes and turns off', async () => {
    const user = await platform.user();
    const sdk = sdkOf(user);

    const enrolment = await sdk.enrollTotp(user.password);
    expect(enrolment).toEqual({
      secret: expect.stringMatching(/^[A-Z2-7]+=*$/),
      otpauthUri: expect.stringMatching(/^otpauth:\/\/totp\//),
      qrCode: expect.stringMatching(/^data:image\/png;base64,/),
      expiresAt: expect.stringMatching(ISO),
    });
    expect(new URL(enrolment.otpauthUri).searchParams.get('secret')).toBe(enrolment.secret);
    expect(await sdk.getMfaStatus()).toMatchObject({ enabled: false, methods: [], totp: { enabled: false, enrollmentPending: true } });

    // The previous step's code confirms, leaving the current step's for the sign-in.
    await awayFromStepBoundary();
    const confirmed = await sdk.confirmTotp(totpCode(enrolment.secret, -1));
    expect(confirmed.recoveryCodes).toHaveLength(10);
    expect(confirmed.status).toMatchObject({
      enabled: true,
      methods: ['totp', 'recovery'],
      totp: { enabled: true, enrollmentPending: false },
      recoveryCodesRemaining: 10,
    });

    const device = sdkOf();
    const challenge = await device.login(user.email, user.password);
    if (!challenge.mfaRequired) throw new Error('an account with an authenticator app must be asked for a code');
    expect(challenge).toEqual({
      message: expect.any(String),
      mfaRequired: true,
      challengeId: expect.stringMatching(UUID),
      methods: ['totp', 'recovery'],
      expiresAt: expect.stringMatching(ISO),
    });
    expect(device.getTokens()).toBeUndefined();
    const session = await device.verifyMfaSignIn({ challengeId: challenge.challengeId, method: 'totp', code: totpCode(enrolment.secret) });
    expect(session.user.id).toBe(user.id);
    expect(await device.checkAuth()).toMatchObject({ authenticated: true, user: { id: user.id } });

    const renewed = await sdk.regenerateRecoveryCodes(user.password);
    expect(renewed).toHaveLength(10);
    expect(renewed.filter((code) => confirmed.recoveryCodes!.includes(code))).toEqual([]);
    // The first set stopped working; a code of the new one signs in once.
    const next = await device.login(user.email, user.password);
    if (!next.mfaRequired) throw new Error('still a second factor');
    const stale = await failure(device.verifyMfaSignIn({ challengeId: next.challengeId, method: 'recovery', code: confirmed.recoveryCodes![0]! }));
    expect({ status: stale.status, code: stale.code }).toEqual({ status: 401, code: 'INVALID_MFA_CODE' });
    expect((await device.verifyMfaSignIn({ challengeId: next.challengeId, method: 'recovery', code: renewed[0]! })).user.id).toBe(user.id);
    expect((await sdk.getMfaStatus()).recoveryCodesRemaining).toBe(9);

    const disabled = await sdk.disableTotp({ currentPassword: user.password, code: renewed[1]! });
    expect(disabled.recoveryCodes).toBeUndefined();
    expect(disabled.status).toMatchObject({ enabled: false, methods: [], totp: { enabled: false, enrollmentPending: false }, recoveryCodesRemaining: 0 });
    expect(await sdk.getMfaStatus()).toEqual(disabled.status);
    await expectNoSecondFactor(user);
  });
});

describe('sign-in codes by text message through the SDK', () => {
  it('enrols a phone number with the texted code, signs in with a texted code and turns off', async () => {
    const user = await platform.user();
    const sdk = sdkOf(user);
    const phone = testPhoneNumber();

    const sent = await sdk.enrollSms({ currentPassword: user.password, phoneNumber: phone });
    expect(sent).toEqual({ sentTo: maskedPhone(phone), resendAfter: expect.stringMatching(ISO) });
    const enrolmentCode = codeIn((await platform.sms.waitFor(phone)).message);
    expect((await sdk.getMfaStatus()).sms).toEqual({ enabled: false, phoneNumber: null, verificationPending: true });

    const on = await sdk.confirmSms(enrolmentCode);
    expect(on.recoveryCodes).toHaveLength(10);
    expect(on.status).toMatchObject({ enabled: true, methods: ['sms', 'recovery'], sms: { enabled: true, phoneNumber: maskedPhone(phone), verificationPending: false } });

    const device = sdkOf();
    const challenge = await device.login(user.email, user.password);
    if (!challenge.mfaRequired) throw new Error('an account with SMS must be asked for a code');
    expect(challenge.methods).toEqual(['sms', 'recovery']);
    expect(await device.sendMfaSignInCode(challenge.challengeId, 'sms')).toEqual({
      method: 'sms',
      sentTo: maskedPhone(phone),
      resendAfter: expect.stringMatching(ISO),
    });
    await expect.poll(() => platform.sms.received.filter((sms) => sms.to === phone).length).toBe(2);
    const signInCode = codeIn(platform.sms.received.filter((sms) => sms.to === phone)[1]!.message);
    expect((await device.verifyMfaSignIn({ challengeId: challenge.challengeId, method: 'sms', code: signInCode })).user.id).toBe(user.id);

    const off = await sdk.disableSms(user.password);
    expect(off.status).toMatchObject({ enabled: false, methods: [], sms: { enabled: false, phoneNumber: null, verificationPending: false }, recoveryCodesRemaining: 0 });
    await expectNoSecondFactor(user);
  });
});

describe('email verification and sign-in codes by mail through the SDK', () => {
  it('resends the verification mail, verifies with its code, signs in with a mailed code and turns it off', async () => {
    const user = await platform.user();
    const sdk = sdkOf(user);
    const registrationMail = await mailTo(platform.smtp, user.email, /verification code/);

    // A resend comes a minute after the last mail at the earliest.
    await ageSentCodes(platform, user.id);
    expect(await sdk.resendVerificationEmail()).toEqual({ sentTo: expect.stringMatching(maskedEmail), resendAfter: expect.stringMatching(ISO) });
    const resent = await platform.smtp.waitFor((mail) => mail !== registrationMail && mail.to.includes(user.email) && /verification code/.test(mail.subject));
    expect(await sdk.verifyEmail({ code: codeIn(resent.subject) })).toEqual({ email: user.email, emailVerified: true });
    expect(await sdk.checkAuth()).toMatchObject({ authenticated: true, user: { id: user.id, emailVerified: true } });

    const on = await sdk.enableEmailMfa(user.password);
    expect(on.recoveryCodes).toHaveLength(10);
    expect(on.status).toMatchObject({ enabled: true, methods: ['email', 'recovery'], email: { enabled: true, available: true } });

    const device = sdkOf();
    const challenge = await device.login(user.email, user.password);
    if (!challenge.mfaRequired) throw new Error('an account with email codes must be asked for one');
    expect(challenge.methods).toEqual(['email', 'recovery']);
    expect(await device.sendMfaSignInCode(challenge.challengeId, 'email')).toEqual({
      method: 'email',
      sentTo: expect.stringMatching(maskedEmail),
      resendAfter: expect.stringMatching(ISO),
    });
    const code = codeIn((await mailTo(platform.smtp, user.email, /sign-in code/)).subject);
    expect((await device.verifyMfaSignIn({ challengeId: challenge.challengeId, method: 'email', code })).user.id).toBe(user.id);

    const off = await sdk.disableEmailMfa(user.password);
    expect(off.status).toMatchObject({ enabled: false, methods: [], email: { enabled: false, available: true }, recoveryCodesRemaining: 0 });
    await expectNoSecondFactor(user);
  });
});

describe('sessions and password reset through the SDK', () => {
  it('lists the sessions, ends one and all others, then a reset password ends the last one', async () => {
    const user = await platform.user();
    const sdk = sdkOf(user);
    const laptop = sdkOf();
    const phone = sdkOf();
    await laptop.login(user.email, user.password);
    await phone.login(user.email, user.password);

    const sessions = await sdk.listSessions();
    expect(sessions).toHaveLength(3);
    expect(sessions.filter((session) => session.current)).toHaveLength(1);
    expect(sessions[0]).toEqual({
      sessionId: expect.stringMatching(UUID),
      device: expect.any(String),
      ipAddress: expect.any(String),
      userAgent: expect.any(String),
      createdAt: expect.stringMatching(ISO),
      lastUsedAt: expect.stringMatching(ISO),
      expiresAt: expect.stringMatching(ISO),
      current: true,
    });
    const laptopSession = (await laptop.listSessions()).find((session) => session.current)!.sessionId;

    expect(await sdk.revokeSession(laptopSession)).toEqual(justAMessage);
    expect(await laptop.refreshSession()).toBe(false);
    expect(laptop.getTokens()).toBeUndefined();
    const left = await sdk.listSessions();
    expect(left.map((session) => session.sessionId)).not.toContain(laptopSession);
    expect(left).toHaveLength(2);

    expect(await sdk.revokeOtherSessions()).toEqual({ revoked: 1 });
    expect(await phone.refreshSession()).toBe(false);
    expect((await sdk.listSessions()).map((session) => session.current)).toEqual([true]);

    const anonymous = sdkOf();
    expect(await anonymous.forgotPassword({ email: user.email })).toEqual(justAMessage);
    const token = linkTokenIn(await mailTo(platform.smtp, user.email, /Reset your skillEd password/));
    const newPassword = 'Lantern-orchard-73';
    expect(await anonymous.resetPassword({ token, newPassword })).toEqual(justAMessage);
    // A reset ends every session, and only the new password signs in.
    expect(await sdk.refreshSession()).toBe(false);
    const refused = await failure(anonymous.login(user.email, user.password));
    expect({ status: refused.status, code: refused.code }).toEqual({ status: 401, code: 'INVALID_CREDENTIALS' });
    await expectNoSecondFactor(user, newPassword);
  });
});

describe('API keys through the SDK', () => {
  it('creates, lists, reads, uses, rotates and revokes a key', async () => {
    const user = await platform.user();
    const sdk = sdkOf(user);

    const created = await sdk.createApiKey({ name: 'sdk script', scopes: ['profile:edit'] });
    expect(created).toMatchObject({
      id: expect.stringMatching(UUID),
      key: expect.stringMatching(/^sk_live_[\w-]{43}$/),
      name: 'sdk script',
      userId: user.id,
      createdBy: user.id,
      scopes: ['profile:edit'],
      status: 'active',
      expiresAt: null,
      revokedAt: null,
      replacedBy: null,
      createdAt: expect.stringMatching(ISO),
    });
    expect(created.key.startsWith(created.prefix)).toBe(true);

    const listed = await sdk.listApiKeys();
    expect(listed.data.map((key) => key.id)).toEqual([created.id]);
    expect(listed.pagination).toMatchObject({ page: 1, totalCount: 1 });
    expect(JSON.stringify(listed)).not.toContain(created.key);
    const read = await sdk.getApiKey(created.id);
    expect(read).toMatchObject({ id: created.id, name: 'sdk script', prefix: created.prefix, status: 'active' });
    expect(read).not.toHaveProperty('key');

    // A client holding the key acts as its owner, within its scopes.
    const script = sdkWithKey(created.key);
    expect(await script.checkAuth()).toMatchObject({ authenticated: true, user: { id: user.id } });
    expect(await script.updateProfile({ firstName: 'Scripted' })).toMatchObject({ id: user.id, firstName: 'Scripted' });
    const outOfScope = await failure(script.listApiKeys());
    expect({ status: outOfScope.status, code: outOfScope.code }).toEqual({ status: 403, code: 'INSUFFICIENT_SCOPE' });

    const rotated = await sdk.rotateApiKey(created.id, { gracePeriodHours: 0 });
    expect(rotated).toMatchObject({ key: expect.stringMatching(/^sk_live_/), name: 'sdk script', scopes: ['profile:edit'], status: 'active' });
    expect(rotated.key).not.toBe(created.key);
    expect(rotated.previous).toMatchObject({ id: created.id, replacedBy: rotated.id });
    const oldKey = await failure(script.getUserProfile(user.id));
    expect({ status: oldKey.status, code: oldKey.code }).toEqual({ status: 401, code: 'INVALID_API_KEY' });
    const successor = sdkWithKey(rotated.key);
    expect((await successor.getUserProfile(user.id)).firstName).toBe('Scripted');

    const revoked = await sdk.revokeApiKey(rotated.id);
    expect(revoked).toMatchObject({ id: rotated.id, status: 'revoked', revokedAt: expect.stringMatching(ISO) });
    const afterRevoke = await failure(successor.getUserProfile(user.id));
    expect({ status: afterRevoke.status, code: afterRevoke.code }).toEqual({ status: 401, code: 'INVALID_API_KEY' });
    expect((await sdk.getApiKey(rotated.id)).status).toBe('revoked');
    expect((await sdk.listApiKeys({ status: 'revoked' })).data.map((key) => key.id)).toEqual([rotated.id]);
  });
});

describe('signing keys through the SDK', () => {
  it('lists the keys without key material and rotates without signing anyone out', async () => {
    const admin = sdkOf(await adminOn(platform.client()));
    const signedWith = decodeProtectedHeader(admin.getTokens()!.accessToken).kid;

    const keys = await admin.listSigningKeys();
    expect(keys.filter((key) => key.current)).toHaveLength(1);
    expect(keys.find((key) => key.kid === signedWith)).toMatchObject({ algorithm: 'HS256', createdAt: expect.stringMatching(ISO) });
    for (const key of keys) expect(Object.keys(key).sort()).toEqual(['algorithm', 'createdAt', 'current', 'kid', 'retiresAt']);

    const rotated = await admin.rotateSigningKey();
    expect(rotated.current).toMatchObject({ current: true, retiresAt: null, algorithm: 'HS256' });
    expect(rotated.current.kid).not.toBe(signedWith);
    expect(rotated.retired.find((key) => key.kid === signedWith)).toMatchObject({ current: false, retiresAt: expect.stringMatching(ISO) });
    // The token signed with the previous key still works; the next one is signed with the new key.
    expect((await admin.checkAuth()).authenticated).toBe(true);
    expect(await admin.refreshSession()).toBe(true);
    expect(decodeProtectedHeader(admin.getTokens()!.accessToken).kid).toBe(rotated.current.kid);
    expect((await admin.listSigningKeys()).find((key) => key.current)?.kid).toBe(rotated.current.kid);
  });
});

describe('the security group of the SDK', () => {
  it('had every route called successfully by the tests above', () => {
    expectRoutesCalled(logs, sdkRouteGroups.accountSecurity);
  });
});

// The caller's second factors: status, TOTP, SMS, email codes and recovery codes.
import {
  CodeBody,
  MfaChangeResponse,
  MfaStatusResponse,
  PasswordConfirmation,
  PhoneCodeSentResponse,
  RecoveryCodesResponse,
  SmsEnrollBody,
  TotpDisableBody,
  TotpEnrollmentResponse,
} from '../../../../contract/auth.js';
import { ErrorResponse } from '../../../../contract/errors.js';
import { currentUser, requireAuth } from '../../../http/auth.js';
import type { AccountSecurityRoutes } from '../context.js';
import { createMfaService } from './service.js';

// Recovery codes and TOTP secrets are shown once: never stored for an Idempotency-Key replay.
const secretAnswer = { idempotency: false };
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };

const mfaRoutes: AccountSecurityRoutes = async (app, { ctx }) => {
  const mfa = createMfaService(ctx);
  const signedIn = requireAuth();

  app.get(
    '/api/auth/mfa',
    {
      preHandler: signedIn,
      schema: {
        operationId: 'getMfaStatus',
        tags: ['mfa'],
        summary: 'Your second factors: which are on, what sign-in offers, recovery codes left',
        response: { 200: MfaStatusResponse, 401: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => ({ data: await mfa.status(currentUser(request)) }),
  );

  app.post(
    '/api/auth/mfa/totp/enroll',
    {
      preHandler: signedIn,
      config: secretAnswer,
      schema: {
        operationId: 'enrollTotp',
        tags: ['mfa'],
        summary:
          'Start setting up an authenticator app (needs your password): the secret, its otpauth:// URI and a QR code. ' +
          'Nothing changes until POST /api/auth/mfa/totp/confirm',
        body: PasswordConfirmation,
        response: { 200: TotpEnrollmentResponse, ...errors },
      },
    },
    async (request) => ({
      message: 'Scan the QR code, then confirm with a code from the app',
      data: await mfa.enrollTotp(currentUser(request), request.body.currentPassword),
    }),
  );

  app.post(
    '/api/auth/mfa/totp/confirm',
    {
      preHandler: signedIn,
      config: secretAnswer,
      schema: {
        operationId: 'confirmTotp',
        tags: ['mfa'],
        summary:
          "Turn the authenticator app on with its first code. Your other sessions end. If it is your first second factor, " +
          'the answer carries your 10 recovery codes, shown this once',
        body: CodeBody,
        response: { 200: MfaChangeResponse, ...errors },
      },
    },
    async (request) => ({
      message: 'Authenticator app turned on',
      data: await mfa.confirmTotp(currentUser(request), request.body.code),
    }),
  );

  app.post(
    '/api/auth/mfa/totp/disable',
    {
      preHandler: signedIn,
      schema: {
        operationId: 'disableTotp',
        tags: ['mfa'],
        summary: 'Turn the authenticator app off: needs your password and a code from the app (or a recovery code)',
        body: TotpDisableBody,
        response: { 200: MfaChangeResponse, ...errors },
      },
    },
    async (request) => ({
      message: 'Authenticator app turned off',
      data: await mfa.disableTotp(currentUser(request), request.body.currentPassword, request.body.code),
    }),
  );

  app.post(
    '/api/auth/mfa/recovery-codes',
    {
      preHandler: signedIn,
      config: secretAnswer,
      schema: {
        operationId: 'regenerateRecoveryCodes',
        tags: ['mfa'],
        summary: 'Replace your recovery codes with 10 new ones (needs your password); the old ones stop working',
        body: PasswordConfirmation,
        response: { 200: RecoveryCodesResponse, ...errors },
      },
    },
    async (request) => ({
      message: 'New recovery codes made: keep them safe, they are shown this once',
      data: { recoveryCodes: await mfa.regenerateRecoveryCodes(currentUser(request), request.body.currentPassword) },
    }),
  );

  app.post(
    '/api/auth/mfa/sms/enroll',
    {
      preHandler: signedIn,
      schema: {
        operationId: 'enrollSms',
        tags: ['mfa'],
        summary: 'Text a code to a phone number (needs your password); confirm it to receive sign-in codes by SMS',
        body: SmsEnrollBody,
        response: { 202: PhoneCodeSentResponse, ...errors, 429: ErrorResponse, 503: ErrorResponse },
      },
    },
    async (request, reply) => {
      const data = await mfa.enrollSms(currentUser(request), request.body.currentPassword, request.body.phoneNumber);
      return reply.status(202).send({ message: 'Code sent', data });
    },
  );

  app.post(
    '/api/auth/mfa/sms/confirm',
    {
      preHandler: signedIn,
      config: secretAnswer,
      schema: {
        operationId: 'confirmSms',
        tags: ['mfa'],
        summary: 'Turn sign-in codes by SMS on with the code texted to the phone; your other sessions end',
        body: CodeBody,
        response: { 200: MfaChangeResponse, ...errors },
      },
    },
    async (request) => ({
      message: 'Sign-in codes by SMS turned on',
      data: await mfa.confirmSms(currentUser(request), request.body.code),
    }),
  );

  app.post(
    '/api/auth/mfa/sms/disable',
    {
      preHandler: signedIn,
      schema: {
        operationId: 'disableSms',
        tags: ['mfa'],
        summary: 'Turn sign-in codes by SMS off (needs your password); the phone number is forgotten',
        body: PasswordConfirmation,
        response: { 200: MfaChangeResponse, ...errors },
      },
    },
    async (request) => ({
      message: 'Sign-in codes by SMS turned off',
      data: await mfa.disableSms(currentUser(request), request.body.currentPassword),
    }),
  );

  app.post(
    '/api/auth/mfa/email/enable',
    {
      preHandler: signedIn,
      config: secretAnswer,
      schema: {
        operationId: 'enableEmailMfa',
        tags: ['mfa'],
        summary: 'Turn sign-in codes by email on (needs your password and a verified email); your other sessions end',
        body: PasswordConfirmation,
        response: { 200: MfaChangeResponse, ...errors },
      },
    },
    async (request) => ({
      message: 'Sign-in codes by email turned on',
      data: await mfa.enableEmail(currentUser(request), request.body.currentPassword),
    }),
  );

  app.post(
    '/api/auth/mfa/email/disable',
    {
      preHandler: signedIn,
      schema: {
        operationId: 'disableEmailMfa',
        tags: ['mfa'],
        summary: 'Turn sign-in codes by email off (needs your password)',
        body: PasswordConfirmation,
        response: { 200: MfaChangeResponse, ...errors },
      },
    },
    async (request) => ({
      message: 'Sign-in codes by email turned off',
      data: await mfa.disableEmail(currentUser(request), request.body.currentPassword),
    }),
  );
};

export default mfaRoutes;

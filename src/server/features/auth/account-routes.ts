// Email verification and password reset.
import {
  ForgotPasswordBody,
  ResetPasswordBody,
  VerificationSentResponse,
  VerifyEmailBody,
  VerifyEmailResponse,
} from '../../../contract/auth.js';
import { MessageResponse } from '../../../contract/common.js';
import { ErrorResponse } from '../../../contract/errors.js';
import { currentUser, requestOrigin, requireAuth } from '../../http/auth.js';
import type { AccountSecurityRoutes } from './context.js';
import { createEmailVerification } from './email-verification.js';
import { createPasswordReset } from './password-reset.js';

const accountRoutes: AccountSecurityRoutes = async (app, { ctx }) => {
  const verification = createEmailVerification(ctx);
  const passwordReset = createPasswordReset(ctx);

  app.post(
    '/api/auth/verify-email',
    {
      schema: {
        operationId: 'verifyEmail',
        tags: ['auth'],
        summary:
          "Confirm your email address with the link's token (signed in or not) or with the 6-digit code (signed in). " +
          'A code allows 5 attempts; both work once, for 24 hours',
        security: [{}, { bearerAuth: [] }, { cookieAuth: [] }],
        body: VerifyEmailBody,
        response: { 200: VerifyEmailResponse, 400: ErrorResponse, 401: ErrorResponse },
      },
    },
    async (request) => ({
      message: 'Email address verified',
      data: await verification.verify(request.body, request.user, requestOrigin(request)),
    }),
  );

  app.post(
    '/api/auth/verify-email/resend',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'resendVerificationEmail',
        tags: ['auth'],
        summary: 'Mail a new verification code and link (at most once a minute); the previous ones stop working',
        response: { 202: VerificationSentResponse, 401: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 429: ErrorResponse, 503: ErrorResponse },
      },
    },
    async (request, reply) => {
      const data = await verification.resend(currentUser(request));
      return reply.status(202).send({ message: 'Verification mail sent', data });
    },
  );

  app.post(
    '/api/auth/password/forgot',
    {
      schema: {
        operationId: 'forgotPassword',
        tags: ['auth'],
        summary:
          'Ask for a password reset link by mail. Always 202, whether or not an account has this email; the link works ' +
          'once, for 30 minutes',
        security: [],
        body: ForgotPasswordBody,
        response: { 202: MessageResponse, 400: ErrorResponse },
      },
    },
    async (request, reply) => {
      passwordReset.requestReset(request.body.email, requestOrigin(request));
      return reply.status(202).send({ message: 'If an account has this email, a reset link is on its way' });
    },
  );

  app.post(
    '/api/auth/password/reset',
    {
      schema: {
        operationId: 'resetPassword',
        tags: ['auth'],
        summary: "Choose a new password with the reset link's token; every session of the account ends",
        security: [],
        body: ResetPasswordBody,
        response: { 200: MessageResponse, 400: ErrorResponse },
      },
    },
    async (request) => {
      await passwordReset.reset(request.body.token, request.body.newPassword, requestOrigin(request));
      return { message: 'Password reset: sign in with the new password' };
    },
  );
};

export default accountRoutes;

import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  type AuthTokens,
  AuthCheckResponse,
  CodeSentResponse,
  MfaSendBody,
  MfaVerifyBody,
  RefreshBody,
  RegisterBody,
  RegisterResponse,
  SignInBody,
  SignInOrChallengeResponse,
  SignInResponse,
} from '../../../contract/auth.js';
import { MessageResponse } from '../../../contract/common.js';
import { ErrorResponse } from '../../../contract/errors.js';
import { ACCESS_COOKIE, REFRESH_COOKIE, requestOrigin } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import type { Feature } from '../../http/feature.js';
import accountRoutes from './account-routes.js';
import { createAccountSecurity } from './context.js';
import mfaRoutes from './mfa/routes.js';
import { createAuthService, type ClientInfo } from './service.js';
import sessionRoutes from './sessions/routes.js';

const REFRESH_PATH = '/api/auth';
// Answers with tokens are never stored for an Idempotency-Key replay.
const tokenAnswer = { idempotency: false };

const clientInfo = (request: FastifyRequest): ClientInfo => ({
  ipAddress: request.ip,
  userAgent: String(request.headers['user-agent'] ?? ''),
});

const authRoutes: Feature = async (app, { deps }) => {
  const ctx = createAccountSecurity(app, deps);
  const auth = createAuthService({ ctx, lockout: app.signInLockout });
  const secure = deps.config.env === 'production';

  function setSessionCookies(reply: FastifyReply, tokens: { accessToken: string; expiresAt: string; refreshToken: string; refreshExpiresAt: string }) {
    app.csrf.issue(reply, tokens.accessToken);
    reply.setCookie(ACCESS_COOKIE, tokens.accessToken, {
      httpOnly: true,
      secure,
      sameSite: 'lax',
      path: '/',
      expires: new Date(tokens.expiresAt),
    });
    reply.setCookie(REFRESH_COOKIE, tokens.refreshToken, {
      httpOnly: true,
      secure,
      sameSite: 'strict',
      path: REFRESH_PATH,
      expires: new Date(tokens.refreshExpiresAt),
    });
  }

  function clearSessionCookies(reply: FastifyReply) {
    reply.clearCookie(ACCESS_COOKIE, { path: '/' });
    reply.clearCookie(REFRESH_COOKIE, { path: REFRESH_PATH });
  }

  const signedIn = (reply: FastifyReply, tokens: AuthTokens) => {
    setSessionCookies(reply, tokens);
    return { message: 'Signed in successfully', data: tokens };
  };

  const registerSchema = {
    tags: ['auth'],
    summary: 'Register a new student or instructor account; a verification code and link are mailed to it',
    body: RegisterBody,
    response: { 201: RegisterResponse, 400: ErrorResponse, 403: ErrorResponse, 409: ErrorResponse },
  };
  for (const [url, operationId] of [
    ['/api/users/register', 'registerUser'],
    ['/api/auth/signup', 'signUp'],
  ] as const) {
    app.post(url, { schema: { ...registerSchema, operationId } }, async (request, reply) => {
      const user = await auth.register(request.body, requestOrigin(request));
      return reply.status(201).send({ message: 'User registered successfully', data: user });
    });
  }

  for (const [url, operationId] of [
    ['/api/auth/signin', 'signIn'],
    ['/api/auth/login', 'login'],
  ] as const) {
    app.post(
      url,
      {
        config: tokenAnswer,
        schema: {
          operationId,
          tags: ['auth'],
          summary:
            'Sign in with email and password; sets HTTP-only session cookies. An account with a second factor gets ' +
            '`{ mfaRequired: true, challengeId, methods }` instead: finish with POST /api/auth/login/mfa',
          security: [],
          body: SignInBody,
          response: { 200: SignInOrChallengeResponse, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 429: ErrorResponse },
        },
      },
      async (request, reply) => {
        const outcome = await auth.signIn(request.body.email, request.body.password, clientInfo(request), requestOrigin(request));
        return outcome.mfaRequired ? outcome.challenge : signedIn(reply, outcome.tokens);
      },
    );
  }

  app.post(
    '/api/auth/login/mfa',
    {
      config: tokenAnswer,
      schema: {
        operationId: 'verifyMfaSignIn',
        tags: ['auth', 'mfa'],
        summary:
          'Finish a sign-in with a second factor: a code from the authenticator app (totp), a recovery code, or a code ' +
          'sent by email or SMS. Answers as a sign-in does. A challenge allows 5 attempts and lasts 5 minutes',
        security: [],
        body: MfaVerifyBody,
        response: { 200: SignInResponse, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 429: ErrorResponse },
      },
    },
    async (request, reply) => {
      const { challengeId, method, code } = request.body;
      return signedIn(reply, await auth.completeSignIn(challengeId, method, code, requestOrigin(request)));
    },
  );

  app.post(
    '/api/auth/login/mfa/send',
    {
      schema: {
        operationId: 'sendMfaSignInCode',
        tags: ['auth', 'mfa'],
        summary: 'Send a sign-in code by email or SMS for a challenge (at most every 30 seconds)',
        security: [],
        body: MfaSendBody,
        response: { 202: CodeSentResponse, 400: ErrorResponse, 401: ErrorResponse, 429: ErrorResponse, 503: ErrorResponse },
      },
    },
    async (request, reply) => {
      const data = await auth.sendSignInCode(request.body.challengeId, request.body.method);
      return reply.status(202).send({ message: 'Code sent', data });
    },
  );

  app.get(
    '/api/auth/check',
    {
      schema: {
        operationId: 'checkAuth',
        tags: ['auth'],
        summary: 'Whether the caller is signed in, and as whom',
        response: { 200: AuthCheckResponse },
      },
    },
    async (request) => (request.user ? auth.check(request.user.id) : { authenticated: false as const }),
  );

  app.post(
    '/api/auth/refresh',
    {
      config: tokenAnswer,
      schema: {
        operationId: 'refreshSession',
        tags: ['auth'],
        summary:
          'Exchange a refresh token (cookie or body) for new tokens; the old one stops working, and presenting it again ' +
          'ends the whole session',
        security: [],
        body: RefreshBody,
        response: { 200: SignInResponse, 401: ErrorResponse, 403: ErrorResponse },
      },
    },
    async (request, reply) => {
      const token = request.body?.refreshToken ?? request.cookies[REFRESH_COOKIE];
      if (!token) throw new AppError('INVALID_REFRESH_TOKEN', 'No refresh token was sent');
      try {
        const tokens = await auth.refresh(token, requestOrigin(request));
        setSessionCookies(reply, tokens);
        return { message: 'Session refreshed', data: tokens };
      } catch (error) {
        clearSessionCookies(reply);
        throw error;
      }
    },
  );

  app.post(
    '/api/auth/signout',
    {
      schema: {
        operationId: 'signOut',
        tags: ['auth'],
        summary: 'End the current session (its refresh tokens stop working) and clear the cookies',
        body: z.object({ refreshToken: z.string().max(512).optional() }).nullish(),
        response: { 200: MessageResponse },
      },
    },
    async (request, reply) => {
      await auth.signOut(request.body?.refreshToken ?? request.cookies[REFRESH_COOKIE], request.user, requestOrigin(request));
      clearSessionCookies(reply);
      return { message: 'Signed out successfully' };
    },
  );

  await app.register(mfaRoutes, { ctx });
  await app.register(accountRoutes, { ctx });
  await app.register(sessionRoutes, { ctx });
};

export default authRoutes;

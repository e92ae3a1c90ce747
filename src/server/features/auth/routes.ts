import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  AuthCheckResponse,
  RefreshBody,
  RegisterBody,
  RegisterResponse,
  SignInBody,
  SignInResponse,
} from '../../../contract/auth.js';
import { MessageResponse } from '../../../contract/common.js';
import { ErrorResponse } from '../../../contract/errors.js';
import { ACCESS_COOKIE, REFRESH_COOKIE, requestOrigin } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import type { Feature } from '../../http/feature.js';
import { createAuthService, type ClientInfo } from './service.js';

const REFRESH_PATH = '/api/auth';

const clientInfo = (request: FastifyRequest): ClientInfo => ({
  ipAddress: request.ip,
  userAgent: String(request.headers['user-agent'] ?? ''),
});

const authRoutes: Feature = async (app, { deps }) => {
  const auth = createAuthService({
    db: deps.database.db,
    signer: deps.signer,
    refreshTokenTtl: deps.config.refreshTokenTtl,
  });
  const secure = deps.config.env === 'production';

  function setSessionCookies(reply: FastifyReply, tokens: { accessToken: string; expiresAt: string; refreshToken: string; refreshExpiresAt: string }) {
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

  const registerSchema = {
    tags: ['auth'],
    summary: 'Register a new student or instructor account',
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

  app.post(
    '/api/auth/signin',
    {
      schema: {
        operationId: 'signIn',
        tags: ['auth'],
        summary: 'Sign in with email and password; sets HTTP-only session cookies',
        security: [],
        body: SignInBody,
        response: { 200: SignInResponse, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse },
      },
    },
    async (request, reply) => {
      const tokens = await auth.signIn(request.body.email, request.body.password, clientInfo(request), requestOrigin(request));
      setSessionCookies(reply, tokens);
      return { message: 'Signed in successfully', data: tokens };
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
      schema: {
        operationId: 'refreshSession',
        tags: ['auth'],
        summary: 'Exchange a refresh token (cookie or body) for new tokens; the old one stops working',
        security: [],
        body: RefreshBody,
        response: { 200: SignInResponse, 401: ErrorResponse, 403: ErrorResponse },
      },
    },
    async (request, reply) => {
      const token = request.body?.refreshToken ?? request.cookies[REFRESH_COOKIE];
      if (!token) throw new AppError('INVALID_REFRESH_TOKEN', 'No refresh token was sent');
      try {
        const tokens = await auth.refresh(token, clientInfo(request));
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
      await auth.signOut(request.body?.refreshToken ?? request.cookies[REFRESH_COOKIE], request.user?.sessionId);
      clearSessionCookies(reply);
      return { message: 'Signed out successfully' };
    },
  );
};

export default authRoutes;

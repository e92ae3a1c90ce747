// The caller's sessions.
import { MessageResponse } from '../../../../contract/common.js';
import { RevokeOthersResponse, SessionListResponse, SessionParams } from '../../../../contract/auth.js';
import { ErrorResponse } from '../../../../contract/errors.js';
import { currentUser, requireAuth } from '../../../http/auth.js';
import type { AccountSecurityRoutes } from '../context.js';
import { createSessionService } from './service.js';

const sessionRoutes: AccountSecurityRoutes = async (app, { ctx }) => {
  const sessions = createSessionService(ctx);
  const signedIn = requireAuth();

  app.get(
    '/api/auth/sessions',
    {
      preHandler: signedIn,
      schema: {
        operationId: 'listSessions',
        tags: ['auth'],
        summary: 'Your active sessions (at most MAX_SESSIONS): device, IP address, when signed in and last used; the current one first',
        response: { 200: SessionListResponse, 401: ErrorResponse },
      },
    },
    async (request) => ({ data: await sessions.list(currentUser(request)) }),
  );

  app.delete(
    '/api/auth/sessions/:sessionId',
    {
      preHandler: signedIn,
      schema: {
        operationId: 'revokeSession',
        tags: ['auth'],
        summary:
          'End one of your sessions: its refresh token stops at once, its access token within seconds, its real-time ' +
          "connections close. Another user's session is not found (404)",
        params: SessionParams,
        response: { 200: MessageResponse, 400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => {
      await sessions.revoke(currentUser(request), request.params.sessionId);
      return { message: 'Session ended' };
    },
  );

  app.post(
    '/api/auth/sessions/revoke-others',
    {
      preHandler: signedIn,
      schema: {
        operationId: 'revokeOtherSessions',
        tags: ['auth'],
        summary: 'End every session of yours but this one',
        response: { 200: RevokeOthersResponse, 401: ErrorResponse },
      },
    },
    async (request) => {
      const revoked = await sessions.revokeOthers(currentUser(request));
      return { message: revoked === 1 ? '1 other session ended' : `${revoked} other sessions ended`, data: { revoked } };
    },
  );
};

export default sessionRoutes;

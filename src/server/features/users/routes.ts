import { ErrorResponse } from '../../../contract/errors.js';
import { UserIdParams, UserProfile } from '../../../contract/profile.js';
import {
  ActivityLogResponse,
  ActivityQuery,
  AdminUserResponse,
  ListUsersQuery,
  ListUsersResponse,
  SuspendUserBody,
  UpdateRoleBody,
} from '../../../contract/users.js';
import { currentUser, requireAuth } from '../../http/auth.js';
import type { Feature } from '../../http/feature.js';
import { entityTag } from '../courses/versioning.js';
import { activityLog } from './activity.js';
import { createUserAdminService } from './admin.js';
import { createUsersService } from './service.js';

const usersRoutes: Feature = async (app, { deps }) => {
  const users = createUsersService({ db: deps.database.db });
  const admin = createUserAdminService({
    db: deps.database.db,
    forgetSessions: (userId) => app.sessionValidity.forgetUser(userId),
  });

  app.get(
    '/api/users/:userId/profile',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'getUserProfile',
        tags: ['users'],
        summary:
          "A user's profile with enrollments, progress, achievements, ratings and statistics; " +
          'others than the owner and admins get the public profile (no email or preferences). ' +
          'Its ETag serves If-Match on a profile or preferences edit',
        params: UserIdParams,
        response: { 200: UserProfile, 400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request, reply) => {
      const profile = await users.profile(currentUser(request), request.params.userId);
      // The account's version leads the tag, so that it can be sent back in If-Match with an edit.
      return reply.header('etag', entityTag(profile.updatedAt, profile)).send(profile);
    },
  );

  app.get(
    '/api/users',
    {
      preHandler: requireAuth('users:manage'),
      schema: {
        operationId: 'listUsers',
        tags: ['users', 'admin'],
        summary: 'Users, newest first, searched by name, email or username and filtered by role and status (admins)',
        querystring: ListUsersQuery,
        response: { 200: ListUsersResponse, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse },
      },
    },
    async (request) => admin.list(request.query),
  );

  const changeResponses = {
    200: AdminUserResponse,
    400: ErrorResponse,
    401: ErrorResponse,
    403: ErrorResponse,
    404: ErrorResponse,
    409: ErrorResponse,
  };

  app.put(
    '/api/users/:userId/role',
    {
      preHandler: requireAuth('users:manage'),
      schema: {
        operationId: 'updateUserRole',
        tags: ['users', 'admin'],
        summary:
          "Change a user's role (admins). The last active admin cannot be demoted (409 LAST_ADMIN), nor an " +
          'instructor who still teaches courses made a student (409 INSTRUCTOR_HAS_COURSES)',
        params: UserIdParams,
        body: UpdateRoleBody,
        response: changeResponses,
      },
    },
    async (request) => ({
      message: 'Role updated successfully',
      data: await admin.changeRole(currentUser(request), request.params.userId, request.body.role),
    }),
  );

  app.post(
    '/api/users/:userId/suspend',
    {
      preHandler: requireAuth('users:manage'),
      schema: {
        operationId: 'suspendUser',
        tags: ['users', 'admin'],
        summary:
          'Suspend a user (admins): they cannot sign in, and their sessions end at once (tokens already issued ' +
          'stop working within 5 seconds). The last active admin cannot be suspended (409 LAST_ADMIN)',
        params: UserIdParams,
        body: SuspendUserBody,
        response: changeResponses,
      },
    },
    async (request) => {
      const data = await admin.suspend(currentUser(request), request.params.userId, request.body?.reason);
      // Open WebSocket and SSE connections close now, on every instance, not at the next heartbeat.
      app.realtime.disconnectUser(request.params.userId);
      return { message: 'User suspended', data };
    },
  );

  app.post(
    '/api/users/:userId/unsuspend',
    {
      preHandler: requireAuth('users:manage'),
      schema: {
        operationId: 'unsuspendUser',
        tags: ['users', 'admin'],
        summary: 'Re-activate a suspended user (admins); they sign in again',
        params: UserIdParams,
        response: changeResponses,
      },
    },
    async (request) => ({
      message: 'User re-activated',
      data: await admin.unsuspend(currentUser(request), request.params.userId),
    }),
  );

  app.get(
    '/api/users/:userId/activity',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'getUserActivity',
        tags: ['users'],
        summary:
          "A user's activity log, newest first: sign-ins, enrolments, completions, submissions, grades, badges " +
          '(the user and admins)',
        params: UserIdParams,
        querystring: ActivityQuery,
        response: { 200: ActivityLogResponse, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => activityLog(deps.database.db, currentUser(request), request.params.userId, request.query),
  );
};

export default usersRoutes;

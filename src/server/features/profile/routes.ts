import { IfMatchHeaders } from '../../../contract/courses.js';
import { ErrorResponse } from '../../../contract/errors.js';
import {
  CheckUsernameBody,
  CheckUsernameResponse,
  ProfilePreconditionFailed,
  UpdatePreferencesBody,
  UpdatePreferencesResponse,
  UpdateProfileBody,
  UpdateProfileResponse,
} from '../../../contract/profile.js';
import { currentUser, requireAuth } from '../../http/auth.js';
import type { Feature } from '../../http/feature.js';
import { entityTag, parseIfMatch, StaleVersionError, staleVersionBody } from '../courses/versioning.js';
import { createAccountSecurity } from '../auth/context.js';
import { createCredentialChanges } from '../auth/credential-changes.js';
import { createProfileService } from './service.js';

const profileRoutes: Feature = async (app, { deps }) => {
  const profile = createProfileService({ db: deps.database.db, credentials: createCredentialChanges(createAccountSecurity(app, deps)) });

  app.put(
    '/api/profile/update',
    {
      preHandler: requireAuth('profile:edit'),
      schema: {
        operationId: 'updateProfile',
        tags: ['profile'],
        summary:
          'Update your name, email, username, weekly goal or password (a new password or email needs the current password, ends your other sessions, and a new email must be verified again). Send the ETag of your profile in If-Match to refuse (412) an edit of a profile changed meanwhile',
        headers: IfMatchHeaders,
        body: UpdateProfileBody,
        response: {
          200: UpdateProfileResponse,
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
          404: ErrorResponse,
          409: ErrorResponse,
          412: ProfilePreconditionFailed,
        },
      },
    },
    async (request, reply) => {
      try {
        const user = await profile.update(currentUser(request), request.body, parseIfMatch(request.headers['if-match']));
        return reply.header('etag', entityTag(user.updatedAt, user)).send({ message: 'Profile updated successfully', user });
      } catch (error) {
        if (!(error instanceof StaleVersionError)) throw error;
        return reply.status(412).header('etag', error.etag).send(staleVersionBody(error, request.id));
      }
    },
  );

  app.put(
    '/api/profile/preferences',
    {
      preHandler: requireAuth('profile:edit'),
      schema: {
        operationId: 'updatePreferences',
        tags: ['profile'],
        summary:
          'Update your learning preferences: notifications, preferred study time, weekly goal. Honours If-Match with the ETag of your profile, like a profile update',
        headers: IfMatchHeaders,
        body: UpdatePreferencesBody,
        response: {
          200: UpdatePreferencesResponse,
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
          404: ErrorResponse,
          412: ProfilePreconditionFailed,
        },
      },
    },
    async (request, reply) => {
      try {
        const { updatedAt, ...user } = await profile.updatePreferences(currentUser(request), request.body, parseIfMatch(request.headers['if-match']));
        return reply.header('etag', entityTag(updatedAt, user)).send({ message: 'Preferences updated successfully', user });
      } catch (error) {
        if (!(error instanceof StaleVersionError)) throw error;
        return reply.status(412).header('etag', error.etag).send(staleVersionBody(error, request.id));
      }
    },
  );

  app.post(
    '/api/profile/check-username',
    {
      schema: {
        operationId: 'checkUsername',
        tags: ['profile'],
        summary: 'Whether a username is free (your own current username counts as available to you)',
        // public, for sign-up forms; a stale token is ignored rather than refused
        security: [{}, { bearerAuth: [] }, { cookieAuth: [] }],
        body: CheckUsernameBody,
        response: { 200: CheckUsernameResponse, 400: ErrorResponse },
      },
    },
    async (request) => ({ data: await profile.usernameAvailability(request.body.username, request.user?.id) }),
  );
};

export default profileRoutes;

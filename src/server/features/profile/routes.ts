import { ErrorResponse } from '../../../contract/errors.js';
import {
  CheckUsernameBody,
  CheckUsernameResponse,
  UpdatePreferencesBody,
  UpdatePreferencesResponse,
  UpdateProfileBody,
  UpdateProfileResponse,
} from '../../../contract/profile.js';
import { currentUser, requireAuth } from '../../http/auth.js';
import type { Feature } from '../../http/feature.js';
import { createProfileService } from './service.js';

const profileRoutes: Feature = async (app, { deps }) => {
  const profile = createProfileService({ db: deps.database.db });

  app.put(
    '/api/profile/update',
    {
      preHandler: requireAuth('profile:edit'),
      schema: {
        operationId: 'updateProfile',
        tags: ['profile'],
        summary: 'Update your name, email, username, weekly goal or password (a new password needs the current one)',
        body: UpdateProfileBody,
        response: {
          200: UpdateProfileResponse,
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
          404: ErrorResponse,
          409: ErrorResponse,
        },
      },
    },
    async (request) => {
      const user = await profile.update(currentUser(request), request.body);
      return { message: 'Profile updated successfully', user };
    },
  );

  app.put(
    '/api/profile/preferences',
    {
      preHandler: requireAuth('profile:edit'),
      schema: {
        operationId: 'updatePreferences',
        tags: ['profile'],
        summary: 'Update your learning preferences: notifications, preferred study time, weekly goal',
        body: UpdatePreferencesBody,
        response: {
          200: UpdatePreferencesResponse,
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
          404: ErrorResponse,
        },
      },
    },
    async (request) => {
      const user = await profile.updatePreferences(currentUser(request), request.body);
      return { message: 'Preferences updated successfully', user };
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

// The caller's notifications, marking them read, and the preferences that choose them.
import {
  MarkNotificationsReadBody,
  MarkNotificationsReadResponse,
  NotificationListQuery,
  NotificationListResponse,
  NotificationPreferencesResponse,
  UpdateNotificationPreferencesBody,
  UpdateNotificationPreferencesResponse,
} from '../../../contract/communication.js';
import { ErrorResponse } from '../../../contract/errors.js';
import { currentUser, requireAuth } from '../../http/auth.js';
import type { Feature } from '../../http/feature.js';
import { createNotificationsService } from './notifications.js';
import { createPreferencesService } from './preferences.js';

const notificationRoutes: Feature = async (app, { deps }) => {
  const notifications = createNotificationsService({ db: deps.database.db });
  const preferences = createPreferencesService({ db: deps.database.db });

  app.get(
    '/api/notifications',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'getNotifications',
        tags: ['communication'],
        summary: "The caller's notifications, newest first, with the number unread",
        querystring: NotificationListQuery,
        response: { 200: NotificationListResponse, 400: ErrorResponse, 401: ErrorResponse },
      },
    },
    async (request) => notifications.list(currentUser(request), request.query),
  );

  app.post(
    '/api/notifications/read',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'markNotificationsRead',
        tags: ['communication'],
        summary: 'Mark your notifications read: { ids } (all must be yours, or nothing changes: 404) or { all: true }',
        body: MarkNotificationsReadBody,
        response: { 200: MarkNotificationsReadResponse, 400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => ({
      message: 'Notifications marked read',
      data: await notifications.markRead(currentUser(request), request.body),
    }),
  );

  app.get(
    '/api/notifications/preferences',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'getNotificationPreferences',
        tags: ['communication'],
        summary: 'Which notifications you get, per type and channel (in-app, email), and the daily digest setting',
        response: { 200: NotificationPreferencesResponse, 401: ErrorResponse },
      },
    },
    async (request) => ({ data: await preferences.get(currentUser(request)) }),
  );

  app.put(
    '/api/notifications/preferences',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'updateNotificationPreferences',
        tags: ['communication'],
        summary: 'Change the channels of some notification types and the digest setting; what is not sent stays',
        body: UpdateNotificationPreferencesBody,
        response: { 200: UpdateNotificationPreferencesResponse, 400: ErrorResponse, 401: ErrorResponse },
      },
    },
    async (request) => ({
      message: 'Notification preferences updated',
      data: await preferences.update(currentUser(request), request.body),
    }),
  );
};

export default notificationRoutes;

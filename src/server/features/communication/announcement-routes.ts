// POST and GET /api/announcements.
import {
  AnnouncementListQuery,
  AnnouncementListResponse,
  CreateAnnouncementBody,
  CreateAnnouncementResponse,
} from '../../../contract/communication.js';
import { ErrorResponse } from '../../../contract/errors.js';
import { currentUser, requireAuth } from '../../http/auth.js';
import type { Feature } from '../../http/feature.js';
import { createAnnouncementsService } from './announcements.js';

const announcementRoutes: Feature = async (app, { deps }) => {
  const announcements = createAnnouncementsService({ db: deps.database.db });

  app.post(
    '/api/announcements',
    {
      preHandler: requireAuth('announcements:post'),
      schema: {
        operationId: 'createAnnouncement',
        tags: ['communication'],
        summary:
          "Post an announcement to a course (its instructor or an admin) or, without courseId, to everyone (admins). Its recipients are notified and get announcement.posted",
        body: CreateAnnouncementBody,
        response: { 201: CreateAnnouncementResponse, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request, reply) => {
      const announcement = await announcements.create(currentUser(request), request.body);
      return reply.status(201).send({ message: 'Announcement posted successfully', data: announcement });
    },
  );

  app.get(
    '/api/announcements',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'listAnnouncements',
        tags: ['communication'],
        summary: "The announcements the caller may read (platform-wide ones and those of their courses), newest first",
        querystring: AnnouncementListQuery,
        response: { 200: AnnouncementListResponse, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => announcements.list(currentUser(request), request.query),
  );
};

export default announcementRoutes;

import {
  AnalyticsPeriodQuery,
  AnalyticsUserParams,
  CourseProgressListResponse,
  ProgressAnalyticsResponse,
} from '../../../contract/analytics.js';
import { ErrorResponse } from '../../../contract/errors.js';
import { currentUser, requireAuth } from '../../http/auth.js';
import type { Feature } from '../../http/feature.js';
import { createAnalyticsService } from './service.js';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };

const analyticsRoutes: Feature = async (app, { deps }) => {
  const analytics = createAnalyticsService({ db: deps.readDb });

  app.get(
    '/api/analytics',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'getMyAnalytics',
        tags: ['analytics'],
        summary: "The caller's learning analytics over a period (default: week)",
        querystring: AnalyticsPeriodQuery,
        response: { 200: ProgressAnalyticsResponse, ...errors },
      },
    },
    async (request) => {
      const user = currentUser(request);
      return { data: await analytics.forUser(user, user.id, request.query.period) };
    },
  );

  app.get(
    '/api/analytics/:userId',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'getUserAnalytics',
        tags: ['analytics'],
        summary: "A learner's analytics over a period (the learner, admins, and instructors of the learner's courses)",
        params: AnalyticsUserParams,
        querystring: AnalyticsPeriodQuery,
        response: { 200: ProgressAnalyticsResponse, ...errors },
      },
    },
    async (request) => ({
      data: await analytics.forUser(currentUser(request), request.params.userId, request.query.period),
    }),
  );

  app.get(
    '/api/analytics/:userId/courses',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'getUserCourseProgress',
        tags: ['analytics'],
        summary:
          "Progress in each of a learner's active courses (an instructor sees only the courses they teach)",
        params: AnalyticsUserParams,
        response: { 200: CourseProgressListResponse, ...errors },
      },
    },
    async (request) => ({ data: await analytics.coursesForUser(currentUser(request), request.params.userId) }),
  );
};

export default analyticsRoutes;

import { z } from 'zod';
import {
  AtRiskQuery,
  AtRiskResponse,
  FixAssignmentsResponse,
  PlatformAnalyticsQuery,
  PlatformAnalyticsResponse,
} from '../../../contract/admin.js';
import { Id } from '../../../contract/common.js';
import { ErrorResponse } from '../../../contract/errors.js';
import { currentUser, requireAuth } from '../../http/auth.js';
import type { Feature } from '../../http/feature.js';
import { platformAnalytics } from './analytics.js';
import { atRiskStudents } from './at-risk.js';
import { createAdminService } from './service.js';

const adminRoutes: Feature = async (app, { deps }) => {
  const db = deps.database.db;
  const service = createAdminService({ db });
  // The figures and the at-risk lists only read, and scan many rows: the read replica when there is one.
  const readDb = deps.readDb;

  app.post(
    '/api/admin/fix-assignments',
    {
      preHandler: requireAuth('admin:maintenance'),
      schema: {
        operationId: 'fixAssignments',
        tags: ['admin'],
        summary:
          'Repair assignment submissions: create missing rows, and fix statuses, due dates and late flags that contradict the data',
        response: { 200: FixAssignmentsResponse, 401: ErrorResponse, 403: ErrorResponse },
      },
    },
    async (request) => ({ message: 'Assignment data repaired', data: await service.repairAssignments(currentUser(request)) }),
  );

  app.get(
    '/api/admin/analytics',
    {
      preHandler: requireAuth('analytics:view-all'),
      schema: {
        operationId: 'getPlatformAnalytics',
        tags: ['admin'],
        summary:
          'Platform-wide figures (admins): users by role and status, daily/weekly/monthly active users, enrolments and ' +
          'completions per day, completion rate per course, top courses, average grades',
        querystring: PlatformAnalyticsQuery,
        response: { 200: PlatformAnalyticsResponse, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse },
      },
    },
    async (request) => ({ data: await platformAnalytics(readDb, request.query) }),
  );

  app.get(
    '/api/courses/:courseId/at-risk',
    {
      preHandler: requireAuth('analytics:view-own-students'),
      schema: {
        operationId: 'getAtRiskStudents',
        tags: ['courses', 'analytics'],
        summary:
          "The course's enrolled students at risk, most reasons first: inactive, missed due dates, low grades, " +
          "behind the class's pace (the course's instructor and admins)",
        params: z.object({ courseId: Id }),
        querystring: AtRiskQuery,
        response: {
          200: AtRiskResponse,
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
          404: ErrorResponse,
        },
      },
    },
    async (request) => atRiskStudents(readDb, currentUser(request), request.params.courseId, request.query),
  );
};

export default adminRoutes;

import type { FastifyReply } from 'fastify';
import { ErrorResponse } from '../../../contract/errors.js';
import {
  AdminReportQuery,
  CreateExportBody,
  ExportCreatedResponse,
  ExportFileResponse,
  ExportIdParams,
  ExportJobResponse,
  ExportListQuery,
  ExportListResponse,
  ProgressReportQuery,
  ReportFileResponse,
} from '../../../contract/reports.js';
import { currentUser, requireAuth } from '../../http/auth.js';
import type { Feature } from '../../http/feature.js';
import { createExportService } from './exports.js';
import { createReportsService, type ReportFile } from './service.js';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };

/** Sends a file as a download; reports hold personal data, so no cache may keep them. */
function sendFile(reply: FastifyReply, file: ReportFile & { size?: number }) {
  reply
    .header('content-type', file.contentType)
    .header('content-disposition', `attachment; filename="${file.fileName}"`)
    .header('cache-control', 'private, no-store');
  if (file.size !== undefined) reply.header('content-length', file.size);
  return reply.send(file.body);
}

const reportsRoutes: Feature = async (app, { deps }) => {
  const db = deps.database.db;
  const reports = createReportsService({ db, readDb: deps.readDb });
  const exports = createExportService({ db, dataDir: deps.config.dataDir, embedded: deps.database.kind === 'pglite', log: app.log });
  app.addHook('onReady', () => exports.start());
  // A running export goes back to the queue at once, for the next instance, rather than racing the drain.
  app.onDrain(() => exports.stop());

  app.get(
    '/api/admin/reports',
    {
      preHandler: requireAuth('analytics:view-all'),
      schema: {
        operationId: 'getAdminReport',
        tags: ['admin', 'reports'],
        summary: 'A report on enrolments, grades or engagement over a range, as a CSV or PDF file (admins)',
        querystring: AdminReportQuery,
        response: { 200: ReportFileResponse, ...errors },
      },
    },
    async (request, reply) => sendFile(reply, await reports.adminReport(currentUser(request), request.query)),
  );

  app.get(
    '/api/analytics/report',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'exportProgressReport',
        tags: ['analytics', 'reports'],
        summary:
          "The caller's progress report (courses, progress, grades, study time, streaks) as PDF or CSV; admins and the learner's instructors may pass userId",
        querystring: ProgressReportQuery,
        response: { 200: ReportFileResponse, ...errors, 404: ErrorResponse },
      },
    },
    async (request, reply) => sendFile(reply, await reports.progressReport(currentUser(request), request.query)),
  );

  app.post(
    '/api/admin/export',
    {
      preHandler: requireAuth('data:export'),
      schema: {
        operationId: 'createExport',
        tags: ['admin', 'exports'],
        summary: 'Start a background export of chosen entities as CSV or JSON (admins); poll statusUrl, then download',
        body: CreateExportBody,
        response: { 202: ExportCreatedResponse, ...errors },
      },
    },
    async (request, reply) => {
      const created = await exports.create(currentUser(request), request.body);
      return reply.status(202).header('location', created.statusUrl).send({ data: created });
    },
  );

  app.get(
    '/api/admin/exports',
    {
      preHandler: requireAuth('data:export'),
      schema: {
        operationId: 'listExports',
        tags: ['admin', 'exports'],
        summary: 'Export jobs, newest first (admins)',
        querystring: ExportListQuery,
        response: { 200: ExportListResponse, ...errors },
      },
    },
    async (request) => exports.list(request.query),
  );

  app.get(
    '/api/admin/exports/:exportId',
    {
      preHandler: requireAuth('data:export'),
      schema: {
        operationId: 'getExport',
        tags: ['admin', 'exports'],
        summary: "An export job's status (admins)",
        params: ExportIdParams,
        response: { 200: ExportJobResponse, ...errors, 404: ErrorResponse },
      },
    },
    async (request) => ({ data: await exports.get(request.params.exportId) }),
  );

  app.get(
    '/api/admin/exports/:exportId/download',
    {
      preHandler: requireAuth('data:export'),
      schema: {
        operationId: 'downloadExport',
        tags: ['admin', 'exports'],
        summary: "A completed export's file (admins); 409 while it is queued or running, or when it failed",
        params: ExportIdParams,
        response: { 200: ExportFileResponse, ...errors, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (request, reply) => sendFile(reply, await exports.file(request.params.exportId)),
  );
};

export default reportsRoutes;

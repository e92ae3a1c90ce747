import { AuditLogQuery, AuditLogResponse } from '../../../contract/audit.js';
import { ErrorResponse } from '../../../contract/errors.js';
import { requireAuth } from '../../http/auth.js';
import type { Feature } from '../../http/feature.js';
import { createAuditService } from './service.js';

const auditRoutes: Feature = async (app, { deps }) => {
  const audit = createAuditService({ db: deps.database.db });

  app.get(
    '/api/admin/audit-log',
    {
      preHandler: requireAuth('audit:read'),
      schema: {
        operationId: 'listAuditLog',
        tags: ['admin'],
        summary:
          'Every change made on the platform, newest first: actor, action, target, before/after, IP, request id ' +
          '(admins). Filter by actor, action (or `domain.*`), target and time. The log cannot be changed or deleted',
        querystring: AuditLogQuery,
        response: { 200: AuditLogResponse, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse },
      },
    },
    async (request) => audit.list(request.query),
  );
};

export default auditRoutes;

// POST /api/batch: up to 20 API requests run in order as the caller, each answered with its own
// status and body. Each sub-request goes through the full pipeline (validation, permissions).
import { setImmediate as nextTurn } from 'node:timers/promises';
import { BatchBody, BatchResponse, type BatchResponseItem } from '../../../contract/batch.js';
import { ErrorResponse } from '../../../contract/errors.js';
import { requireAuth } from '../../http/auth.js';
import type { Feature } from '../../http/feature.js';

// The batch request passed authentication, CSRF and rate limits; its sub-requests carry the same credentials.
const FORWARDED = ['authorization', 'cookie', 'x-api-key', 'x-csrf-token', 'user-agent', 'x-forwarded-for'] as const;
const RETURNED = ['content-type', 'etag', 'location', 'retry-after', 'idempotent-replayed'] as const;
// Callers may add these; authentication headers always come from the batch request itself.
const ALLOWED_EXTRA = new Set(['idempotency-key', 'if-none-match', 'if-match', 'accept-language']);

const batchRoutes: Feature = async (app) => {
  app.post(
    '/api/batch',
    {
      schema: {
        operationId: 'batch',
        tags: ['batch'],
        summary: 'Run up to 20 API requests in order, as the caller',
        body: BatchBody,
        response: { 200: BatchResponse, 400: ErrorResponse, 401: ErrorResponse },
      },
      preHandler: requireAuth(),
    },
    async (request) => {
      const results: BatchResponseItem[] = [];
      for (const item of request.body.requests) {
        // Other requests get their turn between sub-requests: with the embedded database a sub-request
        // may finish without ever waiting on I/O, and twenty in a row would hold the server meanwhile.
        if (results.length > 0) await nextTurn();
        const headers: Record<string, string> = { 'x-request-id': `${request.id}.${results.length}` };
        for (const name of FORWARDED) {
          const value = request.headers[name];
          if (typeof value === 'string') headers[name] = value;
        }
        for (const [name, value] of Object.entries(item.headers ?? {})) {
          if (ALLOWED_EXTRA.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
        }
        const hasBody = item.body !== undefined && item.method !== 'GET';
        if (hasBody) headers['content-type'] = 'application/json';
        const response = await app.inject({
          method: item.method,
          url: item.path,
          headers,
          // Sub-requests count against the caller's address, not the server's own.
          remoteAddress: request.ip,
          ...(hasBody ? { payload: JSON.stringify(item.body) } : {}),
        });
        const returned: Record<string, string> = {};
        for (const name of RETURNED) {
          const value = response.headers[name];
          if (value !== undefined) returned[name] = String(value);
        }
        let body: unknown = response.body;
        if (String(response.headers['content-type'] ?? '').includes('json') && response.body) {
          body = JSON.parse(response.body);
        }
        results.push({ status: response.statusCode, headers: returned, body });
      }
      return { data: results };
    },
  );
};

export default batchRoutes;

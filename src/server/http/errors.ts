// One error system: services throw AppError with a catalogue code; one handler maps every error,
// ours or the framework's, to the `{ error, status, code, requestId, details? }` envelope.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { type ErrorCode, errorCatalogue, type ErrorResponse } from '../../contract/errors.js';

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = errorCatalogue[code];
  }
}

/** The PostgreSQL error behind a failed query, whichever driver (and drizzle wrapper) raised it. */
export function postgresErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export const isUniqueViolation = (error: unknown) => postgresErrorCode(error) === '23505';

function envelope(request: FastifyRequest, code: ErrorCode, message: string, details?: Record<string, string>) {
  const body: ErrorResponse = { error: message, status: errorCatalogue[code], code, requestId: String(request.id) };
  if (details) body.details = details;
  return body;
}

function send(reply: FastifyReply, body: ErrorResponse) {
  return reply.status(body.status).type('application/json; charset=utf-8').send(body);
}

function fieldPath(instancePath: string, params: Record<string, unknown> | undefined): string {
  const path = instancePath.replace(/^\//, '').replace(/\//g, '.');
  const missing = params?.missingProperty;
  if (typeof missing === 'string') return path ? `${path}.${missing}` : missing;
  return path;
}

// zod's default wording for a missing field is written for developers.
const friendlyMessage = (message: string | undefined): string =>
  !message ? 'is invalid' : /received undefined$/.test(message) ? 'is required' : message;

const frameworkCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
};

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      return send(reply, envelope(request, error.code, error.message, error.details));
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const details: Record<string, string> = {};
      const where = error.validationContext ?? 'body';
      for (const issue of error.validation) {
        const path = fieldPath(issue.instancePath, issue.params as Record<string, unknown>);
        details[path ? `${where}.${path}` : where] ??= friendlyMessage(issue.message);
      }
      const first = Object.entries(details)[0];
      const message = first ? `Invalid request: ${first[0]} ${first[1]}` : 'Invalid request';
      return send(reply, envelope(request, 'VALIDATION_ERROR', message, details));
    }
    if (isResponseSerializationError(error)) {
      request.log.error({ err: error, issues: error.cause.issues }, 'response did not match its schema');
      return send(reply, envelope(request, 'INTERNAL_ERROR', 'Internal server error'));
    }
    const frameworkCode = error.code ? frameworkCodes[error.code] : undefined;
    if (frameworkCode === 'INVALID_JSON') {
      return send(reply, envelope(request, frameworkCode, 'The request body is not valid JSON'));
    }
    if (frameworkCode === 'PAYLOAD_TOO_LARGE') {
      return send(reply, envelope(request, frameworkCode, 'The request body is too large'));
    }
    if (frameworkCode) return send(reply, envelope(request, frameworkCode, error.message));
    if (postgresErrorCode(error) === 'SK001') {
      return send(reply, envelope(request, 'PREREQUISITE_CYCLE', 'A course cannot require itself, directly or through its prerequisites'));
    }
    if (isUniqueViolation(error)) {
      return send(reply, envelope(request, 'CONFLICT', 'This record already exists'));
    }
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      const code: ErrorCode = error.statusCode === 429 ? 'RATE_LIMITED' : error.statusCode === 404 ? 'NOT_FOUND' : 'BAD_REQUEST';
      return send(reply, { ...envelope(request, code, error.message), status: error.statusCode });
    }
    request.log.error({ err: error }, 'unhandled error');
    return send(reply, envelope(request, 'INTERNAL_ERROR', 'Internal server error'));
  });

  app.setNotFoundHandler((request, reply) =>
    send(reply, envelope(request, 'ROUTE_NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}`)),
  );
}

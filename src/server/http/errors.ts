// One error system: services throw AppError with a catalogue code; one handler maps every error,
// ours or the framework's, to the `{ error, status, code, requestId, details? }` envelope.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { type ErrorCode, errorCatalogue, type ErrorResponse } from '../../contract/errors.js';
import { isConnectFailure } from '../db/client.js';

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

/** A refusal that ends by itself (a rate limit, a lockout): answered with `Retry-After`. */
export class RetryLaterError extends AppError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(code, message);
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

/** Seconds a client is told to wait (Retry-After) when the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

// SQLSTATE class 08 (connection exception), 57P01-57P03 (shut down, crashed, starting up), 53300 (too many connections).
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300)$/;
const NETWORK_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// What node-postgres and PGlite say when the connection is gone or cannot be had.
const UNAVAILABLE_MESSAGE =
  /^(Connection terminated|Client has encountered a connection error|Client was closed and is not queryable|timeout exceeded when trying to connect|Cannot use a pool after calling end|PGlite is closed)/;

/**
 * The error means the database could not be reached (down, restarting, unreachable, out of connections),
 * not that the query was wrong: the request may succeed if retried later. A network error counts only
 * when it came through a database query (drizzle wraps those) or from opening a pooled connection.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen: unknown[] = [];
  const queue: unknown[] = [error];
  let viaQuery = false;
  let network = false;
  while (queue.length > 0 && seen.length < 10) {
    const current = queue.shift();
    if (!current || typeof current !== 'object' || seen.includes(current)) continue;
    seen.push(current);
    const { code, message, cause, errors, name } = current as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown; name?: unknown };
    if (typeof code === 'string' && UNAVAILABLE_SQLSTATE.test(code)) return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)) return true;
    if (typeof code === 'string' && NETWORK_ERRNO.has(code)) network = true;
    if (name === 'DrizzleQueryError' || (current as object).constructor?.name === 'DrizzleQueryError') viaQuery = true;
    if (isConnectFailure(current)) viaQuery = true;
    queue.push(cause);
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return network && viaQuery;
}

function envelope(request: FastifyRequest, code: ErrorCode, message: string, details?: Record<string, string>) {
  const body: ErrorResponse = { error: message, status: errorCatalogue[code], code, requestId: String(request.id) };
  if (details) body.details = details;
  return body;
}

function send(reply: FastifyReply, body: ErrorResponse) {
  return reply.status(body.status).type('application/json; charset=utf-8').send(body);
}

/** Answers with the error envelope, for code outside the error handler (load shedding, metrics access). */
export function sendError(request: FastifyRequest, reply: FastifyReply, code: ErrorCode, message: string) {
  return send(reply, envelope(request, code, message));
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
      if (error instanceof RetryLaterError) reply.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfterSeconds))));
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
    if (isDatabaseUnavailable(error)) {
      // Expected while the database restarts: no stack, and the client is told when to retry.
      request.log.warn({ reason: error.message }, 'database unavailable');
      reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
      return send(reply, envelope(request, 'DATABASE_UNAVAILABLE', 'The database is unavailable; try again shortly'));
    }
    const frameworkCode = error.code ? frameworkCodes[error.code] : undefined;
    if (frameworkCode === 'INVALID_JSON') {
      return send(reply, envelope(request, frameworkCode, 'The request body is not valid JSON'));
    }
    if (frameworkCode === 'PAYLOAD_TOO_LARGE') {
      return send(reply, envelope(request, frameworkCode, 'The request body is too large'));
    }
    if (frameworkCode) return send(reply, envelope(request, frameworkCode, error.message));
    // A NUL character or another one the database's encoding cannot hold: the text is refused as a whole.
    if (['22021', '22P05'].includes(postgresErrorCode(error) ?? '')) {
      return send(reply, envelope(request, 'BAD_REQUEST', 'The request contains characters that cannot be stored (such as NUL)'));
    }
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

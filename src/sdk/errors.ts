// Typed errors for every failure a client can meet, with the words to show a person.
import type { MfaChallenge } from '../contract/auth.js';
import type { ErrorCode } from '../contract/errors.js';

export type ErrorCategory = 'network' | 'validation' | 'server' | 'auth' | 'unknown';

export interface ApiErrorInit {
  status: number;
  message: string;
  code?: ErrorCode | 'NETWORK_ERROR' | 'TIMEOUT' | 'ABORTED' | 'PRECONDITION_FAILED' | string;
  details?: Record<string, string>;
  requestId?: string;
  retryAfterMs?: number;
  body?: unknown;
  cause?: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, string> | undefined;
  readonly requestId: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly body: unknown;
  readonly category: ErrorCategory;

  constructor(init: ApiErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code ?? 'UNKNOWN';
    this.details = init.details;
    this.requestId = init.requestId;
    this.retryAfterMs = init.retryAfterMs;
    this.body = init.body;
    this.category = categorize(init.status);
  }

  /** Words for a person, not a developer. */
  getUserMessage(): string {
    return getUserMessage(this);
  }
}

/**
 * A write refused because the resource changed since it was read (412 on If-Match). It carries both
 * versions, so that a screen can offer "keep mine" (retry with `ifMatch: currentEtag`) or "take theirs"
 * (show `current`): `attempted` is the body that was sent, `current` the server's version and
 * `currentEtag` its ETag.
 */
export class ConflictError<TCurrent = unknown, TAttempted = unknown> extends ApiError {
  constructor(
    init: ApiErrorInit,
    readonly current: TCurrent | undefined,
    readonly attempted: TAttempted,
    readonly currentEtag?: string,
  ) {
    super(init);
    this.name = 'ConflictError';
  }
}

/**
 * A real-time failure: a subscription the server refused (`code` FORBIDDEN or COURSE_NOT_FOUND, with its
 * `courseId`), a session that can no longer authenticate (UNAUTHENTICATED), or reconnection given up
 * (RECONNECT_FAILED). `closeCode` is the WebSocket close code when a close caused it.
 */
export class RealtimeError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly courseId?: string,
    readonly closeCode?: number,
  ) {
    super(message);
    this.name = 'RealtimeError';
  }
}

/**
 * `signIn` met an account with a second factor: the password was right, and the sign-in finishes with
 * a code of one of `challenge.methods` (`verifyMfaSignIn`; `sendMfaSignInCode` for email or SMS).
 * `login` gives the same challenge as a value instead of an error.
 */
export class MfaRequiredError extends Error {
  constructor(readonly challenge: MfaChallenge) {
    super(challenge.message);
    this.name = 'MfaRequiredError';
  }
}

export function categorize(status: number): ErrorCategory {
  if (status === 0) return 'network';
  if (status === 401 || status === 403) return 'auth';
  if (status === 400 || status === 409 || status === 412 || status === 413 || status === 415 || status === 422) {
    return 'validation';
  }
  if (status >= 500 || status === 429) return 'server';
  return 'unknown';
}

export function getUserMessage(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong. Please try again.';
  switch (error.category) {
    case 'network':
      return error.code === 'TIMEOUT'
        ? 'The server took too long to answer. Check your connection and try again.'
        : 'You appear to be offline. We will retry when the connection is back.';
    case 'auth':
      return error.status === 401
        ? 'Your session has ended. Please sign in again.'
        : error.message || 'You do not have permission to do this.';
    case 'validation':
      if (error.status === 412) return 'Someone else changed this in the meantime. Review their changes and try again.';
      return error.message || 'Some of the information you entered is not valid.';
    case 'server':
      return error.status === 429
        ? 'Too many requests. Please wait a moment and try again.'
        : 'The server had a problem. Please try again in a moment.';
    default:
      return error.status === 404 ? error.message || 'We could not find that.' : error.message || 'Something went wrong.';
  }
}

/**
 * Failures worth retrying: the network, timeouts, overload and server errors, and a repeat that
 * found its first copy still running (409 IDEMPOTENCY_KEY_IN_USE: a later repeat gets its answer).
 * The caller decides whether the request itself is safe to repeat.
 */
export function shouldRetry(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  if (error.code === 'ABORTED') return false;
  if (error.code === 'IDEMPOTENCY_KEY_IN_USE') return true;
  return error.status === 0 || error.status === 429 || error.status === 500 || error.status === 502 || error.status === 503 || error.status === 504;
}

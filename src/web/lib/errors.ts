// How the app reads an error: its category decides what a person is shown and offered.
import { ApiError, ConflictError, getUserMessage, type ErrorCategory } from '../../sdk';

export { ApiError, ConflictError };

export function errorCategory(error: unknown): ErrorCategory {
  return error instanceof ApiError ? error.category : 'unknown';
}

export const isNetworkError = (error: unknown) => errorCategory(error) === 'network';
export const isConflict = (error: unknown): error is ConflictError => error instanceof ConflictError;
export const errorCode = (error: unknown) => (error instanceof ApiError ? error.code : undefined);

/** Words for a person. */
export function userMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 403 && error.code !== 'FORBIDDEN') return error.message;
    if (error.category === 'validation' && error.details && Object.keys(error.details).length > 0) {
      return 'Some fields need your attention.';
    }
    return getUserMessage(error);
  }
  if (error instanceof Error && error.message) return error.message;
  return getUserMessage(error);
}

/**
 * The server's validation details as field name → message. `body.password` and `query.search`
 * become `password` and `search`; nested paths keep their dots (`criteria.0.title`).
 */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError) || !error.details) return {};
  const fields: Record<string, string> = {};
  for (const [path, message] of Object.entries(error.details)) {
    fields[path.replace(/^(body|query|params|headers)\.?/, '') || '_'] = message;
  }
  return fields;
}

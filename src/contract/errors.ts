// The one catalogue of error codes: clients branch on `code`, the server maps it to `status`.
import { z } from 'zod';

export const errorCatalogue = {
  VALIDATION_ERROR: 400,
  INVALID_JSON: 400,
  BAD_REQUEST: 400,
  BULK_GRADING_FAILED: 400,
  PREREQUISITE_CYCLE: 400,
  INSTRUCTOR_CANNOT_ENROLL: 400,
  BULK_ENROLLMENT_FAILED: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  INVALID_TOKEN: 401,
  INVALID_REFRESH_TOKEN: 401,
  FORBIDDEN: 403,
  ROLE_NOT_ALLOWED: 403,
  ACCOUNT_SUSPENDED: 403,
  WRONG_PASSWORD: 403,
  NOT_ENROLLED: 403,
  PREREQUISITES_NOT_MET: 403,
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  COURSE_NOT_FOUND: 404,
  LESSON_NOT_FOUND: 404,
  ASSIGNMENT_NOT_FOUND: 404,
  SUBMISSION_NOT_FOUND: 404,
  RUBRIC_NOT_FOUND: 404,
  ENROLLMENT_NOT_FOUND: 404,
  QUIZ_NOT_FOUND: 404,
  QUIZ_ATTEMPT_NOT_FOUND: 404,
  EXPORT_NOT_FOUND: 404,
  FILE_NOT_FOUND: 404,
  CONTENT_NOT_FOUND: 404,
  CONFLICT: 409,
  EMAIL_TAKEN: 409,
  USERNAME_TAKEN: 409,
  ALREADY_ENROLLED: 409,
  ALREADY_GRADED: 409,
  NOT_SUBMITTED: 409,
  QUIZ_HAS_ATTEMPTS: 409,
  ATTEMPT_LIMIT_REACHED: 409,
  ATTEMPT_ALREADY_SUBMITTED: 409,
  EXPORT_NOT_READY: 409,
  LAST_ADMIN: 409,
  INSTRUCTOR_HAS_COURSES: 409,
  IDEMPOTENCY_KEY_IN_USE: 409,
  IDEMPOTENCY_KEY_MISMATCH: 422,
  PAYLOAD_TOO_LARGE: 413,
  PRECONDITION_FAILED: 412,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RANGE_NOT_SATISFIABLE: 416,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
  INSUFFICIENT_STORAGE: 507,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof errorCatalogue;
export const errorCodes = Object.keys(errorCatalogue) as [ErrorCode, ...ErrorCode[]];

export const ErrorResponse = z
  .object({
    error: z.string().describe('Human-readable message'),
    status: z.number().int(),
    code: z.enum(errorCodes),
    requestId: z.string(),
    details: z.record(z.string(), z.string()).optional().describe('Field path → message, for validation errors'),
  })
  .meta({ id: 'ErrorResponse' });
export type ErrorResponse = z.infer<typeof ErrorResponse>;

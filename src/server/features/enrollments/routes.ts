import {
  BulkEnrollBody,
  BulkEnrollFailed,
  BulkEnrollResponse,
  CourseProgressResponse,
  EnrollParams,
  EnrollResponse,
  StudentQuery,
  UnenrollResponse,
} from '../../../contract/enrollments.js';
import { ErrorResponse } from '../../../contract/errors.js';
import { currentUser, requireAuth } from '../../http/auth.js';
import type { Feature } from '../../http/feature.js';
import { BulkEnrollmentError } from './bulk.js';
import { createEnrollmentsService } from './service.js';

const enrollmentsRoutes: Feature = async (app, { deps }) => {
  const enrollments = createEnrollmentsService({ db: deps.database.db });

  app.post(
    '/api/courses/:courseId/enroll',
    {
      // The `courses:enroll` permission is checked in the service, after the course's own
      // instructor has been told why they cannot enroll (400 rather than 403).
      preHandler: requireAuth(),
      schema: {
        operationId: 'enrollInCourse',
        tags: ['enrollments'],
        summary:
          'Enroll in a course (students). Requires every prerequisite course to be completed; a withdrawn enrollment is re-activated',
        params: EnrollParams,
        response: {
          201: EnrollResponse,
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
          404: ErrorResponse,
          409: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const enrollment = await enrollments.enroll(currentUser(request), request.params.courseId);
      return reply.status(201).send({ message: 'Enrolled successfully', data: enrollment });
    },
  );

  app.delete(
    '/api/courses/:courseId/enroll',
    {
      // Students leave themselves; an admin names the student. Checked in the service.
      preHandler: requireAuth(),
      schema: {
        operationId: 'unenrollFromCourse',
        tags: ['enrollments'],
        summary:
          'Leave a course (students; an admin may name the student): the enrollment is withdrawn and the seat freed, while completions, submissions and grades stay; enrolling again re-activates it',
        params: EnrollParams,
        querystring: StudentQuery,
        response: { 200: UnenrollResponse, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => ({
      message: 'Unenrolled successfully',
      data: await enrollments.withdraw(currentUser(request), request.params.courseId, request.query.studentId),
    }),
  );

  app.get(
    '/api/courses/:courseId/progress',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'getCourseProgress',
        tags: ['enrollments'],
        summary:
          "The caller's progress in a course they are enrolled in; the course's instructor and admins may name a student",
        params: EnrollParams,
        querystring: StudentQuery,
        response: {
          200: CourseProgressResponse,
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
          404: ErrorResponse,
        },
      },
    },
    async (request) => ({
      data: await enrollments.progress(currentUser(request), request.params.courseId, request.query.studentId),
    }),
  );

  app.post(
    '/api/courses/:courseId/enrollments/bulk',
    {
      preHandler: requireAuth('courses:manage-own'),
      schema: {
        operationId: 'bulkEnroll',
        tags: ['enrollments'],
        summary:
          "Enroll many students by id or email (the course's instructor or an admin; prerequisites are not required). all_or_nothing: any failed row rolls back every row (400); per_row: a result per row (200)",
        params: EnrollParams,
        body: BulkEnrollBody,
        response: {
          200: BulkEnrollResponse,
          400: BulkEnrollFailed.or(ErrorResponse),
          401: ErrorResponse,
          403: ErrorResponse,
          404: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      try {
        const result = await enrollments.bulk(currentUser(request), request.params.courseId, request.body);
        return {
          message: `${result.enrolled} of ${result.results.length} students enrolled`,
          data: result,
        };
      } catch (error) {
        if (!(error instanceof BulkEnrollmentError)) throw error;
        return reply.status(400).send({
          error: error.message,
          status: error.status,
          code: error.code,
          requestId: request.id,
          ...(error.details ? { details: error.details } : {}),
          results: error.results,
        });
      }
    },
  );
};

export default enrollmentsRoutes;

import {
  AssignmentDetailsResponse,
  AssignmentIdParams,
  AssignmentPreconditionFailed,
  AssignmentListQuery,
  AssignmentListResponse,
  CourseAssignmentsParams,
  CourseAssignmentsQuery,
  CourseAssignmentsResponse,
  CreateAssignmentBody,
  CreateAssignmentResponse,
  DeleteAssignmentResponse,
  SubmitAssignmentBody,
  SubmitAssignmentResponse,
  UpdateAssignmentBody,
  UpdateAssignmentResponse,
} from '../../../contract/assignments.js';
import { IfMatchHeaders } from '../../../contract/courses.js';
import { ErrorResponse } from '../../../contract/errors.js';
import { currentUser, requireAuth } from '../../http/auth.js';
import type { Feature } from '../../http/feature.js';
import { entityTag, parseIfMatch, StaleVersionError, staleVersionBody } from '../courses/versioning.js';
import { createAssignmentAuthoring } from './authoring.js';
import gradingRoutes from './grading-routes.js';
import { createAssignmentService } from './service.js';

const assignmentsRoutes: Feature = async (app, { deps }) => {
  const service = createAssignmentService({ db: deps.database.db });
  const authoring = createAssignmentAuthoring({ db: deps.database.db });

  app.post(
    '/api/assignments',
    {
      preHandler: requireAuth('assignments:create'),
      schema: {
        operationId: 'createAssignment',
        tags: ['assignments'],
        summary: "Create an assignment in a course you teach; its enrolled students get a not_started submission",
        body: CreateAssignmentBody,
        response: {
          201: CreateAssignmentResponse,
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
          404: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const assignment = await service.create(currentUser(request), request.body);
      return reply.status(201).send({ message: 'Assignment created successfully', data: assignment });
    },
  );

  app.get(
    '/api/courses/:courseId/assignments',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'listCourseAssignments',
        tags: ['assignments'],
        summary: "A course's assignments; with studentId, that student's submissions (the student or course staff)",
        params: CourseAssignmentsParams,
        querystring: CourseAssignmentsQuery,
        response: { 200: CourseAssignmentsResponse, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => ({
      data: await service.listForCourse(currentUser(request), request.params.courseId, request.query.studentId),
    }),
  );

  app.get(
    '/api/assignments',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'listMyAssignments',
        tags: ['assignments'],
        summary:
          "The caller's assignments: a student's own submissions, or the assignments an instructor manages with submission counts",
        querystring: AssignmentListQuery,
        response: { 200: AssignmentListResponse, 400: ErrorResponse, 401: ErrorResponse },
      },
    },
    async (request) => service.listMine(currentUser(request), request.query),
  );

  app.get(
    '/api/assignments/:assignmentId',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'getAssignment',
        tags: ['assignments'],
        summary:
          "An assignment with the caller's submission (students) or every submission (course staff). Its ETag carries the assignment's version, for If-Match on PUT and DELETE",
        params: AssignmentIdParams,
        response: { 200: AssignmentDetailsResponse, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request, reply) => {
      const { details, version } = await service.details(currentUser(request), request.params.assignmentId);
      return reply.header('etag', entityTag(version, details)).send({ data: details });
    },
  );

  app.put(
    '/api/assignments/:assignmentId',
    {
      preHandler: requireAuth('assignments:create'),
      schema: {
        operationId: 'updateAssignment',
        tags: ['assignments'],
        summary:
          "Update an assignment (the course's instructor or an admin): only the fields sent change; a new dueDate also applies to submissions not yet handed in. Send the ETag in If-Match to refuse (412) an edit of an assignment changed meanwhile",
        params: AssignmentIdParams,
        headers: IfMatchHeaders,
        body: UpdateAssignmentBody,
        response: {
          200: UpdateAssignmentResponse,
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
          404: ErrorResponse,
          412: AssignmentPreconditionFailed,
        },
      },
    },
    async (request, reply) => {
      try {
        const assignment = await authoring.update(
          currentUser(request),
          request.params.assignmentId,
          request.body,
          parseIfMatch(request.headers['if-match']),
        );
        return reply
          .header('etag', entityTag(assignment.updatedAt, assignment))
          .send({ message: 'Assignment updated successfully', data: assignment });
      } catch (error) {
        if (!(error instanceof StaleVersionError)) throw error;
        return reply.status(412).header('etag', error.etag).send(staleVersionBody(error, request.id));
      }
    },
  );

  app.delete(
    '/api/assignments/:assignmentId',
    {
      preHandler: requireAuth('assignments:create'),
      schema: {
        operationId: 'deleteAssignment',
        tags: ['assignments'],
        summary:
          "Delete an assignment with its submissions, grades and rubric (the course's instructor or an admin); honours If-Match like PUT",
        params: AssignmentIdParams,
        headers: IfMatchHeaders,
        response: {
          200: DeleteAssignmentResponse,
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
          404: ErrorResponse,
          412: AssignmentPreconditionFailed,
        },
      },
    },
    async (request, reply) => {
      try {
        await authoring.remove(currentUser(request), request.params.assignmentId, parseIfMatch(request.headers['if-match']));
        return { message: 'Assignment deleted successfully' };
      } catch (error) {
        if (!(error instanceof StaleVersionError)) throw error;
        return reply.status(412).header('etag', error.etag).send(staleVersionBody(error, request.id));
      }
    },
  );

  app.post(
    '/api/assignments/submit',
    {
      preHandler: requireAuth('assignments:submit'),
      schema: {
        operationId: 'submitAssignment',
        tags: ['assignments'],
        summary: 'Submit (or resubmit until graded) your work for an assignment; late work is accepted and flagged',
        body: SubmitAssignmentBody,
        response: {
          201: SubmitAssignmentResponse,
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
          404: ErrorResponse,
          409: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const receipt = await service.submit(currentUser(request), request.body);
      return reply.status(201).send({ message: 'Assignment submitted successfully', data: receipt });
    },
  );

  await app.register(gradingRoutes, { deps });
};

export default assignmentsRoutes;

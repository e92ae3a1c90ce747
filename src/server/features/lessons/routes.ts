import type { FastifyRequest } from 'fastify';
import { ErrorResponse } from '../../../contract/errors.js';
import {
  CompleteLessonBody,
  CompleteLessonResponse,
  CourseLessonsParams,
  CreateLessonBody,
  CreateLessonResponse,
  DeleteLessonResponse,
  LessonListResponse,
  LessonParams,
  LessonPreconditionFailed,
  LessonResponse,
  ReorderLessonsBody,
  ReorderLessonsResponse,
  UpdateLessonBody,
  UpdateLessonResponse,
} from '../../../contract/lessons.js';
import { IfMatchHeaders } from '../../../contract/courses.js';
import { type AuthUser, currentUser, requireAuth } from '../../http/auth.js';
import type { Feature } from '../../http/feature.js';
import { entityTag, parseIfMatch, StaleVersionError, staleVersionBody } from '../courses/versioning.js';
import { createLessonsService } from './service.js';

/**
 * The lesson list is public but personalised for a signed-in caller. A token that was sent but is
 * invalid is a 401 rather than a silent anonymous answer, so that the client refreshes its session.
 */
const optionalViewer = (request: FastifyRequest): AuthUser | null =>
  request.user || request.authFailed ? currentUser(request) : null;

const lessonsRoutes: Feature = async (app, { deps }) => {
  const lessons = createLessonsService({ db: deps.database.db });

  app.get(
    '/api/courses/:courseId/lessons',
    {
      schema: {
        operationId: 'listCourseLessons',
        tags: ['lessons'],
        summary: "A course's lessons in order, with the caller's completion when enrolled",
        // anonymous or signed in: an enrolled caller also gets their completion dates
        security: [{}, { bearerAuth: [] }, { cookieAuth: [] }],
        params: CourseLessonsParams,
        response: { 200: LessonListResponse, 400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => ({ data: await lessons.list(request.params.courseId, optionalViewer(request)) }),
  );

  app.post(
    '/api/courses/:courseId/lessons',
    {
      // Who may add lessons depends on the course (its instructor or an admin): checked in the service.
      preHandler: requireAuth(),
      schema: {
        operationId: 'createLesson',
        tags: ['lessons'],
        summary: "Add a lesson to a course (the course's instructor or an admin), at a position or at the end",
        params: CourseLessonsParams,
        body: CreateLessonBody,
        response: {
          201: CreateLessonResponse,
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
          404: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const lesson = await lessons.create(currentUser(request), request.params.courseId, request.body);
      return reply.status(201).send({ message: 'Lesson created successfully', data: lesson });
    },
  );

  app.get(
    '/api/courses/:courseId/lessons/:lessonId',
    {
      schema: {
        operationId: 'getCourseLesson',
        tags: ['lessons'],
        summary: "One lesson of a course, with the caller's completion when enrolled; its ETag serves If-Match on an edit",
        security: [{}, { bearerAuth: [] }, { cookieAuth: [] }],
        params: LessonParams,
        response: { 200: LessonResponse, 400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request, reply) => {
      const { courseId, lessonId } = request.params;
      const lesson = await lessons.get(courseId, lessonId, optionalViewer(request));
      return reply.header('etag', entityTag(lesson.updatedAt, lesson)).send({ data: lesson });
    },
  );

  app.put(
    '/api/courses/:courseId/lessons/:lessonId',
    {
      preHandler: requireAuth('courses:manage-own'),
      schema: {
        operationId: 'updateLesson',
        tags: ['lessons'],
        summary:
          "Update a lesson (the course's instructor or an admin); a new order moves it and shifts the others. Send the ETag in If-Match to refuse (412) an edit of a lesson changed meanwhile",
        params: LessonParams,
        headers: IfMatchHeaders,
        body: UpdateLessonBody,
        response: {
          200: UpdateLessonResponse,
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
          404: ErrorResponse,
          412: LessonPreconditionFailed,
        },
      },
    },
    async (request, reply) => {
      const { courseId, lessonId } = request.params;
      try {
        const lesson = await lessons.update(
          currentUser(request),
          courseId,
          lessonId,
          request.body,
          parseIfMatch(request.headers['if-match']),
        );
        return reply
          .header('etag', entityTag(lesson.updatedAt, lesson))
          .send({ message: 'Lesson updated successfully', data: lesson });
      } catch (error) {
        if (!(error instanceof StaleVersionError)) throw error;
        return reply.status(412).header('etag', error.etag).send(staleVersionBody(error, request.id));
      }
    },
  );

  app.delete(
    '/api/courses/:courseId/lessons/:lessonId',
    {
      preHandler: requireAuth('courses:manage-own'),
      schema: {
        operationId: 'deleteLesson',
        tags: ['lessons'],
        summary: "Delete a lesson (the course's instructor or an admin); the later lessons move up to close the gap",
        params: LessonParams,
        response: { 200: DeleteLessonResponse, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => {
      await lessons.remove(currentUser(request), request.params.courseId, request.params.lessonId);
      return { message: 'Lesson deleted successfully' };
    },
  );

  app.post(
    '/api/courses/:courseId/lessons/reorder',
    {
      preHandler: requireAuth('courses:manage-own'),
      schema: {
        operationId: 'reorderLessons',
        tags: ['lessons'],
        summary: "Set the order of all of a course's lessons at once (the course's instructor or an admin)",
        params: CourseLessonsParams,
        body: ReorderLessonsBody,
        response: {
          200: ReorderLessonsResponse,
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
          404: ErrorResponse,
        },
      },
    },
    async (request) => ({
      message: 'Lessons reordered successfully',
      data: await lessons.reorder(currentUser(request), request.params.courseId, request.body),
    }),
  );

  app.post(
    '/api/lessons/complete',
    {
      preHandler: requireAuth('lessons:complete'),
      schema: {
        operationId: 'completeLesson',
        tags: ['lessons'],
        summary:
          'Mark a lesson of a course you are enrolled in as completed (201); completing it again returns the existing completion (200)',
        body: CompleteLessonBody,
        response: {
          200: CompleteLessonResponse,
          201: CompleteLessonResponse,
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
          404: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const completion = await lessons.complete(currentUser(request), request.body);
      return reply
        .status(completion.alreadyCompleted ? 200 : 201)
        .send({
          message: completion.alreadyCompleted ? 'Lesson already completed' : 'Lesson completed successfully',
          data: completion,
        });
    },
  );
};

export default lessonsRoutes;

import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import {
  CourseDetailsResponse,
  CourseIdParams,
  CourseListQuery,
  CourseListResponse,
  CoursePreconditionFailed,
  CourseRatingsQuery,
  CourseRatingsResponse,
  CreateCourseBody,
  CreateCourseResponse,
  DeleteCourseResponse,
  IfMatchHeaders,
  RateCourseBody,
  RateCourseResponse,
  UpdateCourseBody,
  UpdateCourseResponse,
} from '../../../contract/courses.js';
import { ErrorResponse } from '../../../contract/errors.js';
import { type AuthUser, currentUser, requireAuth } from '../../http/auth.js';
import type { Feature } from '../../http/feature.js';
import { type CachedResponse, sendCachedResponse } from '../../http/public-cache.js';
import { type CoursesService, createCoursesService } from './service.js';
import { entityTag, parseIfMatch, StaleVersionError, staleVersionBody } from './versioning.js';

/**
 * Course details are public but personalised for a signed-in caller. A token that was sent but is
 * invalid is a 401 rather than a silent anonymous answer, so that the client refreshes its session.
 */
const optionalViewer = (request: FastifyRequest): AuthUser | null =>
  request.user || request.authFailed ? currentUser(request) : null;

/** A public list, serialized once through its contract (as the route's serializer would), tagged as @fastify/etag tags. */
function publicResponse(list: Awaited<ReturnType<CoursesService['list']>>): CachedResponse {
  const body = JSON.stringify(CourseListResponse.parse(list));
  return { body: Buffer.from(body), etag: `"${createHash('sha1').update(body).digest('base64')}"` };
}

/** Anonymous course pages are the same for everyone; a signed-in caller (or a bad token) is not served from the cache. */
const anonymous = (request: FastifyRequest): boolean => !request.user && !request.authFailed;

const coursesRoutes: Feature = async (app, { deps }) => {
  const courses = createCoursesService({ db: deps.database.db });

  app.get(
    '/api/courses',
    {
      config: { publicCacheHit: () => true },
      schema: {
        operationId: 'listCourses',
        tags: ['courses'],
        summary: 'The course catalogue, filtered, searched, sorted and paginated',
        security: [],
        querystring: CourseListQuery,
        response: { 200: CourseListResponse, 400: ErrorResponse },
      },
    },
    async (request, reply) => {
      // The same for everyone: served from the public cache, keyed by the validated (normalized) query.
      const key = `courses:${JSON.stringify(request.query)}`;
      const cached = await app.publicCache.get(key, async () => publicResponse(await courses.list(request.query)));
      app.publicCache.alias(request.url, key);
      return sendCachedResponse(reply, cached);
    },
  );

  app.post(
    '/api/courses',
    {
      preHandler: requireAuth('courses:create'),
      schema: {
        operationId: 'createCourse',
        tags: ['courses'],
        summary: 'Create a course (instructors; admins may create one for an instructor)',
        body: CreateCourseBody,
        response: {
          201: CreateCourseResponse,
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
          404: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const course = await courses.create(currentUser(request), request.body);
      return reply
        .status(201)
        .header('etag', entityTag(course.updatedAt, course))
        .send({ message: 'Course created successfully', data: course });
    },
  );

  app.get(
    '/api/courses/:courseId',
    {
      config: { publicCacheHit: anonymous },
      schema: {
        operationId: 'getCourse',
        tags: ['courses'],
        summary: "A course's lessons, assignments, quizzes, prerequisites, ratings and statistics, and the caller's enrollment",
        // anonymous or signed in: a signed-in caller also gets their enrollment and submission statuses
        security: [{}, { bearerAuth: [] }, { cookieAuth: [] }],
        params: CourseIdParams,
        response: { 200: CourseDetailsResponse, 400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request, reply) => {
      const viewer = optionalViewer(request);
      if (!viewer) {
        const key = `course:${request.params.courseId}`;
        const cached = await app.publicCache.get(key, async () => {
          const course = await courses.details(request.params.courseId, null);
          return { body: Buffer.from(JSON.stringify(CourseDetailsResponse.parse({ data: course }))), etag: entityTag(course.updatedAt, course) };
        });
        app.publicCache.alias(request.url, key);
        return sendCachedResponse(reply, cached);
      }
      const course = await courses.details(request.params.courseId, viewer);
      // The course's version leads the tag, so that it can be sent back in If-Match with an edit.
      return reply.header('etag', entityTag(course.updatedAt, course)).send({ data: course });
    },
  );

  app.put(
    '/api/courses/:courseId',
    {
      preHandler: requireAuth('courses:manage-own'),
      schema: {
        operationId: 'updateCourse',
        tags: ['courses'],
        summary:
          "Update a course (its instructor or an admin): only the fields sent change; prerequisiteIds replaces the set. Send the ETag in If-Match to refuse (412) an edit of a course changed meanwhile",
        params: CourseIdParams,
        headers: IfMatchHeaders,
        body: UpdateCourseBody,
        response: {
          200: UpdateCourseResponse,
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
          404: ErrorResponse,
          412: CoursePreconditionFailed,
        },
      },
    },
    async (request, reply) => {
      try {
        const course = await courses.update(
          currentUser(request),
          request.params.courseId,
          request.body,
          parseIfMatch(request.headers['if-match']),
        );
        return reply
          .header('etag', entityTag(course.updatedAt, course))
          .send({ message: 'Course updated successfully', data: course });
      } catch (error) {
        if (!(error instanceof StaleVersionError)) throw error;
        return reply.status(412).header('etag', error.etag).send(staleVersionBody(error, request.id));
      }
    },
  );

  app.delete(
    '/api/courses/:courseId',
    {
      preHandler: requireAuth('courses:manage-own'),
      schema: {
        operationId: 'deleteCourse',
        tags: ['courses'],
        summary:
          'Delete a course (its instructor or an admin) with its lessons, assignments, quizzes, enrollments, submissions and ratings',
        params: CourseIdParams,
        response: { 200: DeleteCourseResponse, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => {
      await courses.remove(currentUser(request), request.params.courseId);
      return { message: 'Course deleted successfully' };
    },
  );

  app.post(
    '/api/courses/:courseId/ratings',
    {
      preHandler: requireAuth('courses:rate'),
      schema: {
        operationId: 'rateCourse',
        tags: ['courses'],
        summary: 'Rate and review a course you are enrolled in; rating again updates your rating',
        params: CourseIdParams,
        body: RateCourseBody,
        response: {
          200: RateCourseResponse,
          201: RateCourseResponse,
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
          404: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const { created, rating } = await courses.rate(currentUser(request), request.params.courseId, request.body);
      return reply
        .status(created ? 201 : 200)
        .send({ message: created ? 'Rating submitted successfully' : 'Rating updated successfully', data: rating });
    },
  );

  app.get(
    '/api/courses/:courseId/ratings',
    {
      schema: {
        operationId: 'listCourseRatings',
        tags: ['courses'],
        summary: "A course's ratings and reviews, newest first",
        security: [],
        params: CourseIdParams,
        querystring: CourseRatingsQuery,
        response: { 200: CourseRatingsResponse, 400: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => courses.ratings(request.params.courseId, request.query.page, request.query.limit),
  );
};

export default coursesRoutes;

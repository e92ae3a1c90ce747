import { MessageResponse } from '../../../contract/common.js';
import { IfMatchHeaders } from '../../../contract/courses.js';
import { ErrorResponse } from '../../../contract/errors.js';
import {
  CourseQuizzesParams,
  CourseQuizzesQuery,
  CourseQuizzesResponse,
  CreateQuizBody,
  QuizAttemptParams,
  QuizDetailsResponse,
  QuizIdParams,
  QuizPreconditionFailed,
  QuizResultsQuery,
  QuizResultsResponse,
  QuizSavedResponse,
  StartAttemptResponse,
  SubmitAttemptBody,
  SubmitAttemptResponse,
  UpdateQuizBody,
} from '../../../contract/quizzes.js';
import { currentUser, requireAuth } from '../../http/auth.js';
import type { Feature } from '../../http/feature.js';
import { entityTag, parseIfMatch, StaleVersionError, staleVersionBody } from '../courses/versioning.js';
import { createQuizAttemptService } from './attempts.js';
import { createQuizResultsService } from './results.js';
import { createQuizService } from './service.js';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };

const quizzesRoutes: Feature = async (app, { deps }) => {
  const db = deps.database.db;
  const quizzes = createQuizService({ db });
  const attempts = createQuizAttemptService({ db });
  const results = createQuizResultsService({ db });

  app.post(
    '/api/quizzes',
    {
      // Which course: its instructor or an admin, checked in the service.
      preHandler: requireAuth('courses:manage-own'),
      schema: {
        operationId: 'createQuiz',
        tags: ['quizzes'],
        summary: "Create a quiz in a course you teach (or as an admin); the response includes the answers",
        body: CreateQuizBody,
        response: { 201: QuizSavedResponse, ...errors },
      },
    },
    async (request, reply) => {
      const quiz = await quizzes.create(currentUser(request), request.body);
      return reply.status(201).send({ message: 'Quiz created successfully', data: quiz });
    },
  );

  app.get(
    '/api/quizzes/:quizId',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'getQuiz',
        tags: ['quizzes'],
        summary:
          "A quiz with its questions: with the answers for course staff, without them (and with the caller's attempts) for enrolled students; its ETag serves If-Match on an edit",
        params: QuizIdParams,
        response: { 200: QuizDetailsResponse, ...errors },
      },
    },
    async (request, reply) => {
      const quiz = await quizzes.details(currentUser(request), request.params.quizId);
      // The quiz's version leads the tag, so that it can be sent back in If-Match with an edit.
      return reply.header('etag', entityTag(quiz.updatedAt, quiz)).send({ data: quiz });
    },
  );

  app.put(
    '/api/quizzes/:quizId',
    {
      preHandler: requireAuth('courses:manage-own'),
      schema: {
        operationId: 'updateQuiz',
        tags: ['quizzes'],
        summary:
          'Change a quiz (course staff); its questions can be replaced only until the first attempt. Send the ETag in If-Match to refuse (412) an edit of a quiz changed meanwhile',
        params: QuizIdParams,
        headers: IfMatchHeaders,
        body: UpdateQuizBody,
        response: { 200: QuizSavedResponse, ...errors, 409: ErrorResponse, 412: QuizPreconditionFailed },
      },
    },
    async (request, reply) => {
      try {
        const quiz = await quizzes.update(currentUser(request), request.params.quizId, request.body, parseIfMatch(request.headers['if-match']));
        return reply.header('etag', entityTag(quiz.updatedAt, quiz)).send({ message: 'Quiz updated successfully', data: quiz });
      } catch (error) {
        if (!(error instanceof StaleVersionError)) throw error;
        return reply.status(412).header('etag', error.etag).send(staleVersionBody(error, request.id));
      }
    },
  );

  app.delete(
    '/api/quizzes/:quizId',
    {
      preHandler: requireAuth('courses:manage-own'),
      schema: {
        operationId: 'deleteQuiz',
        tags: ['quizzes'],
        summary: 'Delete a quiz with its questions and attempts (course staff)',
        params: QuizIdParams,
        response: { 200: MessageResponse, ...errors },
      },
    },
    async (request) => {
      await quizzes.remove(currentUser(request), request.params.quizId);
      return { message: 'Quiz deleted successfully' };
    },
  );

  app.get(
    '/api/courses/:courseId/quizzes',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'listCourseQuizzes',
        tags: ['quizzes'],
        summary: "A course's quizzes (course staff and enrolled students, who also get their attempts), oldest first",
        params: CourseQuizzesParams,
        querystring: CourseQuizzesQuery,
        response: { 200: CourseQuizzesResponse, ...errors },
      },
    },
    async (request) => quizzes.listForCourse(currentUser(request), request.params.courseId, request.query),
  );

  app.post(
    '/api/quizzes/:quizId/attempts',
    {
      preHandler: requireAuth('quizzes:take'),
      schema: {
        operationId: 'startQuizAttempt',
        tags: ['quizzes'],
        summary:
          'Start an attempt at a quiz of a course you are enrolled in (201); an attempt still in progress is returned instead (200)',
        params: QuizIdParams,
        response: { 200: StartAttemptResponse, 201: StartAttemptResponse, ...errors, 409: ErrorResponse },
      },
    },
    async (request, reply) => {
      const { attempt, created } = await attempts.start(currentUser(request), request.params.quizId);
      return reply
        .status(created ? 201 : 200)
        .send({ message: created ? 'Attempt started' : 'Attempt already in progress', data: attempt });
    },
  );

  app.post(
    '/api/quizzes/:quizId/attempts/:attemptId/submit',
    {
      preHandler: requireAuth('quizzes:take'),
      schema: {
        operationId: 'submitQuizAttempt',
        tags: ['quizzes'],
        summary:
          'Submit your attempt once: graded on the server, with the correct answers; more than 5 seconds past the deadline it is kept as late and scores 0',
        params: QuizAttemptParams,
        body: SubmitAttemptBody,
        response: { 200: SubmitAttemptResponse, ...errors, 409: ErrorResponse },
      },
    },
    async (request) => {
      const result = await attempts.submit(currentUser(request), request.params.quizId, request.params.attemptId, request.body);
      return { message: result.late ? 'Attempt submitted after the time limit' : 'Attempt submitted', data: result };
    },
  );

  app.get(
    '/api/quizzes/:quizId/results',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'getQuizResults',
        tags: ['quizzes'],
        summary:
          "Course staff: per-question statistics and every attempt with the student's name. Students: their own attempts, with the correct answers of submitted ones",
        params: QuizIdParams,
        querystring: QuizResultsQuery,
        response: { 200: QuizResultsResponse, ...errors },
      },
    },
    async (request) => results.results(currentUser(request), request.params.quizId, request.query),
  );
};

export default quizzesRoutes;

// Rubrics, grading, the submissions list and feedback: the grading half of the assignment routes.
import {
  AssignmentFeedbackResponse,
  AssignmentIdParams,
  AssignmentSubmissionsQuery,
  AssignmentSubmissionsResponse,
  BulkGradeBody,
  BulkGradeResponse,
  FeedbackQuery,
  GradeSubmissionBody,
  GradeSubmissionResponse,
  RubricResponse,
  SetRubricBody,
  SetRubricResponse,
} from '../../../contract/assignments.js';
import { ErrorResponse } from '../../../contract/errors.js';
import { currentUser, requireAuth } from '../../http/auth.js';
import type { Feature } from '../../http/feature.js';
import { createGradingService } from './grading.js';
import { createRubricService } from './rubric.js';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };

const gradingRoutes: Feature = async (app, { deps }) => {
  const db = deps.database.db;
  const grading = createGradingService({ db });
  const rubrics = createRubricService({ db });

  app.post(
    '/api/assignments/:assignmentId/rubric',
    {
      preHandler: requireAuth('assignments:grade-own'),
      schema: {
        operationId: 'setAssignmentRubric',
        tags: ['grading'],
        summary:
          "Set (replace) the grading rubric (the course's instructor or an admin). The highest levels of the criteria must add up to the assignment's points; criteria: [] removes the rubric",
        params: AssignmentIdParams,
        body: SetRubricBody,
        response: { 200: SetRubricResponse, ...errors },
      },
    },
    async (request) => {
      const { rubric, removed } = await rubrics.set(currentUser(request), request.params.assignmentId, request.body);
      return { message: removed ? 'Rubric removed successfully' : 'Rubric saved successfully', data: rubric };
    },
  );

  app.get(
    '/api/assignments/:assignmentId/rubric',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'getAssignmentRubric',
        tags: ['grading'],
        summary: 'The grading rubric (course staff and enrolled students); 404 RUBRIC_NOT_FOUND when there is none',
        params: AssignmentIdParams,
        response: { 200: RubricResponse, ...errors },
      },
    },
    async (request) => ({ data: await rubrics.get(currentUser(request), request.params.assignmentId) }),
  );

  app.post(
    '/api/assignments/:assignmentId/grade',
    {
      preHandler: requireAuth('assignments:grade-own'),
      schema: {
        operationId: 'gradeSubmission',
        tags: ['grading'],
        summary:
          "Grade or regrade a submitted submission (the course's instructor or an admin). With rubricScores the grade is their sum; every grade is kept in the history",
        params: AssignmentIdParams,
        body: GradeSubmissionBody,
        response: { 200: GradeSubmissionResponse, ...errors, 409: ErrorResponse },
      },
    },
    async (request) => {
      const { submission, regraded } = await grading.grade(currentUser(request), request.params.assignmentId, request.body);
      return { message: regraded ? 'Submission regraded successfully' : 'Submission graded successfully', data: submission };
    },
  );

  app.post(
    '/api/assignments/:assignmentId/grades/bulk',
    {
      preHandler: requireAuth('assignments:grade-own'),
      schema: {
        operationId: 'bulkGradeSubmissions',
        tags: ['grading'],
        summary:
          'Grade many submissions in one transaction: if any row is invalid, none is saved and the 400 (BULK_GRADING_FAILED) names each bad row in details',
        params: AssignmentIdParams,
        body: BulkGradeBody,
        response: { 200: BulkGradeResponse, ...errors },
      },
    },
    async (request) => {
      const submissions = await grading.bulkGrade(currentUser(request), request.params.assignmentId, request.body);
      return {
        message: `${submissions.length} submission${submissions.length === 1 ? '' : 's'} graded successfully`,
        data: { graded: submissions.length, submissions },
      };
    },
  );

  app.get(
    '/api/assignments/:assignmentId/submissions',
    {
      preHandler: requireAuth('assignments:grade-own'),
      schema: {
        operationId: 'listAssignmentSubmissions',
        tags: ['grading'],
        summary:
          "Every submission of the assignment with the student's name, newest submitted first (the course's instructor or an admin)",
        params: AssignmentIdParams,
        querystring: AssignmentSubmissionsQuery,
        response: { 200: AssignmentSubmissionsResponse, ...errors },
      },
    },
    async (request) => grading.listSubmissions(currentUser(request), request.params.assignmentId, request.query),
  );

  app.get(
    '/api/assignments/:assignmentId/feedback',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'getAssignmentFeedback',
        tags: ['grading'],
        summary:
          "A student's grade, feedback, rubric scores and grade history: the student's own, or (course staff) the one named by studentId",
        params: AssignmentIdParams,
        querystring: FeedbackQuery,
        response: { 200: AssignmentFeedbackResponse, ...errors },
      },
    },
    async (request) => ({
      data: await grading.feedback(currentUser(request), request.params.assignmentId, request.query.studentId),
    }),
  );
};

export default gradingRoutes;

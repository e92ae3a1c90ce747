import { ErrorResponse } from '../../../contract/errors.js';
import { GradeReportParams, GradeReportResponse } from '../../../contract/grades.js';
import { currentUser, requireAuth } from '../../http/auth.js';
import type { Feature } from '../../http/feature.js';
import { createGradesService } from './service.js';

const gradesRoutes: Feature = async (app, { deps }) => {
  const grades = createGradesService({ db: deps.database.db });

  app.get(
    '/api/grades/:userId',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'getGradeReport',
        tags: ['grading'],
        summary:
          "A student's grade report per course: each assignment and quiz with score and points, and the course percentage over graded items. The student, admins, and instructors (only the courses they teach)",
        params: GradeReportParams,
        response: { 200: GradeReportResponse, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => ({ data: await grades.report(currentUser(request), request.params.userId) }),
  );
};

export default gradesRoutes;

import { StudentAchievementsResponse, StudentIdParams } from '../../../contract/achievements.js';
import { ErrorResponse } from '../../../contract/errors.js';
import { currentUser, requireAuth } from '../../http/auth.js';
import type { Feature } from '../../http/feature.js';
import { createAchievementsService } from './service.js';

const achievementsRoutes: Feature = async (app, { deps }) => {
  const achievements = createAchievementsService({ db: deps.database.db });

  app.get(
    '/api/achievements/:studentId',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'getStudentAchievements',
        tags: ['achievements'],
        summary:
          "A student's earned badges and progress toward the others (the student, admins, and instructors of their courses)",
        params: StudentIdParams,
        response: {
          200: StudentAchievementsResponse,
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
          404: ErrorResponse,
        },
      },
    },
    async (request) => ({ data: await achievements.forStudent(currentUser(request), request.params.studentId) }),
  );
};

export default achievementsRoutes;

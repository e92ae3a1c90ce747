import { ErrorResponse } from '../../../contract/errors.js';
import { RecommendationsQuery, RecommendationsResponse } from '../../../contract/recommendations.js';
import { currentUser, requireAuth } from '../../http/auth.js';
import type { Feature } from '../../http/feature.js';
import { createRecommendationsService } from './service.js';

const recommendationsRoutes: Feature = async (app, { deps }) => {
  const recommendations = createRecommendationsService({
    db: deps.database.db,
    catalogue: (load) => app.publicCache.get('recommendations:catalogue', load),
  });

  app.get(
    '/api/recommendations',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'getRecommendations',
        tags: ['recommendations'],
        summary:
          'Courses for the caller to take next, best first, each with the reason: prerequisite paths, similar learners, categories, level, ratings',
        querystring: RecommendationsQuery,
        response: { 200: RecommendationsResponse, 400: ErrorResponse, 401: ErrorResponse },
      },
    },
    async (request) => ({ data: await recommendations.forUser(currentUser(request).id, request.query.limit) }),
  );
};

export default recommendationsRoutes;

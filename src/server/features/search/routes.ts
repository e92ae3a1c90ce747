import { ErrorResponse } from '../../../contract/errors.js';
import { SearchQuery, SearchResponse } from '../../../contract/search.js';
import { requireAuth } from '../../http/auth.js';
import type { Feature } from '../../http/feature.js';
import { search } from './service.js';

const searchRoutes: Feature = async (app, { deps }) => {
  app.get(
    '/api/search',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'search',
        tags: ['search'],
        summary:
          'Full-text search over course titles and descriptions and lesson titles and descriptions (signed-in users), ' +
          'best matches first, with highlighted snippets',
        querystring: SearchQuery,
        response: { 200: SearchResponse, 400: ErrorResponse, 401: ErrorResponse },
      },
    },
    async (request) => search(deps.database.db, request.query),
  );
};

export default searchRoutes;

import { HealthResponse, ReadyResponse } from '../../../contract/system.js';
import { checkReadiness } from '../../http/health.js';
import type { Feature } from '../../http/feature.js';
import { OVERLOAD_EXEMPT } from '../../http/overload.js';

const systemRoutes: Feature = async (app, { deps }) => {
  app.get(
    '/api/health',
    {
      config: OVERLOAD_EXEMPT,
      schema: {
        operationId: 'health',
        tags: ['system'],
        summary: 'The process is alive',
        description: 'Depends on nothing: answers 200 as long as the process runs, even while it sheds load.',
        response: { 200: HealthResponse },
      },
    },
    async () => ({ status: 'ok' as const, uptime: process.uptime() }),
  );

  app.get(
    '/api/ready',
    {
      config: OVERLOAD_EXEMPT,
      schema: {
        operationId: 'ready',
        tags: ['system'],
        summary: 'The database (and Redis, when configured) is reachable',
        description: 'Answers 503 naming the dependency that failed. Each check waits at most 2 seconds.',
        response: { 200: ReadyResponse, 503: ReadyResponse },
      },
    },
    async (_request, reply) => {
      const readiness = await checkReadiness(app, deps.database, Boolean(deps.config.redisUrl));
      return reply.status(readiness.status === 'ready' ? 200 : 503).send(readiness);
    },
  );
};

export default systemRoutes;

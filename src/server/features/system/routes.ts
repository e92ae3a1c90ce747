import { HealthResponse, ReadyResponse } from '../../../contract/system.js';
import type { Feature } from '../../http/feature.js';

const systemRoutes: Feature = async (app, { deps }) => {
  app.get(
    '/api/health',
    { schema: { operationId: 'health', tags: ['system'], summary: 'The process is alive', response: { 200: HealthResponse } } },
    async () => ({ status: 'ok' as const, uptime: process.uptime() }),
  );

  app.get(
    '/api/ready',
    {
      schema: {
        operationId: 'ready',
        tags: ['system'],
        summary: 'The database is reachable',
        response: { 200: ReadyResponse, 503: ReadyResponse },
      },
    },
    async (_request, reply) => {
      const database = await deps.database.ping().then(
        () => 'ok' as const,
        () => 'failing' as const,
      );
      const ready = database === 'ok';
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks: { database } });
    },
  );
};

export default systemRoutes;

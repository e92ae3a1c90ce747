// buildApp(deps): cross-cutting plugins first, then every feature.
import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyEtag from '@fastify/etag';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { Config } from './config.js';
import type { DatabaseHandle } from './db/client.js';
import { registerAuthentication } from './http/auth.js';
import { registerErrorHandling } from './http/errors.js';
import { registerHomePage } from './http/home.js';
import { registerIdempotency } from './http/idempotency.js';
import { createSessionValidity } from './http/session-validity.js';
import { createTokenSigner, type TokenSigner } from './http/tokens.js';
import realtimePlugin from './realtime/plugin.js';
import achievementsRoutes from './features/achievements/routes.js';
import adminRoutes from './features/admin/routes.js';
import analyticsRoutes from './features/analytics/routes.js';
import assignmentsRoutes from './features/assignments/routes.js';
import authRoutes from './features/auth/routes.js';
import batchRoutes from './features/batch/routes.js';
import coursesRoutes from './features/courses/routes.js';
import enrollmentsRoutes from './features/enrollments/routes.js';
import lessonsRoutes from './features/lessons/routes.js';
import profileRoutes from './features/profile/routes.js';
import quizzesRoutes from './features/quizzes/routes.js';
import filesRoutes from './features/files/routes.js';
import gradesRoutes from './features/grades/routes.js';
import auditRoutes from './features/audit/routes.js';
import searchRoutes from './features/search/routes.js';
import reportsRoutes from './features/reports/routes.js';
import recommendationsRoutes from './features/recommendations/routes.js';
import systemRoutes from './features/system/routes.js';
import usersRoutes from './features/users/routes.js';
import { createMailer, type Mailer } from './features/communication/mailer.js';

/** What every feature may use. Features take only the parts they need. */
export interface AppDeps {
  config: Config;
  database: DatabaseHandle;
  signer: TokenSigner;
  mailer: Mailer;
}

export interface RouteEntry {
  method: string;
  url: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every documented API route, for the OpenAPI and permission-matrix tests. */
    routeTable: RouteEntry[];
  }
}

export interface BuildOptions {
  config: Config;
  database: DatabaseHandle;
  logger?: FastifyServerOptions['logger'];
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export async function buildApp({ config, database, logger }: BuildOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logger ?? { level: config.logLevel },
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    // A client-sent id is kept so that a request can be traced across services.
    genReqId: (req) => {
      const sent = req.headers['x-request-id'];
      return typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : randomUUID();
    },
    ajv: { customOptions: { coerceTypes: false } },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  const routeTable: RouteEntry[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    const hidden = (route.schema as { hide?: boolean } | undefined)?.hide;
    if (hidden || !route.url.startsWith('/api/')) return;
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') routeTable.push({ method, url: route.url });
    }
  });

  registerErrorHandling(app);
  await app.register(fastifyCookie);
  await app.register(fastifyEtag);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'skillEd API',
        version: '1.0.0',
        description:
          'REST API of the skillEd e-learning platform. Errors are `{ error, status, code, requestId, details? }`.',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          cookieAuth: { type: 'apiKey', in: 'cookie', name: 'skilled_access' },
        },
      },
      security: [{ bearerAuth: [] }, { cookieAuth: [] }],
    },
    transform: jsonSchemaTransform,
    // Named schemas (`.meta({ id })`) become components, so every $ref in the document resolves.
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/docs/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  registerHomePage(app);

  const signer = createTokenSigner(config.jwtSecret, config.accessTokenTtl);
  registerAuthentication(app, signer, createSessionValidity(database.db));
  registerIdempotency(app, database.db);

  const mailer = createMailer(config.mail, app.log);
  app.addHook('onClose', async () => mailer.close());
  const deps: AppDeps = { config, database, signer, mailer };
  for (const feature of [
    realtimePlugin,
    systemRoutes,
    authRoutes,
    usersRoutes,
    profileRoutes,
    coursesRoutes,
    enrollmentsRoutes,
    lessonsRoutes,
    assignmentsRoutes,
    analyticsRoutes,
    achievementsRoutes,
    recommendationsRoutes,
    quizzesRoutes,
    gradesRoutes,
    filesRoutes,
    searchRoutes,
    reportsRoutes,
    auditRoutes,
    adminRoutes,
    batchRoutes,
  ]) {
    await app.register(feature, { deps });
  }
  return app;
}

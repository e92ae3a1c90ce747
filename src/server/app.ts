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
import type { Database, DatabaseHandle } from './db/client.js';
import { databaseIdentity, type SharedRedis } from './db/identity.js';
import { type ApiKeyAuthenticator, registerAuthentication } from './http/auth.js';
import { createCounterStore } from './http/counter-store.js';
import { createCsrfTokens, registerCsrfProtection } from './http/csrf.js';
import { createOriginPolicy, registerOriginPolicy } from './http/origins.js';
import { registerRateLimits } from './http/rate-limit.js';
import { registerSecurityHeaders } from './http/security-headers.js';
import { type Keyring, openKeyring } from './http/signing-keys.js';
import { registerErrorHandling } from './http/errors.js';
import { registerWebApp } from './http/web.js';
import { registerIdempotency } from './http/idempotency.js';
import { registerPublicCache } from './http/public-cache.js';
import { registerMetrics } from './http/metrics.js';
import { registerDraining } from './http/draining.js';
import { registerOverloadProtection } from './http/overload.js';
import { registerRequestContext } from './http/request-context.js';
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
import webhooksRoutes from './features/webhooks/routes.js';
import { communicationBacklog } from './features/communication/backlog.js';
import { createMailer, type Mailer } from './features/communication/mailer.js';
import { createApiKeyAuthenticator } from './features/api-keys/authenticate.js';
import apiKeysRoutes from './features/api-keys/routes.js';
import { createSignInLockout } from './features/auth/lockout.js';
import signingKeysRoutes from './features/signing-keys/routes.js';
import communicationRoutes from './features/communication/routes.js';

/** What every feature may use. Features take only the parts they need. */
export interface AppDeps {
  config: Config;
  database: DatabaseHandle;
  /**
   * Where the heavy read-only queries (analytics, reports) go: the read replica when DATABASE_READ_URL
   * is set, the primary otherwise. It may lag the primary a little; writes always use `database`.
   */
  readDb: Database;
  signer: TokenSigner;
  mailer: Mailer;
  /** The access-token signing keys (rotation). */
  keyring: Keyring;
  /** Finds the owner and scopes of an API key; forgets a revoked one. */
  apiKeys: ApiKeyAuthenticator;
  /** With REDIS_URL: the server, and the namespace of this database's keys and channel in it. */
  redis: SharedRedis | undefined;
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
  /** The read replica's pool (DATABASE_READ_URL); its owner closes it. */
  readReplica?: DatabaseHandle;
  logger?: FastifyServerOptions['logger'];
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export async function buildApp({ config, database, readReplica, logger }: BuildOptions): Promise<FastifyInstance> {
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
    // A request that reaches a closing instance on an open keep-alive connection is served (with
    // `Connection: close`), not answered 503: a load balancer does not pass a failed POST on (http/draining.ts).
    return503OnClosing: false,
    // A client that trickles its headers or body (slowloris) is cut off; idle connections are closed.
    keepAliveTimeout: config.httpTimeouts.keepAliveMs,
    requestTimeout: config.httpTimeouts.requestMs,
    http: {
      headersTimeout: config.httpTimeouts.headersMs,
      requestTimeout: config.httpTimeouts.requestMs,
      // How often expired requests are looked for (Node's default, 30 s, would let short bounds run long).
      connectionsCheckingInterval: Math.min(30_000, Math.max(250, Math.round(config.httpTimeouts.headersMs / 4))),
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // Which instance behind the load balancer answered, for operators tracing a request.
    if (config.instanceId) reply.header('x-instance-id', config.instanceId);
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
  // Before authentication and the routes: a shed request costs no database read.
  await registerOverloadProtection(app, config.overload);
  registerMetrics(app, { database, token: config.metricsToken, queueBacklog: () => communicationBacklog(database.db) });
  registerDraining(app);
  await app.register(fastifyCookie);
  const origins = createOriginPolicy(config.publicUrl, config.security.corsOrigins);
  registerOriginPolicy(app, origins);
  await registerSecurityHeaders(app, { production: config.env === 'production', publicUrl: config.publicUrl, origins });
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
  // The built web app at `/` (or the plain home page when it is not built).
  registerWebApp(app);

  // What this instance keeps in Redis is named after its database, so that deployments of different
  // databases may share one Redis.
  const redis = config.redisUrl ? { url: config.redisUrl, namespace: await databaseIdentity(database.db) } : undefined;
  // Rate-limit and lockout counters: shared through Redis when it is configured (and reachable).
  const counters = createCounterStore(redis, app.log);
  if (config.redisUrl && !(await counters.connected(2_000))) {
    app.log.warn('Redis is not reachable: rate limits and lockouts count per instance until it is');
  }
  app.addHook('onClose', async () => counters.close());
  const keyring = await openKeyring({
    db: database.db,
    jwtSecret: config.jwtSecret,
    accessTokenTtlSeconds: config.accessTokenTtl,
    rotationDays: config.security.signingKeyRotationDays,
    log: app.log,
  });
  app.addHook('onClose', async () => keyring.close());
  const signer = createTokenSigner(keyring, config.accessTokenTtl);
  const apiKeys = createApiKeyAuthenticator(database.db, app.log);
  registerAuthentication(app, signer, createSessionValidity(database.db), apiKeys);
  await registerRateLimits(app, config.security.rateLimit, counters);
  registerCsrfProtection(app, createCsrfTokens(config.jwtSecret), origins);
  app.decorate(
    'signInLockout',
    createSignInLockout({ db: database.db, counters, settings: config.security.lockout, log: app.log }),
  );
  registerRequestContext(app);
  registerIdempotency(app, database.db);
  await registerPublicCache(app, database);

  const mailer = createMailer(config.mail, app.log);
  app.addHook('onClose', async () => mailer.close());
  const deps: AppDeps = { config, database, readDb: (readReplica ?? database).db, signer, mailer, keyring, apiKeys, redis };
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
    webhooksRoutes,
    communicationRoutes,
    apiKeysRoutes,
    signingKeysRoutes,
  ]) {
    await app.register(feature, { deps });
  }
  return app;
}

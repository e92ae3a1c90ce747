import {
  ApiKeyIdParams,
  ApiKeyListQuery,
  ApiKeyListResponse,
  ApiKeyResponse,
  CreateApiKeyBody,
  CreatedApiKeyResponse,
  RevokedApiKeyResponse,
  RotateApiKeyBody,
  RotatedApiKeyResponse,
} from '../../../contract/api-keys.js';
import { ErrorResponse } from '../../../contract/errors.js';
import { currentUser, requireAuth } from '../../http/auth.js';
import type { Feature } from '../../http/feature.js';
import { createApiKeysService } from './service.js';

const DEFAULT_GRACE_HOURS = 24;

const apiKeysRoutes: Feature = async (app, { deps }) => {
  const keys = createApiKeysService({ db: deps.database.db, forgetKey: (keyId) => deps.apiKeys.forget(keyId) });
  const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };

  app.get(
    '/api/api-keys',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'listApiKeys',
        tags: ['api-keys'],
        summary: "Your API keys, newest first, with their last use (admins: any user's, with userId). The secret is never shown again",
        querystring: ApiKeyListQuery,
        response: { 200: ApiKeyListResponse, ...errors },
      },
    },
    async (request) => keys.list(currentUser(request), request.query),
  );

  app.post(
    '/api/api-keys',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'createApiKey',
        tags: ['api-keys'],
        summary:
          "Create a named API key for yourself (admins: for any user, with userId), with scopes among its owner's role permissions and an optional expiry. The key is in the response only",
        body: CreateApiKeyBody,
        response: { 201: CreatedApiKeyResponse, ...errors, 409: ErrorResponse },
      },
    },
    async (request, reply) => {
      const created = await keys.create(currentUser(request), request.body);
      return reply.status(201).send({ message: 'API key created: store it now, it will not be shown again', data: created });
    },
  );

  app.get(
    '/api/api-keys/:keyId',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'getApiKey',
        tags: ['api-keys'],
        summary: 'One of your API keys (admins: anyone\'s)',
        params: ApiKeyIdParams,
        response: { 200: ApiKeyResponse, ...errors },
      },
    },
    async (request) => ({ data: await keys.get(currentUser(request), request.params.keyId) }),
  );

  app.post(
    '/api/api-keys/:keyId/rotate',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'rotateApiKey',
        tags: ['api-keys'],
        summary:
          'Issue a new key with the same name, scopes and expiry; the old key keeps working for the grace period (default 24 hours), then stops',
        params: ApiKeyIdParams,
        body: RotateApiKeyBody,
        response: { 201: RotatedApiKeyResponse, ...errors, 409: ErrorResponse },
      },
    },
    async (request, reply) => {
      const grace = request.body?.gracePeriodHours ?? DEFAULT_GRACE_HOURS;
      const rotated = await keys.rotate(currentUser(request), request.params.keyId, grace);
      return reply.status(201).send({ message: 'API key rotated: store the new key now, it will not be shown again', data: rotated });
    },
  );

  app.delete(
    '/api/api-keys/:keyId',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'revokeApiKey',
        tags: ['api-keys'],
        summary: 'Revoke an API key: it stops working at once (on every instance within seconds)',
        params: ApiKeyIdParams,
        response: { 200: RevokedApiKeyResponse, ...errors },
      },
    },
    async (request) => ({ message: 'API key revoked', data: await keys.revoke(currentUser(request), request.params.keyId) }),
  );
};

export default apiKeysRoutes;

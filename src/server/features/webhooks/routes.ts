// Outgoing webhooks: endpoints, their delivery logs, replays and pings (instructors for their courses,
// admins for everything), and this instance's delivery worker.
import { ErrorResponse } from '../../../contract/errors.js';
import {
  CreateWebhookBody,
  CreateWebhookResponse,
  DeleteWebhookResponse,
  RotateWebhookSecretBody,
  RotateWebhookSecretResponse,
  UpdateWebhookBody,
  UpdateWebhookResponse,
  WebhookDeliveryActionResponse,
  WebhookDeliveryListQuery,
  WebhookDeliveryListResponse,
  WebhookDeliveryParams,
  WebhookIdParams,
  WebhookListQuery,
  WebhookListResponse,
  WebhookResponse,
} from '../../../contract/webhooks.js';
import { currentUser, requireAuth } from '../../http/auth.js';
import type { Feature } from '../../http/feature.js';
import { createWebhookSecretBox } from './secrets.js';
import { createWebhookService } from './service.js';
import { createWebhookWorker } from './worker.js';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };
const withEndpoint = { ...errors, 404: ErrorResponse };

const webhooksRoutes: Feature = async (app, { deps }) => {
  const { config, database, mailer } = deps;
  const production = config.env === 'production';
  const secrets = createWebhookSecretBox(config.jwtSecret);
  const worker = createWebhookWorker({
    db: database.db,
    settings: config.webhooks,
    publicOnly: production,
    secrets,
    mailer,
    publicUrl: config.publicUrl,
    log: app.log.child({ component: 'webhooks' }),
  });
  const service = createWebhookService({ db: database.db, worker, secrets, production });
  app.addHook('onReady', async () => worker.start());
  app.addHook('onClose', () => worker.stop());
  const manage = requireAuth('webhooks:manage');

  app.post(
    '/api/webhooks',
    {
      preHandler: manage,
      schema: {
        operationId: 'createWebhook',
        tags: ['webhooks'],
        summary:
          'Register an endpoint for events (instructors: for a course they teach; admins: one course or all). ' +
          'The signing secret is in the answer, and only there',
        body: CreateWebhookBody,
        response: { 201: CreateWebhookResponse, ...errors, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (request, reply) => {
      const data = await service.create(currentUser(request), request.body);
      return reply.status(201).send({ message: 'Webhook endpoint registered; keep the secret, it is not shown again', data });
    },
  );

  app.get(
    '/api/webhooks',
    {
      preHandler: manage,
      schema: {
        operationId: 'listWebhooks',
        tags: ['webhooks'],
        summary: "The caller's endpoints, newest first (admins: everyone's)",
        querystring: WebhookListQuery,
        response: { 200: WebhookListResponse, ...errors },
      },
    },
    async (request) => service.list(currentUser(request), request.query),
  );

  app.get(
    '/api/webhooks/:webhookId',
    {
      preHandler: manage,
      schema: {
        operationId: 'getWebhook',
        tags: ['webhooks'],
        summary: 'An endpoint (its owner, admins)',
        params: WebhookIdParams,
        response: { 200: WebhookResponse, ...withEndpoint },
      },
    },
    async (request) => ({ data: await service.get(currentUser(request), request.params.webhookId) }),
  );

  app.patch(
    '/api/webhooks/:webhookId',
    {
      preHandler: manage,
      schema: {
        operationId: 'updateWebhook',
        tags: ['webhooks'],
        summary: "Change an endpoint's URL, event types, description, or switch it off and on (on also ends a pause)",
        params: WebhookIdParams,
        body: UpdateWebhookBody,
        response: { 200: UpdateWebhookResponse, ...withEndpoint },
      },
    },
    async (request) => ({
      message: 'Webhook endpoint updated',
      data: await service.update(currentUser(request), request.params.webhookId, request.body),
    }),
  );

  app.delete(
    '/api/webhooks/:webhookId',
    {
      preHandler: manage,
      schema: {
        operationId: 'deleteWebhook',
        tags: ['webhooks'],
        summary: 'Delete an endpoint with its delivery log',
        params: WebhookIdParams,
        response: { 200: DeleteWebhookResponse, ...withEndpoint },
      },
    },
    async (request) => {
      await service.remove(currentUser(request), request.params.webhookId);
      return { message: 'Webhook endpoint deleted' };
    },
  );

  app.post(
    '/api/webhooks/:webhookId/rotate-secret',
    {
      preHandler: manage,
      schema: {
        operationId: 'rotateWebhookSecret',
        tags: ['webhooks'],
        summary: 'Replace the signing secret; the old one also signs for previousSecretValidHours (default 24). The new secret is shown only here',
        params: WebhookIdParams,
        body: RotateWebhookSecretBody,
        response: { 200: RotateWebhookSecretResponse, ...withEndpoint },
      },
    },
    async (request) => ({
      message: 'Signing secret rotated; keep the new secret, it is not shown again',
      data: await service.rotateSecret(currentUser(request), request.params.webhookId, request.body),
    }),
  );

  app.get(
    '/api/webhooks/:webhookId/deliveries',
    {
      preHandler: manage,
      schema: {
        operationId: 'listWebhookDeliveries',
        tags: ['webhooks'],
        summary: "An endpoint's delivery log, newest first: status, attempts, the last answer's status and body, timings",
        params: WebhookIdParams,
        querystring: WebhookDeliveryListQuery,
        response: { 200: WebhookDeliveryListResponse, ...withEndpoint },
      },
    },
    async (request) => service.listDeliveries(currentUser(request), request.params.webhookId, request.query),
  );

  app.post(
    '/api/webhooks/:webhookId/deliveries/:deliveryId/replay',
    {
      preHandler: manage,
      schema: {
        operationId: 'replayWebhookDelivery',
        tags: ['webhooks'],
        summary: 'Send a delivery again, as a new delivery with the same body (409 while the endpoint is disabled or paused)',
        params: WebhookDeliveryParams,
        response: { 202: WebhookDeliveryActionResponse, ...withEndpoint, 409: ErrorResponse },
      },
    },
    async (request, reply) => {
      const data = await service.replay(currentUser(request), request.params.webhookId, request.params.deliveryId);
      return reply.status(202).send({ message: 'Delivery queued again', data });
    },
  );

  app.post(
    '/api/webhooks/:webhookId/ping',
    {
      preHandler: manage,
      schema: {
        operationId: 'pingWebhook',
        tags: ['webhooks'],
        summary: 'Send a signed test ping (`webhook.ping`) now, once, and answer how it went; it is recorded in the delivery log',
        params: WebhookIdParams,
        response: { 200: WebhookDeliveryActionResponse, ...withEndpoint },
      },
    },
    async (request) => {
      const data = await service.ping(currentUser(request), request.params.webhookId);
      return { message: data.status === 'succeeded' ? 'The endpoint accepted the ping' : 'The ping failed', data };
    },
  );
};

export default webhooksRoutes;

// Outgoing webhooks: endpoints that instructors (for a course they teach) and admins (for one course or
// all of them) register to receive the platform's events over HTTPS, and the log of every delivery.
import { z } from 'zod';
import { EventType } from './events.js';
import { dataEnvelope, Id, IsoDate, messageDataEnvelope, MessageResponse, PageQuery, pageEnvelope, UserSummary } from './common.js';

/** Events private to their recipient: only admin endpoints receive them. */
export const privateEventTypes: readonly EventType[] = ['notification.new', 'message.received'];

/** The type a test ping is sent with (`X-Skilled-Event`); it is not an event of the log. */
export const WEBHOOK_PING_TYPE = 'webhook.ping';

export const WebhookUrl = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(2048, 'must be at most 2048 characters')
  .describe('Where deliveries are POSTed: https:// (plain http:// only to localhost outside production)');

const EventTypes = z
  .array(EventType)
  .min(1, 'must name at least one event type')
  .max(EventType.options.length)
  .refine((list) => new Set(list).size === list.length, 'must not repeat an event type')
  .describe('The event types to deliver');

const Description = z.string().trim().max(500, 'must be at most 500 characters');

export const CreateWebhookBody = z.object({
  url: WebhookUrl,
  eventTypes: EventTypes,
  courseId: Id.optional().describe('Required for instructors (a course they teach); admins omit it to receive the events of every course'),
  description: Description.optional(),
});
export type CreateWebhookBody = z.infer<typeof CreateWebhookBody>;

export const UpdateWebhookBody = z
  .object({
    url: WebhookUrl.optional(),
    eventTypes: EventTypes.optional(),
    description: Description.optional(),
    active: z
      .boolean()
      .optional()
      .describe('false stops deliveries; true resumes them, also after an automatic pause (which clears the failure count)'),
  })
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: 'must contain at least one field to change',
  });
export type UpdateWebhookBody = z.infer<typeof UpdateWebhookBody>;

/** How long deliveries stay signed with the old secret as well, when the body does not say. */
export const DEFAULT_PREVIOUS_SECRET_HOURS = 24;

export const RotateWebhookSecretBody = z
  .object({
    previousSecretValidHours: z
      .number()
      .min(0)
      .max(168)
      .optional()
      .describe(`How long deliveries stay signed with the old secret as well (default ${DEFAULT_PREVIOUS_SECRET_HOURS}; 0 ends it at once, e.g. after a leak)`),
  })
  .nullish()
  .describe('Optional');
export type RotateWebhookSecretBody = z.infer<typeof RotateWebhookSecretBody>;

export const WebhookStatus = z
  .enum(['active', 'disabled', 'paused'])
  .describe('active: delivering; disabled: switched off by its owner; paused: switched off after failing too often');

export const Webhook = z
  .object({
    webhookId: Id,
    url: z.string(),
    description: z.string(),
    eventTypes: z.array(EventType),
    courseId: Id.nullable().describe('null: every course (admin endpoints only)'),
    owner: UserSummary,
    active: z.boolean().describe("The owner's switch"),
    status: WebhookStatus,
    pausedAt: IsoDate.nullable(),
    pauseReason: z.string().nullable(),
    consecutiveFailures: z.number().int().describe('Failed attempts since the last success'),
    lastSuccessAt: IsoDate.nullable(),
    lastFailureAt: IsoDate.nullable(),
    secretHint: z.string().describe('The start of the signing secret, to tell secrets apart'),
    secretRotatedAt: IsoDate.nullable(),
    createdAt: IsoDate,
    updatedAt: IsoDate,
  })
  .meta({ id: 'Webhook' });
export type Webhook = z.infer<typeof Webhook>;

export const WebhookWithSecret = Webhook.extend({
  secret: z.string().describe('The signing secret: shown only now, keep it safe'),
}).meta({ id: 'WebhookWithSecret' });
export type WebhookWithSecret = z.infer<typeof WebhookWithSecret>;

export const WebhookIdParams = z.object({ webhookId: Id });
export const WebhookDeliveryParams = z.object({ webhookId: Id, deliveryId: Id });

export const WebhookListQuery = PageQuery.extend({
  courseId: Id.optional().describe('Only the endpoints of this course'),
});
export type WebhookListQuery = z.infer<typeof WebhookListQuery>;

export const CreateWebhookResponse = messageDataEnvelope(WebhookWithSecret);
export const RotateWebhookSecretResponse = messageDataEnvelope(WebhookWithSecret);
export const WebhookResponse = dataEnvelope(Webhook);
export const UpdateWebhookResponse = messageDataEnvelope(Webhook);
export const WebhookListResponse = pageEnvelope(Webhook);
export const DeleteWebhookResponse = MessageResponse;

// ---- deliveries

export const WebhookDeliveryStatus = z
  .enum(['pending', 'retrying', 'succeeded', 'failed'])
  .describe('pending: not tried yet; retrying: failed, tried again at nextAttemptAt; succeeded: a 2xx answer; failed: given up');
export type WebhookDeliveryStatus = z.infer<typeof WebhookDeliveryStatus>;
export const WebhookDeliveryKind = z
  .enum(['event', 'ping', 'replay'])
  .describe('event: an event of the log; ping: a test ping (tried once); replay: a delivery sent again by hand');

export const WebhookDelivery = z
  .object({
    deliveryId: Id.describe('Sent as X-Skilled-Delivery; the same for every attempt of this delivery'),
    webhookId: Id,
    kind: WebhookDeliveryKind,
    eventId: z.string().nullable().describe('The event id (the body\'s `id`); null for a ping'),
    eventType: z.string(),
    status: WebhookDeliveryStatus,
    attempts: z.number().int(),
    responseStatus: z.number().int().nullable().describe('HTTP status of the last answer; null when there was none'),
    responseBody: z.string().nullable().describe('The start of the last answer\'s body (at most 1024 characters)'),
    error: z.string().nullable().describe('Why the last attempt failed without an answer (timeout, refused connection, ...)'),
    durationMs: z.number().int().nullable().describe('How long the last attempt took'),
    replayOf: Id.nullable(),
    payload: z.record(z.string(), z.unknown()).describe('The body that is sent: `{ id, type, data, at }`'),
    createdAt: IsoDate,
    lastAttemptAt: IsoDate.nullable(),
    nextAttemptAt: IsoDate.nullable().describe('When it is tried next; null once succeeded or failed'),
    completedAt: IsoDate.nullable(),
  })
  .meta({ id: 'WebhookDelivery' });
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

export const WebhookDeliveryListQuery = PageQuery.extend({ status: WebhookDeliveryStatus.optional() });
export type WebhookDeliveryListQuery = z.infer<typeof WebhookDeliveryListQuery>;
export const WebhookDeliveryListResponse = pageEnvelope(WebhookDelivery);
export const WebhookDeliveryActionResponse = messageDataEnvelope(WebhookDelivery);

// What a client sees of an endpoint and of a delivery: never the secret's ciphertext, never the lease.
import type { EventType } from '../../../contract/events.js';
import type { Webhook, WebhookDelivery } from '../../../contract/webhooks.js';
import type { users, webhookDeliveries, webhookEndpoints } from '../../db/schema.js';
import { presentSummary } from '../users/presenter.js';

export type EndpointRow = typeof webhookEndpoints.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;
export type OwnerRow = Pick<typeof users.$inferSelect, 'id' | 'firstName' | 'lastName' | 'username'>;

const iso = (value: Date | null): string | null => (value ? value.toISOString() : null);

export function presentWebhook(endpoint: EndpointRow, owner: OwnerRow): Webhook {
  return {
    webhookId: endpoint.id,
    url: endpoint.url,
    description: endpoint.description,
    eventTypes: endpoint.eventTypes as EventType[],
    courseId: endpoint.courseId,
    owner: presentSummary(owner),
    active: endpoint.active,
    status: !endpoint.active ? 'disabled' : endpoint.pausedAt ? 'paused' : 'active',
    pausedAt: iso(endpoint.pausedAt),
    pauseReason: endpoint.pauseReason,
    consecutiveFailures: endpoint.consecutiveFailures,
    lastSuccessAt: iso(endpoint.lastSuccessAt),
    lastFailureAt: iso(endpoint.lastFailureAt),
    secretHint: endpoint.secretHint,
    secretRotatedAt: iso(endpoint.secretRotatedAt),
    createdAt: endpoint.createdAt.toISOString(),
    updatedAt: endpoint.updatedAt.toISOString(),
  };
}

export function presentDelivery(delivery: DeliveryRow): WebhookDelivery {
  const open = delivery.status === 'pending' || delivery.status === 'retrying';
  return {
    deliveryId: delivery.id,
    webhookId: delivery.endpointId,
    kind: delivery.kind,
    eventId: delivery.eventId === null ? null : String(delivery.eventId),
    eventType: delivery.eventType,
    status: delivery.status,
    attempts: delivery.attempts,
    responseStatus: delivery.responseStatus,
    responseBody: delivery.responseBody,
    error: delivery.error,
    durationMs: delivery.durationMs,
    replayOf: delivery.replayOf,
    payload: JSON.parse(delivery.body) as Record<string, unknown>,
    createdAt: delivery.createdAt.toISOString(),
    lastAttemptAt: iso(delivery.lastAttemptAt),
    nextAttemptAt: open ? iso(delivery.nextAttemptAt) : null,
    completedAt: iso(delivery.completedAt),
  };
}

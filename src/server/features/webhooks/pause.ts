// An endpoint that keeps failing is paused: recorded on the endpoint and in the audit log in the same
// transaction as the failure that tipped it over, then its owner is told by mail. Only the instance whose
// update actually paused it (paused_at was still null) does this, so the owner hears of it once.
import { and, eq, isNull } from 'drizzle-orm';
import type { Transaction } from '../../db/client.js';
import { users, webhookEndpoints } from '../../db/schema.js';
import { recordAudit } from '../audit/log.js';
import type { Mailer } from '../communication/mailer.js';

export interface PausedEndpoint {
  id: string;
  url: string;
  reason: string;
  owner: { email: string; firstName: string };
}

/** Pauses the endpoint if it is not paused yet; answers what the owner must be told, or null. */
export async function pauseEndpoint(tx: Transaction, endpointId: string, failures: number, deliveryId: string): Promise<PausedEndpoint | null> {
  const reason = `${failures} delivery attempts in a row failed`;
  const [paused] = await tx
    .update(webhookEndpoints)
    .set({ pausedAt: new Date(), pauseReason: reason, updatedAt: new Date() })
    .where(and(eq(webhookEndpoints.id, endpointId), isNull(webhookEndpoints.pausedAt)))
    .returning({ id: webhookEndpoints.id, url: webhookEndpoints.url, ownerId: webhookEndpoints.ownerId });
  if (!paused) return null;
  // Not a user's action: no actor, and the delivery that tipped it over in place of a request id.
  await recordAudit(
    tx,
    { ip: 'system', requestId: `webhook-delivery:${deliveryId}` },
    { action: 'webhook.pause', targetType: 'webhook', targetId: endpointId, before: { status: 'active' }, after: { status: 'paused', pauseReason: reason } },
  );
  const [owner] = await tx.select({ email: users.email, firstName: users.firstName }).from(users).where(eq(users.id, paused.ownerId)).limit(1);
  return owner ? { id: paused.id, url: paused.url, reason, owner } : null;
}

export async function tellOwner(mailer: Mailer, publicUrl: string, paused: PausedEndpoint): Promise<void> {
  await mailer.send({
    to: paused.owner.email,
    subject: 'Your skillEd webhook endpoint was paused',
    text: [
      `Hello ${paused.owner.firstName},`,
      '',
      `Deliveries to your webhook endpoint ${paused.url} are paused: ${paused.reason}.`,
      'Deliveries already queued are kept and are sent once the endpoint is re-enabled; events that happen while it is paused are not delivered.',
      '',
      `When the receiver works again, re-enable the endpoint (PATCH /api/webhooks/${paused.id} with {"active": true}) at ${publicUrl}.`,
      `Its delivery log is at GET /api/webhooks/${paused.id}/deliveries.`,
    ].join('\n'),
  });
}

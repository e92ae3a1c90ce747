// Managing endpoints (register, list, change, delete, rotate the secret) and their delivery logs (list,
// replay, ping). Every change is one transaction with its audit row. Endpoints of others answer 404, as if
// they did not exist: an endpoint's URL and existence are its owner's business.
import { randomUUID } from 'node:crypto';
import { and, count, desc, eq, type SQL } from 'drizzle-orm';
import type { Pagination } from '../../../contract/common.js';
import {
  type CreateWebhookBody,
  DEFAULT_PREVIOUS_SECRET_HOURS,
  type RotateWebhookSecretBody,
  type UpdateWebhookBody,
  type Webhook,
  type WebhookDelivery,
  type WebhookDeliveryListQuery,
  type WebhookListQuery,
  WEBHOOK_PING_TYPE,
  type WebhookWithSecret,
} from '../../../contract/webhooks.js';
import type { Database, Executor } from '../../db/client.js';
import { pageInfo, pageOffset } from '../../db/pagination.js';
import { users, webhookDeliveries, webhookEndpoints } from '../../db/schema.js';
import type { AuthUser } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { latestEventId } from '../../realtime/events.js';
import { changedFields, recordAudit } from '../audit/log.js';
import { findCourse } from '../courses/policy.js';
import { canManageEndpoint, isPrivateEventType } from './policy.js';
import { type EndpointRow, type OwnerRow, presentDelivery, presentWebhook } from './presenter.js';
import { newSigningSecret, type SecretBox, secretHint } from './secrets.js';
import { checkResolvesPublic, checkUrlShape } from './url-policy.js';
import type { WebhookWorker } from './worker.js';

/** The most endpoints one account may own. */
export const MAX_ENDPOINTS_PER_OWNER = 25;

export interface WebhookServiceDeps {
  db: Database;
  worker: WebhookWorker;
  secrets: SecretBox;
  /** Production: https only, public addresses only. */
  production: boolean;
}

const invalid = (field: string, message: string) =>
  new AppError('VALIDATION_ERROR', `Invalid request: ${field} ${message}`, { [field]: message });

const notFound = () => new AppError('WEBHOOK_NOT_FOUND', 'Webhook endpoint not found');

const owner = {
  id: users.id,
  firstName: users.firstName,
  lastName: users.lastName,
  username: users.username,
  role: users.role,
};

export function createWebhookService(deps: WebhookServiceDeps) {
  const { db, worker, secrets } = deps;

  async function checkedUrl(raw: string): Promise<string> {
    const shape = checkUrlShape(raw, deps.production);
    if ('reason' in shape) throw invalid('body.url', shape.reason);
    const refused = deps.production ? await checkResolvesPublic(shape.url) : null;
    if (refused) throw invalid('body.url', refused);
    return shape.url;
  }

  /** Instructors' endpoints receive course events only (see policy.ts): asking for private ones is an error. */
  function checkEventTypes(ownerRole: string, eventTypes: readonly string[] | undefined): void {
    const refused = ownerRole === 'admin' ? [] : (eventTypes ?? []).filter(isPrivateEventType);
    if (refused.length > 0) {
      throw invalid('body.eventTypes', `must not include ${refused.join(', ')}: these events are private to their recipient and only admin endpoints receive them`);
    }
  }

  /** The endpoint and its owner, when the caller may manage it; 404 otherwise. */
  async function findEndpoint(executor: Executor, user: AuthUser, webhookId: string, lock = false): Promise<{ endpoint: EndpointRow; owner: OwnerRow & { role: string } }> {
    const query = executor
      .select({ endpoint: webhookEndpoints, owner })
      .from(webhookEndpoints)
      .innerJoin(users, eq(users.id, webhookEndpoints.ownerId))
      .where(eq(webhookEndpoints.id, webhookId))
      .limit(1);
    const [row] = lock ? await query.for('update', { of: webhookEndpoints }) : await query;
    if (!row || !canManageEndpoint(user, row.endpoint)) throw notFound();
    return row;
  }

  return {
    async create(user: AuthUser, body: CreateWebhookBody): Promise<WebhookWithSecret> {
      if (user.role !== 'admin' && !body.courseId) {
        throw invalid('body.courseId', 'is required: instructors register endpoints for a course they teach');
      }
      checkEventTypes(user.role, body.eventTypes);
      const url = await checkedUrl(body.url);
      return db.transaction(async (tx) => {
        if (body.courseId) {
          const course = await findCourse(tx, body.courseId);
          if (user.role !== 'admin' && course.instructorId !== user.id) {
            throw new AppError('FORBIDDEN', 'You can register webhooks only for courses you teach');
          }
        }
        const [owned] = await tx.select({ value: count() }).from(webhookEndpoints).where(eq(webhookEndpoints.ownerId, user.id));
        if ((owned?.value ?? 0) >= MAX_ENDPOINTS_PER_OWNER) {
          throw new AppError('WEBHOOK_LIMIT_REACHED', `An account may have at most ${MAX_ENDPOINTS_PER_OWNER} webhook endpoints; delete one first`);
        }
        const id = randomUUID();
        const secret = newSigningSecret();
        const values = { url, eventTypes: body.eventTypes, courseId: body.courseId ?? null, description: body.description ?? '' };
        const [endpoint] = await tx
          .insert(webhookEndpoints)
          .values({
            id,
            ownerId: user.id,
            ...values,
            secretCiphertext: secrets.seal(id, secret),
            secretHint: secretHint(secret),
            afterEventId: await latestEventId(tx),
          })
          .returning();
        await recordAudit(tx, user, { action: 'webhook.create', targetType: 'webhook', targetId: id, after: values });
        const [me] = await tx.select(owner).from(users).where(eq(users.id, user.id)).limit(1);
        return { ...presentWebhook(endpoint!, me!), secret };
      });
    },

    async list(user: AuthUser, query: WebhookListQuery): Promise<{ data: Webhook[]; pagination: Pagination }> {
      const conditions: SQL[] = [];
      if (user.role !== 'admin') conditions.push(eq(webhookEndpoints.ownerId, user.id));
      if (query.courseId) conditions.push(eq(webhookEndpoints.courseId, query.courseId));
      const where = and(...conditions);
      const [rows, [total]] = await Promise.all([
        db
          .select({ endpoint: webhookEndpoints, owner })
          .from(webhookEndpoints)
          .innerJoin(users, eq(users.id, webhookEndpoints.ownerId))
          .where(where)
          .orderBy(desc(webhookEndpoints.createdAt), desc(webhookEndpoints.id))
          .limit(query.limit)
          .offset(pageOffset(query.page, query.limit)),
        db.select({ value: count() }).from(webhookEndpoints).where(where),
      ]);
      return {
        data: rows.map((row) => presentWebhook(row.endpoint, row.owner)),
        pagination: pageInfo(query.page, query.limit, total?.value ?? 0),
      };
    },

    async get(user: AuthUser, webhookId: string): Promise<Webhook> {
      const { endpoint, owner } = await findEndpoint(db, user, webhookId);
      return presentWebhook(endpoint, owner);
    },

    async update(user: AuthUser, webhookId: string, body: UpdateWebhookBody): Promise<Webhook> {
      const url = body.url === undefined ? undefined : await checkedUrl(body.url);
      return db.transaction(async (tx) => {
        const { endpoint, owner } = await findEndpoint(tx, user, webhookId, true);
        checkEventTypes(owner.role, body.eventTypes);
        const changes: Partial<EndpointRow> = { url, eventTypes: body.eventTypes, description: body.description, active: body.active };
        // Switching an endpoint on also ends an automatic pause, with a clean failure count.
        if (body.active === true) Object.assign(changes, { pausedAt: null, pauseReason: null, consecutiveFailures: 0 });
        const { before, after } = changedFields(endpoint, changes);
        const [updated] = await tx
          .update(webhookEndpoints)
          .set({ ...changes, updatedAt: new Date() })
          .where(eq(webhookEndpoints.id, webhookId))
          .returning();
        await recordAudit(tx, user, { action: 'webhook.update', targetType: 'webhook', targetId: webhookId, before, after });
        return presentWebhook(updated!, owner);
      });
    },

    async remove(user: AuthUser, webhookId: string): Promise<void> {
      await db.transaction(async (tx) => {
        const { endpoint } = await findEndpoint(tx, user, webhookId, true);
        await tx.delete(webhookEndpoints).where(eq(webhookEndpoints.id, webhookId));
        await recordAudit(tx, user, {
          action: 'webhook.delete',
          targetType: 'webhook',
          targetId: webhookId,
          before: { url: endpoint.url, eventTypes: endpoint.eventTypes, courseId: endpoint.courseId, ownerId: endpoint.ownerId },
        });
      });
    },

    /** A new secret; the old one keeps signing as well for `previousSecretValidHours`. */
    async rotateSecret(user: AuthUser, webhookId: string, body: RotateWebhookSecretBody): Promise<WebhookWithSecret> {
      return db.transaction(async (tx) => {
        const { endpoint, owner } = await findEndpoint(tx, user, webhookId, true);
        const secret = newSigningSecret();
        const now = new Date();
        const previousSecretValidHours = body?.previousSecretValidHours ?? DEFAULT_PREVIOUS_SECRET_HOURS;
        const keepPrevious = previousSecretValidHours > 0;
        const [updated] = await tx
          .update(webhookEndpoints)
          .set({
            secretCiphertext: secrets.seal(webhookId, secret),
            secretHint: secretHint(secret),
            previousSecretCiphertext: keepPrevious ? endpoint.secretCiphertext : null,
            previousSecretExpiresAt: keepPrevious ? new Date(now.getTime() + previousSecretValidHours * 3_600_000) : null,
            secretRotatedAt: now,
            updatedAt: now,
          })
          .where(eq(webhookEndpoints.id, webhookId))
          .returning();
        await recordAudit(tx, user, {
          action: 'webhook.rotate_secret',
          targetType: 'webhook',
          targetId: webhookId,
          before: { secretHint: endpoint.secretHint },
          after: { secretHint: updated!.secretHint, previousSecretValidHours },
        });
        return { ...presentWebhook(updated!, owner), secret };
      });
    },

    async listDeliveries(
      user: AuthUser,
      webhookId: string,
      query: WebhookDeliveryListQuery,
    ): Promise<{ data: WebhookDelivery[]; pagination: Pagination }> {
      await findEndpoint(db, user, webhookId);
      const where = and(eq(webhookDeliveries.endpointId, webhookId), query.status ? eq(webhookDeliveries.status, query.status) : undefined);
      const [rows, [total]] = await Promise.all([
        db
          .select()
          .from(webhookDeliveries)
          .where(where)
          .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
          .limit(query.limit)
          .offset(pageOffset(query.page, query.limit)),
        db.select({ value: count() }).from(webhookDeliveries).where(where),
      ]);
      return { data: rows.map(presentDelivery), pagination: pageInfo(query.page, query.limit, total?.value ?? 0) };
    },

    /** Queues the same body again as a new delivery (retried like any other); the worker is woken at once. */
    async replay(user: AuthUser, webhookId: string, deliveryId: string): Promise<WebhookDelivery> {
      const replayed = await db.transaction(async (tx) => {
        const { endpoint } = await findEndpoint(tx, user, webhookId);
        const [original] = await tx
          .select()
          .from(webhookDeliveries)
          .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.endpointId, webhookId)))
          .limit(1);
        if (!original) throw new AppError('WEBHOOK_DELIVERY_NOT_FOUND', 'Delivery not found');
        if (!endpoint.active || endpoint.pausedAt) {
          throw new AppError('WEBHOOK_INACTIVE', 'The endpoint is disabled or paused: re-enable it (active: true) before replaying');
        }
        const [row] = await tx
          .insert(webhookDeliveries)
          .values({
            endpointId: webhookId,
            kind: 'replay',
            eventId: original.eventId,
            eventType: original.eventType,
            body: original.body,
            replayOf: original.id,
            nextAttemptAt: new Date(),
          })
          .returning();
        await recordAudit(tx, user, {
          action: 'webhook.replay',
          targetType: 'webhook',
          targetId: webhookId,
          after: { deliveryId: row!.id, replayOf: original.id },
        });
        return row!;
      });
      worker.kick();
      return presentDelivery(replayed);
    },

    /** Sends a signed test ping now, once (no retries), and answers how it went. */
    async ping(user: AuthUser, webhookId: string): Promise<WebhookDelivery> {
      const claimed = await db.transaction(async (tx) => {
        await findEndpoint(tx, user, webhookId);
        const id = randomUUID();
        const now = new Date();
        const body = JSON.stringify({ id, type: WEBHOOK_PING_TYPE, data: { webhookId }, at: now.toISOString() });
        const [row] = await tx
          .insert(webhookDeliveries)
          .values({ id, endpointId: webhookId, kind: 'ping', eventType: WEBHOOK_PING_TYPE, body, ...worker.claimedAtInsert(now) })
          .returning();
        await recordAudit(tx, user, { action: 'webhook.ping', targetType: 'webhook', targetId: webhookId, after: { deliveryId: id } });
        return row!;
      });
      const recorded = await worker.attempt(claimed);
      return presentDelivery(recorded ?? claimed);
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;

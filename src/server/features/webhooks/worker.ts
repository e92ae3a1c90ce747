// The delivery worker, one per instance. Every poll interval (and at once when a replay is queued) it turns
// new events into deliveries (dispatcher.ts), then claims due deliveries and sends them, at most
// `concurrency` at a time.
//
// Several instances, one database: a delivery is claimed by one conditional UPDATE over rows locked with
// FOR UPDATE SKIP LOCKED, which sets a lease (`lease_until`, the timeout plus a margin) and increments
// `attempts`. Until the lease ends no other instance takes the row; the outcome is written only if
// `attempts` is still the claimed value, so an instance that stalled past its lease cannot overwrite the
// attempt of the instance that took the row over. Delivery is at least once: a receiver dedupes on
// X-Skilled-Delivery (or the body's event id).
import { and, eq, inArray, isNotNull, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { WebhookSettings } from '../../config.js';
import type { Database } from '../../db/client.js';
import { oneReadOf } from '../../db/claims.js';
import { webhookDeliveries, webhookEndpoints } from '../../db/schema.js';
import type { Mailer } from '../communication/mailer.js';
import { nextAttemptAt } from './backoff.js';
import { CommittedEventReader } from '../../realtime/events.js';
import { dispatchEvents } from './dispatcher.js';
import { type PausedEndpoint, pauseEndpoint, tellOwner } from './pause.js';
import type { DeliveryRow, EndpointRow } from './presenter.js';
import type { SecretBox } from './secrets.js';
import { isSuccess, type SendOutcome, sendDelivery } from './sender.js';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signatureHeader } from './signing.js';

const LEASE_MARGIN_MS = 60_000;
const PRUNE_EVERY_MS = 10 * 60_000;
const PRUNE_BATCH = 5_000;
export const USER_AGENT = 'skillEd-Webhooks/1.0';

export interface WorkerDeps {
  db: Database;
  settings: WebhookSettings;
  /** Production: only public addresses may be reached. */
  publicOnly: boolean;
  secrets: SecretBox;
  mailer: Mailer;
  publicUrl: string;
  log: FastifyBaseLogger;
}

export function createWebhookWorker(deps: WorkerDeps) {
  const { db, settings, log } = deps;
  const leaseMs = settings.timeoutMs + LEASE_MARGIN_MS;
  const inFlight = new Set<Promise<unknown>>();
  const shutdown = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const reader = new CommittedEventReader();
  let ticking: Promise<void> | undefined;
  let rerun = false;
  let stopped = true;
  let lastPrune = 0;

  /** Claims up to `limit` due deliveries of endpoints that deliver. */
  async function claim(limit: number): Promise<DeliveryRow[]> {
    const now = new Date();
    const due = db
      .select({ id: webhookDeliveries.id })
      .from(webhookDeliveries)
      .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
      .where(
        and(
          inArray(webhookDeliveries.status, ['pending', 'retrying']),
          lte(webhookDeliveries.nextAttemptAt, now),
          or(isNull(webhookDeliveries.leaseUntil), lt(webhookDeliveries.leaseUntil, now)),
          eq(webhookEndpoints.active, true),
          isNull(webhookEndpoints.pausedAt),
        ),
      )
      .orderBy(webhookDeliveries.nextAttemptAt)
      .limit(limit)
      .for('update', { of: webhookDeliveries, skipLocked: true });
    return db
      .update(webhookDeliveries)
      .set({
        attempts: sql`${webhookDeliveries.attempts} + 1`,
        leaseUntil: new Date(now.getTime() + leaseMs),
        lastAttemptAt: now,
        firstAttemptAt: sql`coalesce(${webhookDeliveries.firstAttemptAt}, ${now})`,
      })
      .where(oneReadOf(webhookDeliveries.id, due))
      .returning();
  }

  /** The secrets to sign with: the current one, and the previous one during its grace period. */
  function signingSecrets(endpoint: EndpointRow, now: Date): string[] | null {
    const current = deps.secrets.open(endpoint.id, endpoint.secretCiphertext);
    if (current === null) return null;
    const previousValid = endpoint.previousSecretCiphertext && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now;
    const previous = previousValid ? deps.secrets.open(endpoint.id, endpoint.previousSecretCiphertext!) : null;
    return previous ? [current, previous] : [current];
  }

  /** Sends a claimed delivery once and records the outcome; answers the delivery as recorded. */
  async function attempt(delivery: DeliveryRow): Promise<DeliveryRow | undefined> {
    const [endpoint] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, delivery.endpointId)).limit(1);
    if (!endpoint) return undefined;
    const now = new Date();
    const secrets = signingSecrets(endpoint, now);
    const outcome: SendOutcome = secrets
      ? await sendDelivery({
          url: endpoint.url,
          body: delivery.body,
          headers: {
            'content-type': 'application/json',
            'user-agent': USER_AGENT,
            [EVENT_HEADER]: delivery.eventType,
            [DELIVERY_HEADER]: delivery.id,
            [SIGNATURE_HEADER]: signatureHeader(secrets, delivery.body, now),
          },
          timeoutMs: settings.timeoutMs,
          publicOnly: deps.publicOnly,
          signal: shutdown.signal,
        })
      : { status: null, responseBody: null, error: 'the signing secret cannot be read (was JWT_SECRET changed?): rotate it', durationMs: 0, aborted: false };
    if (outcome.aborted) {
      await release(delivery);
      return undefined;
    }
    const { recorded, paused } = await record(delivery, outcome);
    if (paused) {
      log.warn({ webhookId: paused.id, reason: paused.reason }, 'webhook endpoint paused');
      await tellOwner(deps.mailer, deps.publicUrl, paused).catch((error: unknown) =>
        log.error({ err: error, webhookId: paused.id }, 'could not tell the owner of a paused webhook endpoint'),
      );
    }
    return recorded;
  }

  /** The claim's token: the row is still ours only if nobody claimed it since. */
  const ownClaim = (delivery: DeliveryRow) =>
    and(eq(webhookDeliveries.id, delivery.id), eq(webhookDeliveries.attempts, delivery.attempts), inArray(webhookDeliveries.status, ['pending', 'retrying']));

  async function record(delivery: DeliveryRow, outcome: SendOutcome): Promise<{ recorded?: DeliveryRow; paused: PausedEndpoint | null }> {
    const now = new Date();
    const succeeded = isSuccess(outcome);
    const retryAt =
      succeeded || delivery.kind === 'ping' ? null : nextAttemptAt(delivery.attempts, delivery.firstAttemptAt ?? now, now, settings);
    const answer = {
      responseStatus: outcome.status,
      responseBody: outcome.responseBody,
      error: outcome.error ?? (succeeded ? null : `the receiver answered ${outcome.status}`),
      durationMs: outcome.durationMs,
      leaseUntil: null,
    };
    return db.transaction(async (tx) => {
      const [recorded] = await tx
        .update(webhookDeliveries)
        .set(
          retryAt
            ? { ...answer, status: 'retrying', nextAttemptAt: retryAt }
            : { ...answer, status: succeeded ? 'succeeded' : 'failed', nextAttemptAt: null, completedAt: now },
        )
        .where(ownClaim(delivery))
        .returning();
      // A test ping says nothing about the endpoint's health.
      if (!recorded || delivery.kind === 'ping') return { recorded, paused: null };
      if (succeeded) {
        await tx.update(webhookEndpoints).set({ consecutiveFailures: 0, lastSuccessAt: now }).where(eq(webhookEndpoints.id, delivery.endpointId));
        return { recorded, paused: null };
      }
      const [endpoint] = await tx
        .update(webhookEndpoints)
        .set({ consecutiveFailures: sql`${webhookEndpoints.consecutiveFailures} + 1`, lastFailureAt: now })
        .where(eq(webhookEndpoints.id, delivery.endpointId))
        .returning({ failures: webhookEndpoints.consecutiveFailures, pausedAt: webhookEndpoints.pausedAt });
      const tipped = endpoint && endpoint.pausedAt === null && endpoint.failures >= settings.pauseAfterFailures;
      const paused = tipped ? await pauseEndpoint(tx, delivery.endpointId, endpoint.failures, delivery.id) : null;
      return { recorded, paused };
    });
  }

  /** Gives a claim back untried (shutdown): another instance, or the next start, sends it. */
  async function release(delivery: DeliveryRow): Promise<void> {
    await db
      .update(webhookDeliveries)
      .set({
        leaseUntil: null,
        attempts: sql`${webhookDeliveries.attempts} - 1`,
        ...(delivery.attempts === 1 ? { firstAttemptAt: null, lastAttemptAt: null } : {}),
      })
      .where(ownClaim(delivery))
      .catch((error: unknown) => log.warn({ err: error, deliveryId: delivery.id }, 'could not release a webhook delivery'));
  }

  function track(delivery: DeliveryRow): void {
    const run = attempt(delivery)
      .catch((error: unknown) => log.error({ err: error, deliveryId: delivery.id }, 'webhook delivery failed to run'))
      .finally(() => {
        inFlight.delete(run);
        // A slot is free: take the next due delivery now rather than at the next poll.
        kick();
      });
    inFlight.add(run);
  }

  async function fill(): Promise<void> {
    const free = settings.concurrency - inFlight.size;
    if (free <= 0 || stopped) return;
    for (const delivery of await claim(free)) track(delivery);
  }

  async function prune(): Promise<void> {
    if (Date.now() - lastPrune < PRUNE_EVERY_MS) return;
    lastPrune = Date.now();
    const cutoff = new Date(Date.now() - settings.logRetentionMs);
    const old = db
      .select({ id: webhookDeliveries.id })
      .from(webhookDeliveries)
      .where(and(isNotNull(webhookDeliveries.completedAt), lt(webhookDeliveries.completedAt, cutoff)))
      .limit(PRUNE_BATCH);
    await db.delete(webhookDeliveries).where(inArray(webhookDeliveries.id, old));
  }

  async function tick(): Promise<void> {
    try {
      for (let page = 0; page < 20 && !stopped; page++) {
        const { more } = await dispatchEvents(db, reader);
        if (!more) break;
      }
      await fill();
      await prune();
    } catch (error) {
      if (!stopped) log.error({ err: error }, 'webhook worker round failed; the next poll retries');
    }
  }

  function schedule(delay: number): void {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(run, delay);
    timer.unref();
  }

  /** One round at a time; a kick during a round runs another right after it. */
  function run(): void {
    if (stopped) return;
    if (ticking) {
      rerun = true;
      return;
    }
    ticking = tick().finally(() => {
      ticking = undefined;
      if (rerun) {
        rerun = false;
        schedule(0);
      } else {
        schedule(settings.pollIntervalMs);
      }
    });
  }

  function kick(): void {
    if (!stopped) schedule(0);
  }

  return {
    /**
     * Polls from now on. The first round comes one poll interval later (a kick brings it forward): the
     * requests of a fresh start come first, which on the embedded database, where a round's statements
     * hold the process's one thread, made the first answer wait about 100 ms.
     */
    start(): void {
      stopped = false;
      schedule(settings.pollIntervalMs);
    },

    /** Look for work now (a replay was queued). */
    kick,

    /** The columns of a delivery written as claimed by this instance, for one sent at once with attempt(). */
    claimedAtInsert(now = new Date()) {
      return { attempts: 1, firstAttemptAt: now, lastAttemptAt: now, nextAttemptAt: now, leaseUntil: new Date(now.getTime() + leaseMs) };
    },

    /** Sends a delivery claimed with claimedAtInsert(); answers it as recorded (undefined if cut short). */
    attempt,

    /** Stops polling, cuts in-flight requests short (they are given back) and waits for them. */
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      shutdown.abort();
      await ticking;
      await Promise.allSettled([...inFlight]);
    },
  };
}

export type WebhookWorker = ReturnType<typeof createWebhookWorker>;

// Notifications to a whole audience (every student of a course that changed, an announcement's readers)
// are not written by the change's transaction: it queues them, in one row, and the communication job
// writes them once it has committed. The change then commits in a few milliseconds whatever the
// audience, and its own live event goes out at once; the notifications follow, a few milliseconds later
// on this instance (its job is woken at commit), or at the next poll of any instance.
//
// A row is written by a transaction that takes it (`for update skip locked`, so instances never take the
// same row), writes its notifications with notify() and deletes it: a row is written once, or not at all
// and taken again. A whole audience (a course's students, everyone) is written a page of recipients per
// transaction, in id order: each transaction writes its page and records the page's last person in the
// row, so a platform-wide announcement is many short transactions rather than one of 200,000 rows, and
// the row then waits behind those queued meanwhile. A failed attempt is retried later, a bounded number of
// times, without holding back the rows behind it.
import { and, asc, eq, isNull, lte } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import { afterCommit, type Database, databaseOf, type Executor } from '../../db/client.js';
import { notificationQueue } from '../../db/schema.js';
import { inTransaction, type NewNotification, notify, notifyPage } from './notify.js';
import { retryDelayMs } from './outbox.js';

/** Attempts per queued notification, the first included. */
export const MAX_NOTIFICATION_ATTEMPTS = 5;
export interface QueueLimits {
  /** Transactions of one run of the job; the next run (at once if more is queued) goes on. */
  transactions: number;
  /** Recipients of a whole audience written by one transaction. */
  recipientsPerTransaction: number;
}

const DEFAULT_LIMITS: QueueLimits = { transactions: 50, recipientsPerTransaction: 2_000 };

const queuedListeners = new WeakMap<Database, Set<() => void>>();

/** Calls `listener` once a transaction of `db` that queued notifications has committed. Answers a function that stops it. */
export function onNotificationsQueued(db: Database, listener: () => void): () => void {
  let listeners = queuedListeners.get(db);
  if (!listeners) queuedListeners.set(db, (listeners = new Set()));
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Queues `input` in the caller's transaction (or a new one): written by notify() once it has committed. */
export async function notifyLater(db: Executor, input: NewNotification): Promise<void> {
  await inTransaction(db, async (tx) => {
    await tx.insert(notificationQueue).values({ notification: { ...input } });
    const listeners = queuedListeners.get(databaseOf(tx));
    if (listeners) afterCommit(tx, () => listeners.forEach((listener) => listener()));
  });
}

type QueuedRow = typeof notificationQueue.$inferSelect;

/** Takes the due row that has waited longest and writes its notifications (or their next page), in one transaction. */
async function writeNext(db: Database, log: FastifyBaseLogger, limits: QueueLimits): Promise<'written' | 'page' | 'failed' | 'empty'> {
  const now = new Date();
  let taken: QueuedRow | undefined;
  try {
    return await db.transaction(async (tx) => {
      [taken] = await tx
        .select()
        .from(notificationQueue)
        .where(and(isNull(notificationQueue.failedAt), lte(notificationQueue.nextAttemptAt, now)))
        .orderBy(asc(notificationQueue.nextAttemptAt), asc(notificationQueue.id))
        .limit(1)
        .for('update', { skipLocked: true });
      if (!taken) return 'empty';
      const input = taken.notification as unknown as NewNotification;
      if ('userIds' in input.recipients) {
        await notify(tx, input);
      } else {
        const { lastUserId } = await notifyPage(tx, input, { afterUserId: taken.afterUserId, size: limits.recipientsPerTransaction });
        if (lastUserId) {
          // Behind what was queued meanwhile: a platform-wide announcement does not hold back a course's.
          await tx.update(notificationQueue).set({ afterUserId: lastUserId, nextAttemptAt: new Date() }).where(eq(notificationQueue.id, taken.id));
          return 'page';
        }
      }
      await tx.delete(notificationQueue).where(eq(notificationQueue.id, taken.id));
      return 'written';
    });
  } catch (error) {
    if (!taken) throw error;
    const attempts = taken.attempts + 1;
    const final = attempts >= MAX_NOTIFICATION_ATTEMPTS;
    log[final ? 'error' : 'warn'](
      { err: error, queuedNotificationId: taken.id, attempt: attempts, final },
      final ? 'writing queued notifications failed; giving up' : 'writing queued notifications failed; it will be tried again',
    );
    const message = error instanceof Error ? error.message : String(error);
    await db
      .update(notificationQueue)
      .set({
        attempts,
        lastError: message.slice(0, 1000),
        nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts)),
        failedAt: final ? now : null,
      })
      .where(eq(notificationQueue.id, taken.id));
    return 'failed';
  }
}

/**
 * Writes the due queued notifications, up to a run's worth of transactions. Answers how many rows were
 * written to the end, how many pages of a whole audience were written, how many attempts failed, and
 * whether there may be more to do.
 */
export async function writeQueuedNotifications(
  db: Database,
  log: FastifyBaseLogger,
  limits: QueueLimits = DEFAULT_LIMITS,
): Promise<{ written: number; pages: number; failed: number; more: boolean }> {
  let written = 0;
  let pages = 0;
  let failed = 0;
  for (let transaction = 0; transaction < limits.transactions; transaction++) {
    const outcome = await writeNext(db, log, limits);
    if (outcome === 'empty') return { written, pages, failed, more: false };
    if (outcome === 'written') written++;
    if (outcome === 'page') pages++;
    if (outcome === 'failed') failed++;
  }
  return { written, pages, failed, more: true };
}

// Notifications to a whole audience (every student of a course that changed, an announcement's readers)
// are not written by the change's transaction: it queues them, in one row, and the communication job
// writes them once it has committed. The change then commits in a few milliseconds whatever the
// audience, and its own live event goes out at once; the notifications follow, a few milliseconds later
// on this instance (its job is woken at commit), or at the next poll of any instance.
//
// A row is written by one transaction that takes it (`for update skip locked`, so instances never take the
// same row), writes its notifications with notify() and deletes it: a row is written once, or not at all
// and taken again. A failed attempt is retried later, a bounded number of times, without holding back the
// rows behind it.
import { and, asc, eq, isNull, lte } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import { afterCommit, type Database, databaseOf, type Executor } from '../../db/client.js';
import { notificationQueue } from '../../db/schema.js';
import { inTransaction, type NewNotification, notify } from './notify.js';
import { retryDelayMs } from './outbox.js';

/** Attempts per queued notification, the first included. */
export const MAX_NOTIFICATION_ATTEMPTS = 5;
/** Rows written by one run of the job; the next run (at once if more were queued meanwhile) goes on. */
const ROWS_PER_RUN = 50;

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

/** Takes the oldest due row and writes its notifications, in one transaction. */
async function writeNext(db: Database, log: FastifyBaseLogger): Promise<'written' | 'failed' | 'empty'> {
  const now = new Date();
  let taken: QueuedRow | undefined;
  try {
    return await db.transaction(async (tx) => {
      [taken] = await tx
        .select()
        .from(notificationQueue)
        .where(and(isNull(notificationQueue.failedAt), lte(notificationQueue.nextAttemptAt, now)))
        .orderBy(asc(notificationQueue.id))
        .limit(1)
        .for('update', { skipLocked: true });
      if (!taken) return 'empty';
      await notify(tx, taken.notification as unknown as NewNotification);
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

/** Writes the due queued notifications, up to a run's worth. Answers how many rows were written and how many failed. */
export async function writeQueuedNotifications(db: Database, log: FastifyBaseLogger): Promise<{ written: number; failed: number; more: boolean }> {
  let written = 0;
  let failed = 0;
  for (let run = 0; run < ROWS_PER_RUN; run++) {
    const outcome = await writeNext(db, log);
    if (outcome === 'empty') return { written, failed, more: false };
    if (outcome === 'written') written++;
    else failed++;
  }
  return { written, failed, more: true };
}

// Sends the mail that notifications and digests queued, after the transaction that queued it committed.
// Any instance may send: a row is claimed with `for update skip locked` and leased for a while, so two
// instances never send it at once, and the lease of one that died runs out and another sends it.
// A failed send is logged and tried again later, a bounded number of times; the notification itself is
// never touched by it.
import { and, asc, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '../../db/client.js';
import { oneReadOf } from '../../db/claims.js';
import { mailOutbox, notifications, users } from '../../db/schema.js';
import { digestMail, type MailedNotification, notificationMail } from './mail-templates.js';
import type { Mailer, OutgoingMail } from './mailer.js';

export interface MailDeliveryDeps {
  db: Database;
  mailer: Mailer;
  log: FastifyBaseLogger;
  publicUrl: string;
}

/** Attempts per mail, the first included. */
export const MAX_MAIL_ATTEMPTS = 5;
/** How long a claimed mail is left to its sender before another instance may take it over. */
const LEASE_MS = 5 * 60_000;
const CLAIM_BATCH = 20;

/** The wait before attempt n + 1: 30 seconds, then 2, 8 and 32 minutes. */
export const retryDelayMs = (attempts: number): number => 30_000 * 4 ** Math.max(0, attempts - 1);

type OutboxRow = typeof mailOutbox.$inferSelect;

async function claim(db: Database, now: Date): Promise<OutboxRow[]> {
  const due = db
    .select({ id: mailOutbox.id })
    .from(mailOutbox)
    .where(and(inArray(mailOutbox.status, ['pending', 'sending']), lte(mailOutbox.nextAttemptAt, now)))
    .orderBy(asc(mailOutbox.nextAttemptAt))
    .limit(CLAIM_BATCH)
    .for('update', { skipLocked: true });
  return db
    .update(mailOutbox)
    .set({ status: 'sending', attempts: sql`${mailOutbox.attempts} + 1`, nextAttemptAt: new Date(now.getTime() + LEASE_MS) })
    .where(oneReadOf(mailOutbox.id, due))
    .returning();
}

/** The mail a row stands for, or null when there is nothing to send any more (mail turned off meanwhile). */
async function compose(db: Database, row: OutboxRow, publicUrl: string): Promise<OutgoingMail | null> {
  const [person] = await db
    .select({ email: users.email, firstName: users.firstName, emailEnabled: users.notificationPreference, status: users.status })
    .from(users)
    .where(eq(users.id, row.userId))
    .limit(1);
  if (!person || !person.emailEnabled || person.status !== 'active') return null;
  const columns = { title: notifications.title, body: notifications.body, link: notifications.link, createdAt: notifications.createdAt };
  if (row.kind === 'notification') {
    if (!row.notificationId) return null;
    const [notification] = await db.select(columns).from(notifications).where(eq(notifications.id, row.notificationId)).limit(1);
    return notification ? notificationMail(person, notification, publicUrl) : null;
  }
  const items: MailedNotification[] =
    row.notificationIds.length === 0
      ? []
      : await db.select(columns).from(notifications).where(inArray(notifications.id, row.notificationIds)).orderBy(asc(notifications.createdAt));
  if (items.length === 0) return null;
  const [{ unread } = { unread: 0 }] = await db
    .select({ unread: sql<number>`count(*)::int` })
    .from(notifications)
    .where(and(eq(notifications.userId, row.userId), eq(notifications.inApp, true), isNull(notifications.readAt)));
  return digestMail(person, items, Math.max(unread, items.length), publicUrl);
}

/** Writes the outcome of this claim, unless another sender has claimed the row since (its lease ran out). */
async function settle(db: Database, row: OutboxRow, set: Partial<OutboxRow>): Promise<void> {
  await db
    .update(mailOutbox)
    .set(set)
    .where(and(eq(mailOutbox.id, row.id), eq(mailOutbox.attempts, row.attempts), eq(mailOutbox.status, 'sending')));
}

async function deliverOne(deps: MailDeliveryDeps, row: OutboxRow, now: Date): Promise<'sent' | 'failed' | 'retry' | 'cancelled'> {
  const { db, mailer, log } = deps;
  if (row.attempts > MAX_MAIL_ATTEMPTS) {
    await settle(db, row, { status: 'failed', lastError: row.lastError ?? 'attempts exhausted' });
    return 'failed';
  }
  let mail: OutgoingMail | null;
  try {
    mail = await compose(db, row, deps.publicUrl);
  } catch (error) {
    log.warn({ err: error, mailId: row.id }, 'could not prepare a notification mail; it will be tried again');
    await settle(db, row, { status: 'pending', nextAttemptAt: new Date(now.getTime() + retryDelayMs(row.attempts)) });
    return 'retry';
  }
  if (!mail) {
    await settle(db, row, { status: 'cancelled' });
    return 'cancelled';
  }
  try {
    await mailer.send(mail);
    await settle(db, row, { status: 'sent', sentAt: new Date(), lastError: null });
    return 'sent';
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const final = row.attempts >= MAX_MAIL_ATTEMPTS;
    log.warn(
      { err: error, mailId: row.id, kind: row.kind, attempt: row.attempts, final },
      final ? 'sending a notification mail failed; giving up' : 'sending a notification mail failed; it will be tried again',
    );
    await settle(
      db,
      row,
      final
        ? { status: 'failed', lastError: message.slice(0, 1000) }
        : { status: 'pending', lastError: message.slice(0, 1000), nextAttemptAt: new Date(now.getTime() + retryDelayMs(row.attempts)) },
    );
    return final ? 'failed' : 'retry';
  }
}

export interface DeliveryReport {
  sent: number;
  retry: number;
  failed: number;
  cancelled: number;
}

/** Sends every mail due at `now`, in batches, until none is left. */
export async function deliverDueMail(deps: MailDeliveryDeps, now = new Date()): Promise<DeliveryReport> {
  const report: DeliveryReport = { sent: 0, retry: 0, failed: 0, cancelled: 0 };
  for (;;) {
    const rows = await claim(deps.db, now);
    for (const row of rows) report[await deliverOne(deps, row, now)]++;
    if (rows.length < CLAIM_BATCH) return report;
  }
}

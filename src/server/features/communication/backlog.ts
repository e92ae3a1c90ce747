// What the communication jobs have still to do, and what they gave up on, for the metrics: queued
// notifications (a course's or the platform's audience) and notification mail.
import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.js';
import { mailOutbox, notificationQueue } from '../../db/schema.js';

export interface QueueBacklog {
  /** Rows to write, or to try again later. */
  waiting: number;
  /** Rows kept after their last attempt failed. */
  failed: number;
}

/**
 * One statement. The mail counts read partial indexes (the outbox keeps sent mail); the notification queue
 * holds only rows still to write and those given up on.
 */
export async function communicationBacklog(db: Executor): Promise<{ notifications: QueueBacklog; mail: QueueBacklog }> {
  const [counts] = await queryRows<{ notificationsWaiting: number; notificationsFailed: number; mailWaiting: number; mailFailed: number }>(
    db,
    sql`select
      (select count(*) from ${notificationQueue} where failed_at is null)::int as "notificationsWaiting",
      (select count(*) from ${notificationQueue} where failed_at is not null)::int as "notificationsFailed",
      (select count(*) from ${mailOutbox} where status in ('pending', 'sending'))::int as "mailWaiting",
      (select count(*) from ${mailOutbox} where status = 'failed')::int as "mailFailed"`,
  );
  return {
    notifications: { waiting: counts!.notificationsWaiting, failed: counts!.notificationsFailed },
    mail: { waiting: counts!.mailWaiting, failed: counts!.mailFailed },
  };
}

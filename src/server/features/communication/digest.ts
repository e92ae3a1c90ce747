// The daily digest: for each user who chose it, one mail a day listing the notifications that arrived since
// their last digest and are still unread. Any instance may run it; a transaction-scoped advisory lock lets
// one at a time through, and `last_digest_at` makes a second run on the same day find nobody due.
// The mail itself goes through the outbox, like every other.
import { sql } from 'drizzle-orm';
import { arrayLiteral, type Database, queryRows } from '../../db/client.js';

/** Distinct from the migration and event-log locks. */
const DIGEST_LOCK = 4242101;

/** The start of the digest day `now` falls in: the latest `hour`:00 UTC at or before it. */
export function digestSlot(now: Date, hourUtc: number): Date {
  const slot = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hourUtc));
  if (slot > now) slot.setUTCDate(slot.getUTCDate() - 1);
  return slot;
}

export interface DigestRun {
  /** False when another instance was running it. */
  ran: boolean;
  /** Users whose digest was due. */
  users: number;
  /** Digest mails queued (users with something new to tell). */
  queued: number;
}

export async function queueDigests(db: Database, options: { now?: Date; hourUtc: number }): Promise<DigestRun> {
  const now = options.now ?? new Date();
  const slot = digestSlot(now, options.hourUtc);
  return db.transaction(async (tx) => {
    const [lock] = await queryRows<{ locked: boolean }>(tx, sql`select pg_try_advisory_xact_lock(${DIGEST_LOCK}) as locked`);
    if (!lock?.locked) return { ran: false, users: 0, queued: 0 };
    const due = await queryRows<{ user_id: string }>(
      tx,
      sql`select p.user_id from notification_preferences p join users u on u.id = p.user_id
          where p.digest = 'daily' and u.notification_preference and u.status = 'active'
            and (p.last_digest_at is null or p.last_digest_at < ${slot.toISOString()}::timestamptz)
          for update of p`,
    );
    if (due.length === 0) return { ran: true, users: 0, queued: 0 };
    const ids = arrayLiteral(due.map((row) => row.user_id));
    const queued = await queryRows<{ id: string }>(
      tx,
      sql`insert into mail_outbox (user_id, kind, notification_ids)
          select n.user_id, 'digest', array_agg(n.id order by n.created_at, n.id)
          from notifications n
          where n.user_id = any(${ids}::uuid[]) and n.digest_pending and n.read_at is null
          group by n.user_id
          returning id`,
    );
    await tx.execute(sql`update notifications set digest_pending = false where user_id = any(${ids}::uuid[]) and digest_pending`);
    await tx.execute(
      sql`update notification_preferences set last_digest_at = ${now.toISOString()}::timestamptz where user_id = any(${ids}::uuid[])`,
    );
    return { ran: true, users: due.length, queued: queued.length };
  });
}

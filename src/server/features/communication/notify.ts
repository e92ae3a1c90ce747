// The one place notifications are created. In the caller's transaction it writes one notification per
// recipient who wants it (as their preferences say), queues the mail of those who want it at once (the
// digest takes the others), and emits `notification.new` to each in-app recipient. Mail leaves only
// after the commit (see outbox.ts), so a rolled-back change notifies nobody.
import { and, asc, eq, gt, is, ne, sql, type SQL } from 'drizzle-orm';
import { PgTransaction } from 'drizzle-orm/pg-core';
import type { NotificationType } from '../../../contract/communication.js';
import { arrayLiteral, type Executor, queryRows, type Transaction } from '../../db/client.js';
import { reusableQuery } from '../../db/reusable-queries.js';
import { courseEnrollments, courses, mailOutbox, notificationPreferences, notifications, users } from '../../db/schema.js';
import { emitEvents } from '../../realtime/events.js';
import { channelsFor } from './preferences.js';

/** Who a notification is for. Only existing users; `everyone` and course audiences only active ones. */
export type Recipients =
  | { userIds: readonly string[] }
  /** The course's actively enrolled students. */
  | { courseStudents: string }
  /** Its students and its instructor. */
  | { courseMembers: string }
  | { everyone: true };

export interface NewNotification {
  recipients: Recipients;
  /** Never notified: the person whose action this is. */
  exceptUserId?: string | null;
  type: NotificationType;
  title: string;
  body: string;
  /** A path of the web app. */
  link?: string | null;
  data?: Record<string, string>;
  /** At most one notification per user and key, ever: a repeat is skipped (periodic alerts). */
  dedupeKey?: string;
}

export interface CreatedNotification {
  id: string;
  userId: string;
  inApp: boolean;
}

/** Who might be notified, with what they chose to receive. */
const selectCandidates = (db: Executor) =>
  db
    .select({
      id: users.id,
      status: users.status,
      emailEnabled: users.notificationPreference,
      choices: notificationPreferences.types,
      digest: notificationPreferences.digest,
    })
    .from(users)
    .leftJoin(notificationPreferences, eq(notificationPreferences.userId, users.id));

/** Named people (a grade's student, a submission's instructor): the most frequent case, built once. */
const candidatesAmong = reusableQuery('notification_candidates_among', (db) =>
  selectCandidates(db).where(
    and(
      sql`${users.id} = any(${sql.placeholder('userIds')}::uuid[])`,
      sql`${users.id} is distinct from ${sql.placeholder('exceptUserId')}::uuid`,
    ),
  ),
);

function recipientFilter(recipients: Exclude<Recipients, { userIds: readonly string[] }>): SQL | undefined {
  const activeStudentsOf = (courseId: string) =>
    sql`${users.id} in (select ${courseEnrollments.studentId} from ${courseEnrollments}
          where ${courseEnrollments.courseId} = ${courseId} and ${courseEnrollments.status} = 'active')`;
  if ('courseStudents' in recipients) return and(eq(users.status, 'active'), activeStudentsOf(recipients.courseStudents));
  if ('courseMembers' in recipients) {
    const courseId = recipients.courseMembers;
    return and(
      eq(users.status, 'active'),
      sql`(${activeStudentsOf(courseId)} or ${users.id} = (select ${courses.instructorId} from ${courses} where ${courses.id} = ${courseId}))`,
    );
  }
  return eq(users.status, 'active');
}

/**
 * Runs `work` in the caller's transaction, or in a new one when given the database. Not in a savepoint:
 * nothing catches a failure here to carry on, so a failure ends the caller's transaction either way, and
 * a savepoint would only add two round trips.
 */
export const inTransaction = <T>(db: Executor, work: (tx: Transaction) => Promise<T>): Promise<T> =>
  is(db, PgTransaction) ? work(db as Transaction) : db.transaction(work);

/** Part of a whole audience: the people after `afterUserId`, in id order, at most `size` of them. */
export interface RecipientPage {
  afterUserId: string | null;
  size: number;
}

type Candidate = Awaited<ReturnType<typeof candidatesAmong>>[number];

async function candidatesFor(tx: Transaction, input: NewNotification, page?: RecipientPage): Promise<Candidate[]> {
  const { recipients, exceptUserId = null } = input;
  if ('userIds' in recipients) return candidatesAmong(tx, { userIds: arrayLiteral([...new Set(recipients.userIds)]), exceptUserId });
  const audience = and(
    recipientFilter(recipients),
    exceptUserId ? ne(users.id, exceptUserId) : undefined,
    page?.afterUserId ? gt(users.id, page.afterUserId) : undefined,
  );
  return page ? selectCandidates(tx).where(audience).orderBy(asc(users.id)).limit(page.size) : selectCandidates(tx).where(audience);
}

export async function notify(db: Executor, input: NewNotification): Promise<CreatedNotification[]> {
  if ('userIds' in input.recipients && input.recipients.userIds.length === 0) return [];
  return inTransaction(db, async (tx) => notifyCandidates(tx, input, await candidatesFor(tx, input)));
}

/**
 * Notifies one page of a whole audience (a course's students or members, everyone), so that a large one
 * can be written in several transactions. Answers the page's last person, from whom the next page goes
 * on, or null when this page was the last.
 */
export async function notifyPage(tx: Transaction, input: NewNotification, page: RecipientPage): Promise<{ lastUserId: string | null }> {
  if ('userIds' in input.recipients) throw new Error('notifyPage: named recipients are notified at once, with notify()');
  const candidates = await candidatesFor(tx, input, page);
  await notifyCandidates(tx, input, candidates);
  return { lastUserId: candidates.length === page.size ? candidates.at(-1)!.id : null };
}

async function notifyCandidates(tx: Transaction, input: NewNotification, candidates: readonly Candidate[]): Promise<CreatedNotification[]> {
  const rows = candidates.flatMap((person) => {
    const channels = channelsFor(person.choices, input.type);
    const mailed = channels.email && person.emailEnabled && person.status === 'active';
    if (!channels.inApp && !mailed) return [];
    const digest = mailed && person.digest === 'daily';
    return [{ userId: person.id, inApp: channels.inApp, digestPending: digest, mailNow: mailed && !digest }];
  });
  if (rows.length === 0) return [];

  // One statement of fixed text whatever the number of recipients (a course may have thousands): the
  // per-recipient columns go as three arrays, the shared ones once.
  const created = await queryRows<CreatedNotification>(
    tx,
    sql`insert into ${notifications} (user_id, type, title, body, link, data, in_app, digest_pending, dedupe_key)
        select r.user_id, ${input.type}::notification_type, ${input.title}::text, ${input.body}::text, ${input.link ?? null}::text,
          ${JSON.stringify(input.data ?? {})}::jsonb, r.in_app, r.digest_pending, ${input.dedupeKey ?? null}::text
        from unnest(${arrayLiteral(rows.map((row) => row.userId))}::uuid[],
                    ${arrayLiteral(rows.map((row) => row.inApp))}::boolean[],
                    ${arrayLiteral(rows.map((row) => row.digestPending))}::boolean[]) as r(user_id, in_app, digest_pending)
        on conflict (user_id, dedupe_key) do nothing
        returning id, user_id as "userId", in_app as "inApp"`,
  );
  const mailNow = new Set(rows.filter((row) => row.mailNow).map((row) => row.userId));
  const mails = created.filter((row) => mailNow.has(row.userId));
  if (mails.length > 0) {
    await tx.execute(
      sql`insert into ${mailOutbox} (user_id, kind, notification_id)
          select r.user_id, 'notification', r.notification_id
          from unnest(${arrayLiteral(mails.map((row) => row.userId))}::uuid[], ${arrayLiteral(mails.map((row) => row.id))}::uuid[])
            as r(user_id, notification_id)`,
    );
  }
  await emitEvents(
    tx,
    created
      .filter((row) => row.inApp)
      .map((row) => ({
        type: 'notification.new' as const,
        data: { notificationId: row.id, userId: row.userId, type: input.type },
        audience: { userIds: [row.userId] },
      })),
  );
  return created;
}

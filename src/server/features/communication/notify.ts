// The one place notifications are created. In the caller's transaction it writes one notification per
// recipient who wants it (as their preferences say), queues the mail of those who want it at once (the
// digest takes the others), and emits `notification.new` to each in-app recipient. Mail leaves only
// after the commit (see outbox.ts), so a rolled-back change notifies nobody.
import { and, eq, inArray, ne, sql, type SQL } from 'drizzle-orm';
import type { NotificationType } from '../../../contract/communication.js';
import type { Executor, Transaction } from '../../db/client.js';
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

const INSERT_BATCH = 500;

function recipientFilter(recipients: Recipients): SQL | undefined {
  const activeStudentsOf = (courseId: string) =>
    sql`${users.id} in (select ${courseEnrollments.studentId} from ${courseEnrollments}
          where ${courseEnrollments.courseId} = ${courseId} and ${courseEnrollments.status} = 'active')`;
  if ('userIds' in recipients) return inArray(users.id, [...new Set(recipients.userIds)]);
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

/** Runs `work` in the caller's transaction (as a savepoint), or in a new one when given the database. */
export const inTransaction = <T>(db: Executor, work: (tx: Transaction) => Promise<T>): Promise<T> =>
  (db as Transaction).transaction(work);

export async function notify(db: Executor, input: NewNotification): Promise<CreatedNotification[]> {
  if ('userIds' in input.recipients && input.recipients.userIds.length === 0) return [];
  return inTransaction(db, async (tx) => {
    const candidates = await tx
      .select({
        id: users.id,
        status: users.status,
        emailEnabled: users.notificationPreference,
        choices: notificationPreferences.types,
        digest: notificationPreferences.digest,
      })
      .from(users)
      .leftJoin(notificationPreferences, eq(notificationPreferences.userId, users.id))
      .where(and(recipientFilter(input.recipients), input.exceptUserId ? ne(users.id, input.exceptUserId) : undefined));

    const rows = candidates.flatMap((person) => {
      const channels = channelsFor(person.choices, input.type);
      const mailed = channels.email && person.emailEnabled && person.status === 'active';
      if (!channels.inApp && !mailed) return [];
      const digest = mailed && person.digest === 'daily';
      return [
        {
          userId: person.id,
          type: input.type,
          title: input.title,
          body: input.body,
          link: input.link ?? null,
          data: input.data ?? {},
          inApp: channels.inApp,
          digestPending: digest,
          dedupeKey: input.dedupeKey ?? null,
          mailNow: mailed && !digest,
        },
      ];
    });
    if (rows.length === 0) return [];

    const created: CreatedNotification[] = [];
    const mailNow = new Set(rows.filter((row) => row.mailNow).map((row) => row.userId));
    for (let start = 0; start < rows.length; start += INSERT_BATCH) {
      const batch = rows.slice(start, start + INSERT_BATCH).map(({ mailNow: _mailNow, ...row }) => row);
      const written = await tx
        .insert(notifications)
        .values(batch)
        .onConflictDoNothing({ target: [notifications.userId, notifications.dedupeKey] })
        .returning({ id: notifications.id, userId: notifications.userId, inApp: notifications.inApp });
      created.push(...written);
      const mails = written.filter((row) => mailNow.has(row.userId));
      if (mails.length > 0) {
        await tx.insert(mailOutbox).values(mails.map((row) => ({ userId: row.userId, kind: 'notification' as const, notificationId: row.id })));
      }
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
  });
}

// A user's in-app notifications: the list with the unread count, and marking them read. Only ever the
// caller's own. Knows nothing of HTTP.
import { and, count, desc, eq, inArray, isNull } from 'drizzle-orm';
import type { MarkNotificationsReadBody, NotificationListQuery } from '../../../contract/communication.js';
import type { Database, Executor } from '../../db/client.js';
import { pageInfo, pageOffset } from '../../db/pagination.js';
import { notifications } from '../../db/schema.js';
import type { AuthUser } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { recordAudit } from '../audit/log.js';
import { presentNotification } from './presenter.js';

const ownInApp = (userId: string) => and(eq(notifications.userId, userId), eq(notifications.inApp, true));

export async function unreadNotifications(db: Executor, userId: string): Promise<number> {
  const [row] = await db.select({ count: count() }).from(notifications).where(and(ownInApp(userId), isNull(notifications.readAt)));
  return row?.count ?? 0;
}

export function createNotificationsService({ db }: { db: Database }) {
  return {
    /** Newest first. */
    async list(user: AuthUser, query: NotificationListQuery) {
      const where = and(
        ownInApp(user.id),
        query.unread ? isNull(notifications.readAt) : undefined,
        query.type ? eq(notifications.type, query.type) : undefined,
      );
      const [rows, [total], unreadCount] = await Promise.all([
        db
          .select()
          .from(notifications)
          .where(where)
          .orderBy(desc(notifications.createdAt), desc(notifications.id))
          .limit(query.limit)
          .offset(pageOffset(query.page, query.limit)),
        db.select({ count: count() }).from(notifications).where(where),
        unreadNotifications(db, user.id),
      ]);
      return {
        data: rows.map(presentNotification),
        pagination: pageInfo(query.page, query.limit, total?.count ?? 0),
        unreadCount,
      };
    },

    /** Marks the named notifications (all of them the caller's, or nothing changes: 404) or every one read. */
    async markRead(user: AuthUser, body: MarkNotificationsReadBody) {
      return db.transaction(async (tx) => {
        const now = new Date();
        let ids: string[] | undefined;
        if (body.ids) {
          ids = [...new Set(body.ids)];
          const own = await tx
            .select({ id: notifications.id })
            .from(notifications)
            .where(and(ownInApp(user.id), inArray(notifications.id, ids)));
          if (own.length !== ids.length) throw new AppError('NOTIFICATION_NOT_FOUND', 'Notification not found');
        }
        const marked = await tx
          .update(notifications)
          .set({ readAt: now })
          .where(and(ownInApp(user.id), isNull(notifications.readAt), ids ? inArray(notifications.id, ids) : undefined))
          .returning({ id: notifications.id });
        if (marked.length > 0) {
          await recordAudit(tx, user, {
            action: 'notification.read',
            targetType: 'user',
            targetId: user.id,
            after: { ...(ids ? { ids } : { all: true }), marked: marked.length },
          });
        }
        return { marked: marked.length, unreadCount: await unreadNotifications(tx, user.id) };
      });
    },
  };
}

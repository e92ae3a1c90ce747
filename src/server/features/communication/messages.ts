// Direct messages between two people, grouped in one conversation per pair. A user may write to the people
// they share a course with (a student and the course's instructor, two students of it); admins to anyone;
// and anyone may answer who wrote to them. Knows nothing of HTTP.
import { and, count, desc, eq, isNull, or, sql } from 'drizzle-orm';
import type { Conversation, DirectMessage, MessageListQuery, SendMessageBody } from '../../../contract/communication.js';
import type { UserRole } from '../../../contract/common.js';
import { type Database, type Executor, queryRows } from '../../db/client.js';
import { pageInfo, pageOffset } from '../../db/pagination.js';
import { conversations, directMessages, notifications, users } from '../../db/schema.js';
import type { AuthUser } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { emitEvent } from '../../realtime/events.js';
import { recordAudit } from '../audit/log.js';
import { notify } from './notify.js';
import { presentCorrespondent, presentMessage } from './presenter.js';
import { excerpt, fullName } from './text.js';

type Timestamp = Date | string;

/** May `sender` write to `recipientId`? */
export async function canMessage(db: Executor, sender: { id: string; role: UserRole }, recipientId: string): Promise<boolean> {
  if (sender.role === 'admin') return true;
  const [row] = await queryRows<{ allowed: boolean }>(
    db,
    sql`select exists (
          select 1 from courses c join course_enrollments e on e.course_id = c.id and e.status = 'active'
            where (c.instructor_id = ${sender.id} and e.student_id = ${recipientId})
               or (c.instructor_id = ${recipientId} and e.student_id = ${sender.id})
          union all
          select 1 from course_enrollments mine join course_enrollments theirs on theirs.course_id = mine.course_id
            where mine.student_id = ${sender.id} and mine.status = 'active'
              and theirs.student_id = ${recipientId} and theirs.status = 'active'
          union all
          select 1 from direct_messages m where m.sender_id = ${recipientId} and m.recipient_id = ${sender.id}
        ) as allowed`,
  );
  return Boolean(row?.allowed);
}

/** The conversation, if the user takes part in it; 404 otherwise (whether it exists is nobody else's business). */
async function findOwnConversation(db: Executor, user: AuthUser, conversationId: string) {
  const [conversation] = await db
    .select()
    .from(conversations)
    .where(and(eq(conversations.id, conversationId), or(eq(conversations.userLowId, user.id), eq(conversations.userHighId, user.id))))
    .limit(1);
  if (!conversation) throw new AppError('CONVERSATION_NOT_FOUND', 'Conversation not found');
  return conversation;
}

async function unreadTotal(db: Executor, userId: string): Promise<number> {
  const [row] = await db
    .select({ count: count() })
    .from(directMessages)
    .where(and(eq(directMessages.recipientId, userId), isNull(directMessages.readAt)));
  return row?.count ?? 0;
}

interface ConversationRow {
  id: string;
  created_at: Timestamp;
  other_id: string;
  first_name: string;
  last_name: string;
  username: string;
  role: UserRole;
  avatar_url: string;
  message_id: string;
  sender_id: string;
  recipient_id: string;
  body: string;
  message_created_at: Timestamp;
  read_at: Timestamp | null;
  unread: number;
}

const toDate = (value: Timestamp) => new Date(value);

export function createMessagesService({ db }: { db: Database }) {
  return {
    async send(user: AuthUser, body: SendMessageBody): Promise<DirectMessage> {
      if (body.recipientId === user.id) {
        throw new AppError('VALIDATION_ERROR', 'Invalid request: body.recipientId cannot be yourself', {
          'body.recipientId': 'cannot be yourself',
        });
      }
      return db.transaction(async (tx) => {
        const [recipient] = await tx.select({ id: users.id }).from(users).where(eq(users.id, body.recipientId)).limit(1);
        if (!recipient) throw new AppError('USER_NOT_FOUND', 'User not found');
        if (!(await canMessage(tx, user, recipient.id))) {
          throw new AppError('MESSAGE_NOT_ALLOWED', 'You can only message people you share a course with, or who wrote to you');
        }
        const now = new Date();
        const [low, high] = [user.id, recipient.id].sort() as [string, string];
        const [conversation] = await tx
          .insert(conversations)
          .values({ userLowId: low, userHighId: high, createdAt: now, lastMessageAt: now })
          .onConflictDoUpdate({ target: [conversations.userLowId, conversations.userHighId], set: { lastMessageAt: now } })
          .returning({ id: conversations.id });
        const [row] = await tx
          .insert(directMessages)
          .values({ conversationId: conversation!.id, senderId: user.id, recipientId: recipient.id, body: body.body, createdAt: now })
          .returning();
        const message = row!;
        await recordAudit(tx, user, {
          action: 'message.send',
          targetType: 'message',
          targetId: message.id,
          after: { conversationId: message.conversationId, recipientId: recipient.id, bodyLength: message.body.length },
        });
        const [sender] = await tx.select({ firstName: users.firstName, lastName: users.lastName }).from(users).where(eq(users.id, user.id));
        await notify(tx, {
          recipients: { userIds: [recipient.id] },
          type: 'message_received',
          title: `New message from ${sender ? fullName(sender) : 'someone'}`,
          body: excerpt(message.body, 280),
          link: `/messages/${message.conversationId}`,
          data: { messageId: message.id, conversationId: message.conversationId, senderId: user.id },
        });
        await emitEvent(tx, {
          type: 'message.received',
          data: { messageId: message.id, from: user.id, content: message.body, conversationId: message.conversationId },
          audience: { userIds: [recipient.id] },
        });
        return presentMessage(message);
      });
    },

    /** The caller's messages, sent and received, newest first; filtered by conversation, person or unread. */
    async list(user: AuthUser, query: MessageListQuery) {
      if (query.conversationId) await findOwnConversation(db, user, query.conversationId);
      const where = and(
        or(eq(directMessages.senderId, user.id), eq(directMessages.recipientId, user.id)),
        query.conversationId ? eq(directMessages.conversationId, query.conversationId) : undefined,
        query.withUserId ? or(eq(directMessages.senderId, query.withUserId), eq(directMessages.recipientId, query.withUserId)) : undefined,
        query.unread ? and(eq(directMessages.recipientId, user.id), isNull(directMessages.readAt)) : undefined,
      );
      const [rows, [total]] = await Promise.all([
        db
          .select()
          .from(directMessages)
          .where(where)
          .orderBy(desc(directMessages.createdAt), desc(directMessages.id))
          .limit(query.limit)
          .offset(pageOffset(query.page, query.limit)),
        db.select({ count: count() }).from(directMessages).where(where),
      ]);
      return { data: rows.map(presentMessage), pagination: pageInfo(query.page, query.limit, total?.count ?? 0) };
    },

    /** The caller's conversations, the most recently active first, each with its last message and unread count. */
    async conversations(user: AuthUser, page: number, limit: number) {
      const mine = sql`(c.user_low_id = ${user.id} or c.user_high_id = ${user.id})`;
      const [rows, [total], unreadCount] = await Promise.all([
        queryRows<ConversationRow>(
          db,
          sql`select c.id, c.created_at, o.id as other_id, o.first_name, o.last_name, o.username, o.role, o.avatar_url,
                m.id as message_id, m.sender_id, m.recipient_id, m.body, m.created_at as message_created_at, m.read_at,
                (select count(*)::int from direct_messages u
                  where u.conversation_id = c.id and u.recipient_id = ${user.id} and u.read_at is null) as unread
              from conversations c
              join users o on o.id = case when c.user_low_id = ${user.id} then c.user_high_id else c.user_low_id end
              join lateral (select * from direct_messages d where d.conversation_id = c.id
                            order by d.created_at desc, d.id desc limit 1) m on true
              where ${mine}
              order by c.last_message_at desc, c.id desc
              limit ${limit} offset ${pageOffset(page, limit)}`,
        ),
        queryRows<{ count: number }>(db, sql`select count(*)::int as count from conversations c where ${mine}`),
        unreadTotal(db, user.id),
      ]);
      const data: Conversation[] = rows.map((row) => ({
        conversationId: row.id,
        participant: presentCorrespondent({
          id: row.other_id,
          firstName: row.first_name,
          lastName: row.last_name,
          username: row.username,
          role: row.role,
          avatarUrl: row.avatar_url,
        }),
        lastMessage: presentMessage({
          id: row.message_id,
          conversationId: row.id,
          senderId: row.sender_id,
          recipientId: row.recipient_id,
          body: row.body,
          createdAt: toDate(row.message_created_at),
          readAt: row.read_at === null ? null : toDate(row.read_at),
        }),
        unreadCount: row.unread,
        createdAt: toDate(row.created_at).toISOString(),
      }));
      return { data, pagination: pageInfo(page, limit, total?.count ?? 0), unreadCount };
    },

    /** Marks the messages the caller received in the conversation read, and their notifications with them. */
    async markRead(user: AuthUser, conversationId: string) {
      return db.transaction(async (tx) => {
        const conversation = await findOwnConversation(tx, user, conversationId);
        const now = new Date();
        const marked = await tx
          .update(directMessages)
          .set({ readAt: now })
          .where(and(eq(directMessages.conversationId, conversation.id), eq(directMessages.recipientId, user.id), isNull(directMessages.readAt)))
          .returning({ id: directMessages.id });
        if (marked.length > 0) {
          await tx
            .update(notifications)
            .set({ readAt: now })
            .where(
              and(
                eq(notifications.userId, user.id),
                eq(notifications.type, 'message_received'),
                isNull(notifications.readAt),
                sql`${notifications.data} ->> 'conversationId' = ${conversation.id}`,
              ),
            );
          await recordAudit(tx, user, {
            action: 'message.read',
            targetType: 'conversation',
            targetId: conversation.id,
            after: { marked: marked.length },
          });
        }
        return { conversationId: conversation.id, marked: marked.length, unreadCount: await unreadTotal(tx, user.id) };
      });
    },
  };
}

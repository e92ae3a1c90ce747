// Communication: course and platform announcements, direct messages between people who share a course,
// notifications (in-app and by mail) and the preferences that choose them.
import { z } from 'zod';
import { Id, IsoDate, messageDataEnvelope, PageQuery, Pagination, dataEnvelope, pageEnvelope, UserRole } from './common.js';

const booleanQuery = z.enum(['true', 'false']).transform((value) => value === 'true');

/** Someone as the communication views show them. */
export const Correspondent = z
  .object({
    id: Id,
    firstName: z.string(),
    lastName: z.string(),
    username: z.string(),
    role: UserRole,
    avatarUrl: z.string(),
  })
  .meta({ id: 'Correspondent' });
export type Correspondent = z.infer<typeof Correspondent>;

// ---- Announcements

export const AnnouncementTitle = z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters');
export const AnnouncementText = z.string().trim().min(1, 'is required').max(10_000, 'must be at most 10000 characters');

export const CreateAnnouncementBody = z.object({
  courseId: Id.nullable()
    .optional()
    .describe("The course it is for (its instructor or an admin); omitted or null: platform-wide (admins only)"),
  title: AnnouncementTitle,
  body: AnnouncementText.describe('Plain text or Markdown; raw HTML in it is shown as text'),
});
export type CreateAnnouncementBody = z.infer<typeof CreateAnnouncementBody>;

export const Announcement = z
  .object({
    announcementId: Id,
    courseId: Id.nullable().describe('null for a platform-wide announcement'),
    course: z.object({ courseId: Id, title: z.string() }).nullable(),
    title: z.string(),
    body: z.string().describe('As written'),
    bodyHtml: z.string().describe('The body rendered from Markdown, with any HTML it contains escaped'),
    author: Correspondent.nullable().describe('null once the author account is deleted'),
    createdAt: IsoDate,
  })
  .meta({ id: 'Announcement' });
export type Announcement = z.infer<typeof Announcement>;

export const CreateAnnouncementResponse = messageDataEnvelope(Announcement);

export const AnnouncementListQuery = PageQuery.extend({
  courseId: Id.optional().describe("Only this course's announcements (its members and admins)"),
});
export type AnnouncementListQuery = z.infer<typeof AnnouncementListQuery>;
export const AnnouncementListResponse = pageEnvelope(Announcement);

// ---- Direct messages

export const MessageText = z.string().trim().min(1, 'is required').max(5000, 'must be at most 5000 characters');

export const SendMessageBody = z.object({
  recipientId: Id.describe('Someone you share a course with (admins: anyone), or who wrote to you'),
  body: MessageText.describe('Plain text'),
});
export type SendMessageBody = z.infer<typeof SendMessageBody>;

export const DirectMessage = z
  .object({
    messageId: Id,
    conversationId: Id,
    senderId: Id,
    recipientId: Id,
    body: z.string(),
    createdAt: IsoDate,
    readAt: IsoDate.nullable().describe('When the recipient marked it read'),
  })
  .meta({ id: 'DirectMessage' });
export type DirectMessage = z.infer<typeof DirectMessage>;

export const SendMessageResponse = messageDataEnvelope(DirectMessage);

export const MessageListQuery = PageQuery.extend({
  conversationId: Id.optional().describe('Only the messages of this conversation'),
  withUserId: Id.optional().describe('Only the messages exchanged with this user'),
  unread: booleanQuery.optional().describe('true: only messages to the caller not yet read'),
});
export type MessageListQuery = z.infer<typeof MessageListQuery>;
export const MessageListResponse = pageEnvelope(DirectMessage);

export const Conversation = z
  .object({
    conversationId: Id,
    participant: Correspondent.describe('The other person'),
    lastMessage: DirectMessage,
    unreadCount: z.number().int().describe('Messages to the caller in it not yet read'),
    createdAt: IsoDate,
  })
  .meta({ id: 'Conversation' });
export type Conversation = z.infer<typeof Conversation>;

export const ConversationListResponse = z.object({
  data: z.array(Conversation),
  pagination: Pagination,
  unreadCount: z.number().int().describe('Unread messages to the caller over every conversation'),
});

export const ConversationIdParams = z.object({ conversationId: Id });

export const MarkConversationReadResponse = messageDataEnvelope(
  z.object({
    conversationId: Id,
    marked: z.number().int().describe('Messages marked read by this call'),
    unreadCount: z.number().int().describe('Unread messages left over every conversation'),
  }),
);

// ---- Notifications

export const NotificationType = z.enum([
  'assignment_submitted',
  'assignment_graded',
  'announcement_posted',
  'message_received',
  'achievement_earned',
  'course_updated',
  'student_inactive',
  'assignment_missed',
  'security_alert',
]);
export type NotificationType = z.infer<typeof NotificationType>;
export const notificationTypes = NotificationType.options;

export const Notification = z
  .object({
    notificationId: Id,
    type: NotificationType,
    title: z.string(),
    body: z.string(),
    link: z.string().nullable().describe("A path of the web app to open (e.g. `/courses/<courseId>`)"),
    data: z.record(z.string(), z.string()).describe('Ids of what it is about: courseId, assignmentId, messageId, ...'),
    readAt: IsoDate.nullable(),
    createdAt: IsoDate,
  })
  .meta({ id: 'Notification' });
export type Notification = z.infer<typeof Notification>;

export const NotificationListQuery = PageQuery.extend({
  unread: booleanQuery.optional().describe('true: only unread notifications'),
  type: NotificationType.optional(),
});
export type NotificationListQuery = z.infer<typeof NotificationListQuery>;

export const NotificationListResponse = z.object({
  data: z.array(Notification),
  pagination: Pagination,
  unreadCount: z.number().int().describe("The caller's unread notifications, whatever the filters"),
});

export const MarkNotificationsReadBody = z
  .object({
    ids: z
      .array(Id)
      .min(1, 'must name at least one notification')
      .max(100, 'must name at most 100 notifications')
      .optional()
      .describe('Your notifications to mark read'),
    all: z.literal(true, { error: 'must be true' }).optional().describe('true: mark every notification of yours read'),
  })
  .strict()
  .refine((body) => (body.ids === undefined) !== (body.all === undefined), {
    message: 'send either ids or all: true',
    path: ['ids'],
  });
export type MarkNotificationsReadBody = z.infer<typeof MarkNotificationsReadBody>;

export const MarkNotificationsReadResponse = messageDataEnvelope(
  z.object({
    marked: z.number().int().describe('Notifications marked read by this call'),
    unreadCount: z.number().int(),
  }),
);

// ---- Notification preferences

export const ChannelPreference = z
  .object({
    inApp: z.boolean().describe('Listed in GET /api/notifications and pushed as notification.new'),
    email: z.boolean().describe('Mailed (needs the profile notificationPreference on)'),
  })
  .meta({ id: 'ChannelPreference' });

export const EmailDigest = z.enum(['off', 'daily']);
export type EmailDigest = z.infer<typeof EmailDigest>;

export const NotificationPreferences = z
  .object({
    types: z.record(NotificationType, ChannelPreference).describe('Every notification type with its channels'),
    digest: EmailDigest.describe('daily: one mail a day summarising unread notifications, instead of one mail each'),
    emailEnabled: z.boolean().describe("The profile's notificationPreference: no mail at all when false"),
  })
  .meta({ id: 'NotificationPreferences' });
export type NotificationPreferences = z.infer<typeof NotificationPreferences>;

export const NotificationPreferencesResponse = dataEnvelope(NotificationPreferences);

export const UpdateNotificationPreferencesBody = z
  .object({
    types: z
      .partialRecord(NotificationType, z.object({ inApp: z.boolean().optional(), email: z.boolean().optional() }).strict())
      .optional()
      .describe('Only the types and channels sent change'),
    digest: EmailDigest.optional(),
  })
  .strict();
export type UpdateNotificationPreferencesBody = z.infer<typeof UpdateNotificationPreferencesBody>;

export const UpdateNotificationPreferencesResponse = messageDataEnvelope(NotificationPreferences);

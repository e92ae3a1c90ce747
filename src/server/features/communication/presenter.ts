// What a client sees of people, messages and notifications: built here, never the raw row.
import type { Correspondent, DirectMessage, Notification } from '../../../contract/communication.js';
import { directMessages, notifications, users } from '../../db/schema.js';
import { iso, isoOrNull } from '../users/presenter.js';

export const correspondentColumns = {
  id: users.id,
  firstName: users.firstName,
  lastName: users.lastName,
  username: users.username,
  role: users.role,
  avatarUrl: users.avatarUrl,
};

export const presentCorrespondent = (person: Correspondent): Correspondent => ({
  id: person.id,
  firstName: person.firstName,
  lastName: person.lastName,
  username: person.username,
  role: person.role,
  avatarUrl: person.avatarUrl,
});

export const presentMessage = (message: typeof directMessages.$inferSelect): DirectMessage => ({
  messageId: message.id,
  conversationId: message.conversationId,
  senderId: message.senderId,
  recipientId: message.recipientId,
  body: message.body,
  createdAt: iso(message.createdAt),
  readAt: isoOrNull(message.readAt),
});

export const presentNotification = (notification: typeof notifications.$inferSelect): Notification => ({
  notificationId: notification.id,
  type: notification.type,
  title: notification.title,
  body: notification.body,
  link: notification.link,
  data: notification.data,
  readAt: isoOrNull(notification.readAt),
  createdAt: iso(notification.createdAt),
});

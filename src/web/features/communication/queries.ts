// Notifications, direct messages and announcements. None of it is persisted: it is personal.
import { queryOptions } from '@tanstack/react-query';
import { api } from '../../lib/api';

export interface NotificationFilters {
  unread?: boolean;
  page?: number;
}

export const communicationKeys = {
  all: ['communication'] as const,
  notifications: () => [...communicationKeys.all, 'notifications'] as const,
  notificationList: (filters: NotificationFilters) => [...communicationKeys.notifications(), 'list', filters] as const,
  notificationPreview: () => [...communicationKeys.notifications(), 'preview'] as const,
  preferences: () => [...communicationKeys.all, 'preferences'] as const,
  conversations: () => [...communicationKeys.all, 'conversations'] as const,
  messages: (conversationId: string) => [...communicationKeys.all, 'messages', conversationId] as const,
  announcements: (courseId?: string) => [...communicationKeys.all, 'announcements', courseId ?? 'mine'] as const,
};

export const communicationQueries = {
  notificationList: (filters: NotificationFilters) =>
    queryOptions({
      queryKey: communicationKeys.notificationList(filters),
      queryFn: ({ signal }) => api.getNotifications({ unread: filters.unread, page: filters.page ?? 1, limit: 20 }, { signal }),
    }),
  /** The newest few and the unread count, for the bell in the header. */
  notificationPreview: () =>
    queryOptions({
      queryKey: communicationKeys.notificationPreview(),
      queryFn: ({ signal }) => api.getNotifications({ limit: 5 }, { signal }),
      staleTime: 60_000,
    }),
  preferences: () =>
    queryOptions({
      queryKey: communicationKeys.preferences(),
      queryFn: ({ signal }) => api.getNotificationPreferences({ signal }),
    }),
  conversations: () =>
    queryOptions({
      queryKey: communicationKeys.conversations(),
      queryFn: ({ signal }) => api.listConversations({ limit: 50 }, { signal }),
    }),
  messages: (conversationId: string) =>
    queryOptions({
      queryKey: communicationKeys.messages(conversationId),
      queryFn: ({ signal }) => api.listMessages({ conversationId, limit: 100 }, { signal }),
    }),
  announcements: (courseId?: string) =>
    queryOptions({
      queryKey: communicationKeys.announcements(courseId),
      queryFn: ({ signal }) => api.listAnnouncements({ courseId, limit: 30 }, { signal }),
    }),
};

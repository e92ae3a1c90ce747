// Marking notifications read and sending messages show at once and are taken back if refused.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { CreateAnnouncementBody, DirectMessage, Notification, UpdateNotificationPreferencesBody } from '../../../contract/communication';
import { api } from '../../lib/api';
import { communicationKeys, communicationQueries } from './queries';

type NotificationPage = { data: Notification[]; unreadCount: number };

export function useMarkNotificationsRead() {
  const queryClient = useQueryClient();
  const key = communicationKeys.notifications();
  return useMutation({
    mutationFn: (target: { ids: string[] } | { all: true }) => api.markNotificationsRead(target),
    onMutate: async (target) => {
      await queryClient.cancelQueries({ queryKey: key });
      const previous = queryClient.getQueriesData<NotificationPage>({ queryKey: key });
      const now = new Date().toISOString();
      const hits = (n: Notification) => !n.readAt && ('all' in target || target.ids.includes(n.notificationId));
      queryClient.setQueriesData<NotificationPage>({ queryKey: key }, (page) => {
        if (!page) return page;
        const marked = page.data.filter(hits).length;
        const newlyRead = 'all' in target ? page.unreadCount : marked;
        return { ...page, unreadCount: Math.max(0, page.unreadCount - newlyRead), data: page.data.map((n) => (hits(n) ? { ...n, readAt: now } : n)) };
      });
      return { previous };
    },
    onError: (_error, _target, context) => {
      for (const [queryKey, data] of context?.previous ?? []) queryClient.setQueryData(queryKey, data);
    },
    onSettled: () => void queryClient.invalidateQueries({ queryKey: key }),
  });
}

export function useUpdateNotificationPreferences() {
  const queryClient = useQueryClient();
  const key = communicationQueries.preferences().queryKey;
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn: (body: UpdateNotificationPreferencesBody) => api.updateNotificationPreferences(body),
    onMutate: async (body) => {
      await queryClient.cancelQueries({ queryKey: key });
      const previous = queryClient.getQueryData(key);
      if (previous) {
        const types = { ...previous.types };
        for (const [type, change] of Object.entries(body.types ?? {})) {
          const name = type as keyof typeof types;
          types[name] = { ...types[name], ...change };
        }
        queryClient.setQueryData(key, { ...previous, types, ...(body.digest ? { digest: body.digest } : {}) });
      }
      return { previous };
    },
    onError: (_error, _body, context) => {
      if (context?.previous) queryClient.setQueryData(key, context.previous);
    },
    onSuccess: (preferences) => queryClient.setQueryData(key, preferences),
  });
}

export function useSendMessage(conversationId: string | undefined) {
  const queryClient = useQueryClient();
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn: (body: { recipientId: string; body: string }) => api.sendMessage(body),
    onMutate: async (body) => {
      if (!conversationId) return { previous: undefined };
      const key = communicationQueries.messages(conversationId).queryKey;
      await queryClient.cancelQueries({ queryKey: key });
      const previous = queryClient.getQueryData(key);
      if (previous) {
        const pending: DirectMessage = {
          messageId: `pending-${Date.now()}`,
          conversationId,
          senderId: 'me',
          recipientId: body.recipientId,
          body: body.body,
          createdAt: new Date().toISOString(),
          readAt: null,
        };
        queryClient.setQueryData(key, { ...previous, data: [pending, ...previous.data] });
      }
      return { previous };
    },
    onError: (_error, _body, context) => {
      if (conversationId && context?.previous) queryClient.setQueryData(communicationQueries.messages(conversationId).queryKey, context.previous);
    },
    onSettled: (message) => {
      void queryClient.invalidateQueries({ queryKey: communicationKeys.conversations() });
      const thread = message?.conversationId ?? conversationId;
      if (thread) void queryClient.invalidateQueries({ queryKey: communicationKeys.messages(thread) });
    },
  });
}

export function useMarkConversationRead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (conversationId: string) => api.markConversationRead(conversationId),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: communicationKeys.conversations() });
      void queryClient.invalidateQueries({ queryKey: communicationKeys.notifications() });
    },
  });
}

export function useCreateAnnouncement() {
  const queryClient = useQueryClient();
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn: (body: CreateAnnouncementBody) => api.createAnnouncement(body),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: [...communicationKeys.all, 'announcements'] }),
  });
}

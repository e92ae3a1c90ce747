// Profile and preference edits: shown at once, taken back with the reason when refused.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { UpdatePreferencesBody, UpdateProfileBody } from '../../../contract/profile';
import { api } from '../../lib/api';
import { sessionQuery } from '../auth/queries';
import { dashboardKeys } from '../dashboard/queries';
import { profileQueries } from './queries';

export function useUpdateProfile(userId: string) {
  const queryClient = useQueryClient();
  const profileKey = profileQueries.detail(userId).queryKey;
  const sessionKey = sessionQuery().queryKey;
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn: (body: UpdateProfileBody) => api.updateProfile(body),
    onMutate: async (body) => {
      await queryClient.cancelQueries({ queryKey: profileKey });
      const previous = { profile: queryClient.getQueryData(profileKey), session: queryClient.getQueryData(sessionKey) };
      const { currentPassword: _current, newPassword: _new, userId: _id, ...visible } = body;
      const shown = Object.fromEntries(Object.entries(visible).filter(([, value]) => value !== undefined));
      if (previous.profile) queryClient.setQueryData(profileKey, { ...previous.profile, ...shown });
      const names = pick(shown, ['firstName', 'lastName', 'username', 'email']) as { firstName?: string; lastName?: string; username?: string; email?: string };
      queryClient.setQueryData(sessionKey, (session) => (session?.authenticated ? { ...session, user: { ...session.user, ...names } } : session));
      return previous;
    },
    onError: (_error, _body, previous) => {
      if (previous?.profile) queryClient.setQueryData(profileKey, previous.profile);
      if (previous?.session) queryClient.setQueryData(sessionKey, previous.session);
    },
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: profileKey });
      void queryClient.invalidateQueries({ queryKey: dashboardKeys.all });
    },
  });
}

export function useUpdatePreferences(userId: string) {
  const queryClient = useQueryClient();
  const profileKey = profileQueries.detail(userId).queryKey;
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn: (body: Omit<UpdatePreferencesBody, 'userId'>) => api.updatePreferences({ ...body, userId }),
    onMutate: async (body) => {
      await queryClient.cancelQueries({ queryKey: profileKey });
      const previous = queryClient.getQueryData(profileKey);
      if (previous) queryClient.setQueryData(profileKey, { ...previous, ...body });
      return { previous };
    },
    onError: (_error, _body, context) => {
      if (context?.previous) queryClient.setQueryData(profileKey, context.previous);
    },
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: profileKey });
      void queryClient.invalidateQueries({ queryKey: dashboardKeys.all });
    },
  });
}

function pick<T extends Record<string, unknown>>(value: T, keys: string[]): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([key]) => keys.includes(key))) as Partial<T>;
}

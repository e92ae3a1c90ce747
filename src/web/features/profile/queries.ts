import { queryOptions } from '@tanstack/react-query';
import { api } from '../../lib/api';

export const profileKeys = {
  all: ['profile'] as const,
  detail: (userId: string) => [...profileKeys.all, userId] as const,
};

export const profileQueries = {
  /** Never persisted: it holds the email address and preferences. */
  detail: (userId: string) =>
    queryOptions({
      queryKey: profileKeys.detail(userId),
      queryFn: ({ signal }) => api.getUserProfile(userId, { signal }),
    }),
};

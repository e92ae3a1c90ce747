// The account's security: second factors and signed-in sessions. Never persisted.
import { queryOptions } from '@tanstack/react-query';
import { api } from '../../lib/api';

export const accountKeys = {
  all: ['account'] as const,
  mfa: () => [...accountKeys.all, 'mfa'] as const,
  sessions: () => [...accountKeys.all, 'sessions'] as const,
};

export const accountQueries = {
  mfa: () => queryOptions({ queryKey: accountKeys.mfa(), queryFn: ({ signal }) => api.getMfaStatus({ signal }) }),
  sessions: () => queryOptions({ queryKey: accountKeys.sessions(), queryFn: ({ signal }) => api.listSessions({ signal }) }),
};

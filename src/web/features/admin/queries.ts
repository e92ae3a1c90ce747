// Administration: users, platform figures, the audit log and exports. Never persisted.
import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import type { UserRole } from '../../../sdk';
import { api } from '../../lib/api';

export interface UserFilters {
  search?: string;
  role?: UserRole;
  status?: 'active' | 'suspended';
  page?: number;
}

export interface AuditFilters {
  action?: string;
  actorId?: string;
  targetType?: string;
  from?: string;
  to?: string;
  page?: number;
}

export interface DateRange {
  from?: string;
  to?: string;
}

export const adminKeys = {
  all: ['admin'] as const,
  users: (filters: UserFilters) => [...adminKeys.all, 'users', filters] as const,
  usersAll: () => [...adminKeys.all, 'users'] as const,
  analytics: (range: DateRange) => [...adminKeys.all, 'analytics', range] as const,
  audit: (filters: AuditFilters) => [...adminKeys.all, 'audit', filters] as const,
  exports: () => [...adminKeys.all, 'exports'] as const,
};

export const adminQueries = {
  users: (filters: UserFilters) =>
    queryOptions({
      queryKey: adminKeys.users(filters),
      queryFn: ({ signal }) => api.listUsers({ ...filters, page: filters.page ?? 1, limit: 20 }, { signal }),
      placeholderData: keepPreviousData,
    }),
  analytics: (range: DateRange) =>
    queryOptions({
      queryKey: adminKeys.analytics(range),
      queryFn: ({ signal }) => api.getPlatformAnalytics(range, { signal }),
    }),
  audit: (filters: AuditFilters) =>
    queryOptions({
      queryKey: adminKeys.audit(filters),
      queryFn: ({ signal }) => api.listAuditLog({ ...filters, page: filters.page ?? 1, limit: 25 }, { signal }),
      placeholderData: keepPreviousData,
    }),
  exports: () =>
    queryOptions({
      queryKey: adminKeys.exports(),
      queryFn: ({ signal }) => api.listExports({ limit: 20 }, { signal }),
      // Poll while a job is still running.
      refetchInterval: (query) => (query.state.data?.data.some((job) => job.status === 'queued' || job.status === 'running') ? 2000 : false),
    }),
};

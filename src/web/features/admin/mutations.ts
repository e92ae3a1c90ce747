// Administration: role changes and suspensions show at once in the user list and are taken back
// if refused; exports are started and downloaded through the SDK.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { AdminUserAccount, UserRole } from '../../../sdk';
import type { AdminReportQuery, CreateExportBody } from '../../../contract/reports';
import { api } from '../../lib/api';
import { adminKeys } from './queries';

type UserList = { data: AdminUserAccount[]; pagination: unknown };

function useUserChange<V>(mutationFn: (variables: V) => Promise<AdminUserAccount>, patch: (variables: V) => { userId: string; change: Partial<AdminUserAccount> }) {
  const queryClient = useQueryClient();
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn,
    onMutate: async (variables) => {
      const { userId, change } = patch(variables);
      await queryClient.cancelQueries({ queryKey: adminKeys.usersAll() });
      const previous = queryClient.getQueriesData<UserList>({ queryKey: adminKeys.usersAll() });
      queryClient.setQueriesData<UserList>({ queryKey: adminKeys.usersAll() }, (list) =>
        list ? { ...list, data: list.data.map((user) => (user.id === userId ? { ...user, ...change } : user)) } : list,
      );
      return { previous };
    },
    onError: (_error, _variables, context) => {
      for (const [key, data] of context?.previous ?? []) queryClient.setQueryData(key, data);
    },
    onSettled: () => void queryClient.invalidateQueries({ queryKey: adminKeys.usersAll() }),
  });
}

export const useSuspendUser = () =>
  useUserChange(
    ({ userId, reason }: { userId: string; reason?: string }) => api.suspendUser(userId, reason),
    ({ userId, reason }) => ({ userId, change: { status: 'suspended', suspendedAt: new Date().toISOString(), suspensionReason: reason ?? null } }),
  );

export const useUnsuspendUser = () =>
  useUserChange(
    ({ userId }: { userId: string }) => api.unsuspendUser(userId),
    ({ userId }) => ({ userId, change: { status: 'active', suspendedAt: null, suspensionReason: null } }),
  );

export const useChangeRole = () =>
  useUserChange(
    ({ userId, role }: { userId: string; role: UserRole }) => api.updateUserRole(userId, role),
    ({ userId, role }) => ({ userId, change: { role } }),
  );

export function useCreateExport() {
  const queryClient = useQueryClient();
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn: (body: CreateExportBody) => api.createExport(body),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: adminKeys.exports() }),
  });
}

/** Reports and exports are files: fetched through the SDK and saved by the browser. */
export function useDownload() {
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn: ({ endpoint, params }: { endpoint: string; params?: Record<string, string | undefined> }) => api.downloadFile(endpoint, undefined, params),
  });
}

export type ReportRequest = Pick<AdminReportQuery, 'type' | 'format' | 'from' | 'to'>;

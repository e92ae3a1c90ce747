import { useQuery } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import type { AdminUserAccount, UserRole } from '../../../../sdk';
import { userMessage } from '../../../lib/errors';
import { USER_ROLES } from '../../../lib/enums';
import { formatDate, humanize } from '../../../lib/format';
import { compact } from '../../../lib/search';
import { Button } from '../../../ui/button';
import { Dialog } from '../../../ui/dialog';
import { EmptyState, QueryState } from '../../../ui/feedback';
import { FormError, SelectField, TextField } from '../../../ui/fields';
import { Page, Pill } from '../../../ui/layout';
import { toast } from '../../../ui/toast';
import { useCurrentUser } from '../../auth/queries';
import { useChangeRole, useSuspendUser, useUnsuspendUser } from '../mutations';
import { adminQueries } from '../queries';

const route = getRouteApi('/authed/admin-only/admin/users');

function SuspendDialog({ user, onClose }: { user: AdminUserAccount | null; onClose: () => void }) {
  const suspend = useSuspendUser();
  const [reason, setReason] = useState('');
  useEffect(() => setReason(''), [user]);
  return (
    <Dialog open={Boolean(user)} onClose={onClose} title={`Suspend ${user?.firstName ?? ''} ${user?.lastName ?? ''}?`}>
      <p className="text-sm text-slate-700">They are signed out everywhere at once and cannot sign in until you lift the suspension.</p>
      <FormError message={suspend.error ? userMessage(suspend.error) : null} />
      <TextField label="Reason (shown to admins)" value={reason} onChange={(e) => setReason(e.target.value)} className="mt-3" />
      <div className="mt-4 flex justify-end gap-2">
        <Button variant="secondary" onClick={onClose}>
          Cancel
        </Button>
        <Button
          variant="danger"
          busy={suspend.isPending}
          onClick={() =>
            user &&
            suspend.mutate(
              { userId: user.id, reason: reason.trim() || undefined },
              {
                onSuccess: () => {
                  toast.success(`${user.firstName} ${user.lastName} is suspended.`);
                  onClose();
                },
              },
            )
          }
        >
          Suspend
        </Button>
      </div>
    </Dialog>
  );
}

export function AdminUsersPage() {
  const me = useCurrentUser();
  const filters = route.useSearch();
  const navigate = route.useNavigate();
  const query = useQuery(adminQueries.users(filters));
  const unsuspend = useUnsuspendUser();
  const changeRole = useChangeRole();
  const [suspending, setSuspending] = useState<AdminUserAccount | null>(null);
  const [search, setSearch] = useState(filters.search ?? '');
  const setFilters = (changes: Partial<typeof filters>) => void navigate({ search: (previous) => compact({ ...previous, ...changes, page: changes.page }), replace: true });
  const refusal = changeRole.error ?? unsuspend.error;

  return (
    <Page title="Users">
      <form
        role="search"
        className="mb-4 grid gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:grid-cols-4"
        onSubmit={(event) => {
          event.preventDefault();
          setFilters({ search: search.trim() || undefined });
        }}
      >
        <TextField label="Search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Name, email or username" className="sm:col-span-2" />
        <SelectField
          label="Role"
          value={filters.role ?? ''}
          onChange={(e) => setFilters({ role: (e.target.value || undefined) as UserRole | undefined })}
          options={[{ value: '', label: 'Every role' }, ...USER_ROLES.map((r) => ({ value: r, label: humanize(r) }))]}
        />
        <SelectField
          label="Status"
          value={filters.status ?? ''}
          onChange={(e) => setFilters({ status: (e.target.value || undefined) as 'active' | 'suspended' | undefined })}
          options={[
            { value: '', label: 'Any status' },
            { value: 'active', label: 'Active' },
            { value: 'suspended', label: 'Suspended' },
          ]}
        />
        <Button type="submit" className="sm:col-start-4">
          Search
        </Button>
      </form>
      <FormError message={refusal ? `Not changed: ${userMessage(refusal)}` : null} />
      <QueryState query={query} loadingLabel="Loading users…">
        {({ data, pagination }) =>
          data.length === 0 ? (
            <EmptyState title="No user matches" />
          ) : (
            <>
              <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
                <table className="w-full min-w-[48rem] text-left text-sm">
                  <caption className="sr-only">Users, {pagination.totalCount} in all</caption>
                  <thead className="bg-slate-50 text-slate-700">
                    <tr>
                      <th scope="col" className="px-3 py-2">Name</th>
                      <th scope="col" className="px-3 py-2">Email</th>
                      <th scope="col" className="px-3 py-2">Role</th>
                      <th scope="col" className="px-3 py-2">Status</th>
                      <th scope="col" className="px-3 py-2">Joined</th>
                      <th scope="col" className="px-3 py-2"><span className="sr-only">Actions</span></th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.map((user) => (
                      <tr key={user.id} className="border-t border-slate-100">
                        <th scope="row" className="px-3 py-2 font-medium">
                          {user.firstName} {user.lastName}
                          <span className="block text-xs font-normal text-slate-600">@{user.username}</span>
                        </th>
                        <td className="px-3 py-2">{user.email}</td>
                        <td className="px-3 py-2">
                          <label className="sr-only" htmlFor={`role-${user.id}`}>
                            Role of {user.firstName} {user.lastName}
                          </label>
                          <select
                            id={`role-${user.id}`}
                            value={user.role}
                            disabled={user.id === me.id}
                            onChange={(e) => changeRole.mutate({ userId: user.id, role: e.target.value as UserRole }, { onSuccess: () => toast.success('Role changed.') })}
                            className="rounded-md border border-slate-300 bg-white px-2 py-1"
                          >
                            {USER_ROLES.map((r) => (
                              <option key={r} value={r}>
                                {humanize(r)}
                              </option>
                            ))}
                          </select>
                        </td>
                        <td className="px-3 py-2">
                          {user.status === 'suspended' ? <Pill tone="danger">Suspended</Pill> : <Pill tone="success">Active</Pill>}
                          {user.suspensionReason && <span className="block text-xs text-slate-600">{user.suspensionReason}</span>}
                        </td>
                        <td className="px-3 py-2">{formatDate(user.createdAt)}</td>
                        <td className="px-3 py-2 text-right">
                          {user.id !== me.id &&
                            (user.status === 'suspended' ? (
                              <Button variant="secondary" onClick={() => unsuspend.mutate({ userId: user.id }, { onSuccess: () => toast.success('Suspension lifted.') })}>
                                Lift suspension
                              </Button>
                            ) : (
                              <Button variant="ghost" onClick={() => setSuspending(user)} aria-label={`Suspend ${user.firstName} ${user.lastName}`}>
                                Suspend
                              </Button>
                            ))}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <nav aria-label="Pages" className="mt-4 flex items-center justify-between text-sm">
                <Button variant="secondary" disabled={!pagination.hasPrev} onClick={() => setFilters({ page: pagination.page - 1 })}>
                  Previous
                </Button>
                <span>
                  Page {pagination.page} of {Math.max(1, pagination.totalPages)} · {pagination.totalCount} users
                </span>
                <Button variant="secondary" disabled={!pagination.hasNext} onClick={() => setFilters({ page: pagination.page + 1 })}>
                  Next
                </Button>
              </nav>
            </>
          )
        }
      </QueryState>
      <SuspendDialog user={suspending} onClose={() => setSuspending(null)} />
    </Page>
  );
}

import { useQuery } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { fieldErrors } from '../../../lib/errors';
import { formatDateTime } from '../../../lib/format';
import { compact } from '../../../lib/search';
import { Button } from '../../../ui/button';
import { EmptyState, ErrorNotice, Loading } from '../../../ui/feedback';
import { TextField } from '../../../ui/fields';
import { Page, Pill } from '../../../ui/layout';
import { adminQueries } from '../queries';

const route = getRouteApi('/authed/admin-only/admin/audit');

const describe = (value: Record<string, unknown> | null) => (value ? Object.entries(value).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ') : '');

export function AuditLogPage() {
  const filters = route.useSearch();
  const navigate = route.useNavigate();
  const query = useQuery(adminQueries.audit(filters));
  const [draft, setDraft] = useState({ action: filters.action ?? '', targetType: filters.targetType ?? '', from: filters.from ?? '', to: filters.to ?? '' });
  const errors = fieldErrors(query.error);
  const apply = (event: FormEvent) => {
    event.preventDefault();
    void navigate({ search: compact({ action: draft.action || undefined, targetType: draft.targetType || undefined, from: draft.from || undefined, to: draft.to || undefined }), replace: true });
  };
  const page = query.data?.pagination;
  return (
    <Page title="Audit log" description="Every change on the platform, newest first. Entries cannot be changed or deleted.">
      <form onSubmit={apply} className="mb-4 grid gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:grid-cols-5">
        <TextField label="Action" value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })} placeholder="user.suspend or user.*" error={errors.action} />
        <TextField label="Target type" value={draft.targetType} onChange={(e) => setDraft({ ...draft, targetType: e.target.value })} placeholder="course" error={errors.targetType} />
        <TextField label="From" type="date" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} error={errors.from} />
        <TextField label="To" type="date" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} error={errors.to} />
        <Button type="submit" className="self-end">
          Filter
        </Button>
      </form>
      {query.isPending ? (
        <Loading label="Loading the audit log…" />
      ) : query.error && !Object.keys(errors).length ? (
        <ErrorNotice error={query.error} onRetry={() => void query.refetch()} />
      ) : !query.data || query.data.data.length === 0 ? (
        <EmptyState title="No entry matches" />
      ) : (
        <>
          <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
            <table className="w-full min-w-[56rem] text-left text-sm">
              <caption className="sr-only">Audit entries</caption>
              <thead className="bg-slate-50 text-slate-700">
                <tr>
                  <th scope="col" className="px-3 py-2">When</th>
                  <th scope="col" className="px-3 py-2">Who</th>
                  <th scope="col" className="px-3 py-2">Action</th>
                  <th scope="col" className="px-3 py-2">Target</th>
                  <th scope="col" className="px-3 py-2">Change</th>
                </tr>
              </thead>
              <tbody>
                {query.data.data.map((entry) => (
                  <tr key={entry.id} className="border-t border-slate-100 align-top">
                    <td className="whitespace-nowrap px-3 py-2">{formatDateTime(entry.createdAt)}</td>
                    <td className="px-3 py-2">
                      {entry.actor ? (
                        <>
                          {entry.actor.firstName} {entry.actor.lastName} <Pill>{entry.actor.role}</Pill>
                        </>
                      ) : (
                        <span className="text-slate-600">nobody signed in</span>
                      )}
                    </td>
                    <td className="px-3 py-2 font-mono text-xs">{entry.action}</td>
                    <td className="px-3 py-2">
                      {entry.targetType}
                      {entry.targetId && <span className="block font-mono text-xs text-slate-600">{entry.targetId}</span>}
                    </td>
                    <td className="max-w-md break-words px-3 py-2 text-xs text-slate-700">
                      {entry.before && <p>Before: {describe(entry.before)}</p>}
                      {entry.after && <p>After: {describe(entry.after)}</p>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {page && (
            <nav aria-label="Pages" className="mt-4 flex items-center justify-between text-sm">
              <Button variant="secondary" disabled={!page.hasPrev} onClick={() => void navigate({ search: (prev) => ({ ...prev, page: page.page - 1 }) })}>
                Newer
              </Button>
              <span>
                Page {page.page} of {Math.max(1, page.totalPages)}
              </span>
              <Button variant="secondary" disabled={!page.hasNext} onClick={() => void navigate({ search: (prev) => ({ ...prev, page: page.page + 1 }) })}>
                Older
              </Button>
            </nav>
          )}
        </>
      )}
    </Page>
  );
}

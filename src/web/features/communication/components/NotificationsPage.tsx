import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link, useRouter } from '@tanstack/react-router';
import { formatRelative } from '../../../lib/format';
import { Button } from '../../../ui/button';
import { EmptyState, QueryState } from '../../../ui/feedback';
import { Page } from '../../../ui/layout';
import { useMarkNotificationsRead } from '../mutations';
import { communicationQueries } from '../queries';

const route = getRouteApi('/authed/notifications');

export function NotificationsPage() {
  const { unread, page } = route.useSearch();
  const router = useRouter();
  const query = useQuery(communicationQueries.notificationList({ unread, page }));
  const markRead = useMarkNotificationsRead();
  const unreadCount = query.data?.unreadCount ?? 0;
  return (
    <Page
      title="Notifications"
      description={`${unreadCount} unread`}
      actions={
        <>
          <Link to="/settings/notifications" className="rounded-md px-3 py-2 text-sm font-semibold text-indigo-800 hover:bg-indigo-50">
            Settings
          </Link>
          <Button variant="secondary" disabled={unreadCount === 0} onClick={() => markRead.mutate({ all: true })}>
            Mark all read
          </Button>
        </>
      }
    >
      <nav aria-label="Filter" className="mb-4 flex gap-2">
        <Link to="/notifications" search={{}} className="rounded-full border border-slate-300 bg-white px-3 py-1 text-sm font-medium" activeOptions={{ includeSearch: true }} activeProps={{ className: '!border-indigo-700 !bg-indigo-700 text-white', 'aria-current': 'page' }}>
          All
        </Link>
        <Link to="/notifications" search={{ unread: true }} className="rounded-full border border-slate-300 bg-white px-3 py-1 text-sm font-medium" activeOptions={{ includeSearch: true }} activeProps={{ className: '!border-indigo-700 !bg-indigo-700 text-white', 'aria-current': 'page' }}>
          Unread
        </Link>
      </nav>
      <QueryState query={query} loadingLabel="Loading notifications…">
        {({ data, pagination }) =>
          data.length === 0 ? (
            <EmptyState title={unread ? 'Nothing unread' : 'No notifications yet'} />
          ) : (
            <>
              <ul className="space-y-2" aria-live="polite">
                {data.map((n) => (
                  <li key={n.notificationId} className={`rounded-xl border p-4 shadow-sm ${n.readAt ? 'border-slate-200 bg-white' : 'border-indigo-200 bg-indigo-50'}`}>
                    <div className="flex flex-wrap items-start justify-between gap-2">
                      <div className="min-w-0">
                        <p className="font-semibold text-slate-900">
                          {!n.readAt && <span className="sr-only">Unread: </span>}
                          {n.title}
                        </p>
                        <p className="text-sm text-slate-700">{n.body}</p>
                        <p className="mt-1 text-xs text-slate-600">{formatRelative(n.createdAt)}</p>
                      </div>
                      <div className="flex gap-2">
                        {n.link && (
                          <Button
                            variant="secondary"
                            onClick={() => {
                              if (!n.readAt) markRead.mutate({ ids: [n.notificationId] });
                              router.history.push(n.link!);
                            }}
                          >
                            Open
                          </Button>
                        )}
                        {!n.readAt && (
                          <Button variant="ghost" onClick={() => markRead.mutate({ ids: [n.notificationId] })} aria-label={`Mark read: ${n.title}`}>
                            Mark read
                          </Button>
                        )}
                      </div>
                    </div>
                  </li>
                ))}
              </ul>
              {pagination.totalPages > 1 && (
                <nav aria-label="Pages" className="mt-4 flex items-center justify-between text-sm">
                  <Link to="/notifications" search={{ unread, page: pagination.page - 1 }} disabled={!pagination.hasPrev} className="font-semibold text-indigo-800 underline aria-disabled:text-slate-400">
                    Newer
                  </Link>
                  <span>
                    Page {pagination.page} of {pagination.totalPages}
                  </span>
                  <Link to="/notifications" search={{ unread, page: pagination.page + 1 }} disabled={!pagination.hasNext} className="font-semibold text-indigo-800 underline aria-disabled:text-slate-400">
                    Older
                  </Link>
                </nav>
              )}
            </>
          )
        }
      </QueryState>
    </Page>
  );
}

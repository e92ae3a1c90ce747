import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { communicationQueries } from '../queries';

/** The header's way to the notifications, with how many are unread. */
export function NotificationBell() {
  const preview = useQuery(communicationQueries.notificationPreview());
  const unread = preview.data?.unreadCount ?? 0;
  return (
    <Link
      to="/notifications"
      className="relative rounded-md p-2 text-slate-700 hover:bg-slate-100"
      aria-label={unread ? `Notifications, ${unread} unread` : 'Notifications'}
      activeProps={{ 'aria-current': 'page' }}
    >
      <svg viewBox="0 0 24 24" className="h-5 w-5" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
        <path d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
        <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
      </svg>
      {unread > 0 && (
        <span aria-hidden="true" className="absolute -right-0.5 -top-0.5 min-w-5 rounded-full bg-red-700 px-1 text-center text-xs font-bold leading-5 text-white">
          {unread > 99 ? '99+' : unread}
        </span>
      )}
    </Link>
  );
}

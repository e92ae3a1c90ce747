// The frame around every screen: skip link, header with the navigation of the signed-in role, the
// offline notice, live updates, messages, and the jump to sign-in when a session ends.
import { useQueryClient } from '@tanstack/react-query';
import { Link, Outlet, useRouter, useRouterState } from '@tanstack/react-router';
import { useEffect, useId, useState, type ReactNode } from 'react';
import { homeFor, sessionKeys, useSession, type SessionUser } from '../features/auth/queries';
import { useSignOut } from '../features/auth/mutations';
import { onSessionExpired } from '../lib/api';
import { forgetPersistedCache } from '../lib/persist';
import { RealtimeProvider, useRealtimeState } from '../lib/realtime';
import { NotificationBell } from '../features/communication/components/NotificationBell';
import { Toaster } from '../ui/toast';
import { OfflineBanner } from './OfflineBanner';

interface NavItem {
  to: string;
  label: string;
}

function navFor(user: SessionUser | null): NavItem[] {
  if (!user) return [{ to: '/courses', label: 'Courses' }];
  const extra: NavItem[] = [
    { to: '/messages', label: 'Messages' },
    { to: '/announcements', label: 'Announcements' },
  ];
  if (user.role === 'student') {
    return [
      { to: '/dashboard', label: 'Dashboard' },
      { to: '/courses', label: 'Courses' },
      { to: '/assignments', label: 'Assignments' },
      { to: '/grades', label: 'Grades' },
      ...extra,
    ];
  }
  const teaching = [
    { to: '/teach', label: 'Teaching' },
    { to: '/teach/grading', label: 'Grading' },
    { to: '/courses', label: 'Courses' },
  ];
  if (user.role === 'instructor') return [...teaching, ...extra];
  return [
    { to: '/admin', label: 'Analytics' },
    { to: '/admin/users', label: 'Users' },
    { to: '/admin/reports', label: 'Reports' },
    { to: '/admin/audit', label: 'Audit log' },
    ...teaching,
    ...extra,
  ];
}

/** When the server refuses to renew the session, go to sign-in and come back here afterwards. */
function useSessionExpiry() {
  const queryClient = useQueryClient();
  const router = useRouter();
  useEffect(
    () =>
      onSessionExpired(() => {
        const session = queryClient.getQueryData<{ authenticated: boolean }>(sessionKeys.all);
        if (!session?.authenticated) return;
        queryClient.clear();
        forgetPersistedCache();
        queryClient.setQueryData(sessionKeys.all, { authenticated: false });
        const here = router.state.location.href;
        void router.navigate({ to: '/signin', search: { redirect: here, reason: 'expired' }, replace: true });
      }),
    [queryClient, router],
  );
}

function LiveIndicator() {
  const state = useRealtimeState();
  if (state === 'idle' || state === 'closed') return null;
  const live = state === 'open';
  return (
    <span className="hidden items-center gap-1.5 text-xs text-slate-600 lg:inline-flex" title={live ? 'Live updates are on' : 'Reconnecting for live updates'}>
      <span className={`h-2 w-2 rounded-full ${live ? 'bg-emerald-600' : 'animate-pulse bg-amber-500'}`} aria-hidden="true" />
      {live ? 'Live' : 'Reconnecting…'}
    </span>
  );
}

function NavLink({ to, children, onNavigate }: { to: string; children: ReactNode; onNavigate?: () => void }) {
  return (
    <Link
      to={to}
      onClick={onNavigate}
      activeOptions={{ exact: to === '/teach' || to === '/admin' }}
      className="block rounded-md px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-100 hover:text-slate-900 lg:inline-block"
      activeProps={{ className: 'bg-indigo-50 !text-indigo-900', 'aria-current': 'page' }}
    >
      {children}
    </Link>
  );
}

function UserMenu({ user }: { user: SessionUser }) {
  const signOut = useSignOut();
  const router = useRouter();
  return (
    <div className="flex items-center gap-2">
      <Link to="/profile" className="rounded-md px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-100" activeProps={{ 'aria-current': 'page' }}>
        <span className="sr-only">Your profile: </span>
        {user.firstName}
      </Link>
      <button
        type="button"
        className="rounded-md px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-100"
        disabled={signOut.isPending}
        onClick={() => signOut.mutate(undefined, { onSettled: () => void router.navigate({ to: '/signin', replace: true }) })}
      >
        Sign out
      </button>
    </div>
  );
}

export function AppShell() {
  const { user } = useSession();
  const queryClient = useQueryClient();
  const [menuOpen, setMenuOpen] = useState(false);
  const menuId = useId();
  const pathname = useRouterState({ select: (state) => state.location.pathname });
  useSessionExpiry();
  useEffect(() => setMenuOpen(false), [pathname]);
  const items = navFor(user);

  return (
    <RealtimeProvider userId={user?.id ?? null} queryClient={queryClient}>
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:shadow">
        Skip to content
      </a>
      <header className="sticky top-0 z-30 border-b border-slate-200 bg-white/95 backdrop-blur">
        <div className="mx-auto flex max-w-6xl items-center gap-3 px-4 py-2 sm:px-6">
          <Link to={homeFor(user?.role)} className="flex items-center gap-2 text-lg font-bold text-indigo-800">
            <img src="/favicon.svg" alt="" className="h-7 w-7" width={28} height={28} />
            skillEd
          </Link>
          <nav aria-label="Main" className="hidden flex-1 lg:block">
            <ul className="flex flex-wrap gap-1">
              {items.map((item) => (
                <li key={item.to}>
                  <NavLink to={item.to}>{item.label}</NavLink>
                </li>
              ))}
            </ul>
          </nav>
          <div className="ml-auto flex items-center gap-2">
            <LiveIndicator />
            {user && <NotificationBell />}
            {user ? (
              <div className="hidden lg:block">
                <UserMenu user={user} />
              </div>
            ) : (
              <div className="flex items-center gap-2">
                <Link to="/signin" className="rounded-md px-3 py-2 text-sm font-semibold text-indigo-800 hover:bg-indigo-50">
                  Sign in
                </Link>
                <Link to="/register" className="hidden rounded-md bg-indigo-700 px-3 py-2 text-sm font-semibold text-white hover:bg-indigo-800 sm:inline-block">
                  Create an account
                </Link>
              </div>
            )}
            <button
              type="button"
              className="rounded-md border border-slate-300 px-3 py-2 text-sm font-medium text-slate-800 lg:hidden"
              aria-expanded={menuOpen}
              aria-controls={menuOpen ? menuId : undefined}
              onClick={() => setMenuOpen((open) => !open)}
            >
              Menu
            </button>
          </div>
        </div>
        {menuOpen && (
          <nav id={menuId} aria-label="Main" className="border-t border-slate-200 px-4 pb-3 lg:hidden">
            <ul className="flex flex-col gap-1 pt-2">
              {items.map((item) => (
                <li key={item.to}>
                  <NavLink to={item.to}>{item.label}</NavLink>
                </li>
              ))}
            </ul>
            <div className="mt-2 border-t border-slate-200 pt-2">
              {user ? (
                <UserMenu user={user} />
              ) : (
                <Link to="/register" className="block rounded-md px-3 py-2 text-sm font-semibold text-indigo-800">
                  Create an account
                </Link>
              )}
            </div>
          </nav>
        )}
      </header>
      <OfflineBanner />
      <main id="main" className="min-h-[70vh] pb-16">
        <Outlet />
      </main>
      <footer className="border-t border-slate-200 py-6 text-center text-sm text-slate-600">
        skillEd · <a href="/api/docs" className="underline">API reference</a>
      </footer>
      <Toaster />
    </RealtimeProvider>
  );
}

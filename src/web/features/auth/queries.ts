// Who is signed in. The access cookie lives 15 minutes: when the server no longer sees it, the
// refresh cookie is tried once before concluding that nobody is signed in.
import { queryOptions, useQuery } from '@tanstack/react-query';
import type { AuthCheckResponse, UserRole } from '../../../sdk';
import { api } from '../../lib/api';

export type SessionUser = Extract<AuthCheckResponse, { authenticated: true }>['user'];

export const sessionKeys = {
  all: ['session'] as const,
};

async function fetchSession(): Promise<AuthCheckResponse> {
  const first = await api.checkAuth();
  if (first.authenticated) return first;
  return (await api.refreshSession()) ? api.checkAuth() : first;
}

export const sessionQuery = () =>
  queryOptions({
    queryKey: sessionKeys.all,
    queryFn: fetchSession,
    staleTime: 5 * 60_000,
  });

export function useSession(): { user: SessionUser | null; isPending: boolean } {
  const { data, isPending } = useQuery(sessionQuery());
  return { user: data?.authenticated ? data.user : null, isPending };
}

/** The signed-in user, for screens behind the sign-in guard. */
export function useCurrentUser(): SessionUser {
  const { user } = useSession();
  if (!user) throw new Error('This screen needs a signed-in user');
  return user;
}

export const isStaff = (role: UserRole | undefined) => role === 'instructor' || role === 'admin';

/** Where each role starts. */
export const homeFor = (role: UserRole | undefined): '/dashboard' | '/teach' | '/admin' | '/courses' =>
  role === 'student' ? '/dashboard' : role === 'instructor' ? '/teach' : role === 'admin' ? '/admin' : '/courses';

/** Only paths of this site, so that a crafted link cannot send someone elsewhere after sign-in. */
export function safeRedirect(target: string | undefined): string | undefined {
  if (!target || !target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\')) return undefined;
  if (target.startsWith('/signin') || target.startsWith('/register')) return undefined;
  return target;
}

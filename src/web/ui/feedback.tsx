// Waiting, failing and empty states, so that no screen is ever blank.
import type { ReactNode } from 'react';
import { Link } from '@tanstack/react-router';
import { errorCategory, userMessage } from '../lib/errors';

export function Spinner({ size = 'md', label }: { size?: 'sm' | 'md'; label?: string }) {
  const dimension = size === 'sm' ? 'h-4 w-4' : 'h-6 w-6';
  return (
    <span className="inline-flex items-center gap-2">
      <span className={`${dimension} animate-spin rounded-full border-2 border-current border-t-transparent`} aria-hidden="true" />
      {label && <span>{label}</span>}
    </span>
  );
}

/** A placeholder while data is on its way, announced to screen readers. */
export function Loading({ label = 'Loading…', rows = 3 }: { label?: string; rows?: number }) {
  return (
    <div role="status" aria-live="polite" className="py-4">
      <span className="sr-only">{label}</span>
      <div className="space-y-3" aria-hidden="true">
        {Array.from({ length: rows }, (_, index) => (
          <div key={index} className="h-16 animate-pulse rounded-lg bg-slate-200" />
        ))}
      </div>
    </div>
  );
}

interface ErrorNoticeProps {
  error: unknown;
  onRetry?: () => void;
  title?: string;
}

/** What went wrong and what to do about it, by the error's category. */
export function ErrorNotice({ error, onRetry, title }: ErrorNoticeProps) {
  const category = errorCategory(error);
  const heading =
    title ??
    (category === 'network'
      ? 'You appear to be offline'
      : category === 'auth'
        ? 'You cannot see this'
        : category === 'server'
          ? 'The server had a problem'
          : 'Something went wrong');
  return (
    <div role="alert" className="rounded-lg border border-red-200 bg-red-50 p-4 text-red-900">
      <h2 className="font-semibold">{heading}</h2>
      <p className="mt-1 text-sm">{userMessage(error)}</p>
      <div className="mt-3 flex flex-wrap gap-3">
        {onRetry && (
          <button type="button" onClick={onRetry} className="rounded-md bg-red-800 px-3 py-1.5 text-sm font-semibold text-white hover:bg-red-900">
            Try again
          </button>
        )}
        {category === 'auth' && (
          <Link to="/" className="rounded-md px-3 py-1.5 text-sm font-semibold underline">
            Go to the home page
          </Link>
        )}
      </div>
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="rounded-lg border border-dashed border-slate-300 p-8 text-center">
      <p className="font-semibold text-slate-800">{title}</p>
      {children && <div className="mt-2 text-sm text-slate-600">{children}</div>}
    </div>
  );
}

/** Loading → error → content, for one query. */
export function QueryState<T>({
  query,
  children,
  loadingLabel,
  rows,
}: {
  query: { data: T | undefined; error: unknown; isPending: boolean; refetch: () => unknown };
  children: (data: T) => ReactNode;
  loadingLabel?: string;
  rows?: number;
}) {
  if (query.data !== undefined) return <>{children(query.data)}</>;
  if (query.error) return <ErrorNotice error={query.error} onRetry={() => void query.refetch()} />;
  return <Loading label={loadingLabel} rows={rows} />;
}

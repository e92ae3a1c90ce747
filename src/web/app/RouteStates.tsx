// What a route shows while its code loads, when it fails, and when nothing matches.
import { useQueryErrorResetBoundary } from '@tanstack/react-query';
import { Link, useRouter, type ErrorComponentProps } from '@tanstack/react-router';
import { useEffect } from 'react';
import { Loading } from '../ui/feedback';
import { Page } from '../ui/layout';
import { buttonClass } from '../ui/button';
import { errorCategory, userMessage } from '../lib/errors';

export function RoutePending() {
  return (
    <div className="mx-auto w-full max-w-6xl px-4 py-6 sm:px-6">
      <Loading label="Loading the page…" />
    </div>
  );
}

/** Never a blank page: says what failed and offers to try again. */
export function RouteError({ error, reset }: ErrorComponentProps) {
  const router = useRouter();
  const queryReset = useQueryErrorResetBoundary();
  useEffect(() => {
    queryReset.reset();
  }, [queryReset]);
  const category = errorCategory(error);
  const chunkFailed = error instanceof Error && /dynamically imported module|Importing a module script failed|Failed to fetch/.test(error.message);
  return (
    <Page title={category === 'network' || chunkFailed ? 'You appear to be offline' : 'Something went wrong'}>
      <div role="alert" className="rounded-xl border border-red-200 bg-red-50 p-5 text-red-900">
        <p>{chunkFailed ? 'Part of the app could not be downloaded. Check your connection and try again.' : userMessage(error)}</p>
        <div className="mt-4 flex flex-wrap gap-3">
          <button
            type="button"
            className={buttonClass('primary')}
            onClick={() => {
              reset();
              void router.invalidate();
            }}
          >
            Try again
          </button>
          <Link to="/" className={buttonClass('secondary')}>
            Home
          </Link>
        </div>
      </div>
    </Page>
  );
}

export function NotFound() {
  return (
    <Page title="Page not found">
      <p className="text-slate-700">There is no page at this address.</p>
      <p className="mt-4">
        <Link to="/courses" className="font-semibold text-indigo-800 underline">
          Browse the course catalogue
        </Link>
      </p>
    </Page>
  );
}

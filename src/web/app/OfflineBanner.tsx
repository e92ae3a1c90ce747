import { useQueryClient } from '@tanstack/react-query';
import { useOffline } from '../lib/connectivity';

/** Shown while the server cannot be reached; queries and saved changes resume when it can. */
export function OfflineBanner() {
  const offline = useOffline();
  const queryClient = useQueryClient();
  if (!offline) return null;
  return (
    <div role="status" className="border-b border-amber-300 bg-amber-50 px-4 py-2 text-sm text-amber-950">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-2">
        <p>
          <strong>You appear to be offline.</strong> What you see may be out of date; we will catch up when the connection is back.
        </p>
        <button
          type="button"
          className="rounded-md border border-amber-700 px-3 py-1 font-semibold hover:bg-amber-100"
          onClick={() => {
            void queryClient.resumePausedMutations();
            void queryClient.refetchQueries({ type: 'active' });
          }}
        >
          Retry now
        </button>
      </div>
    </div>
  );
}

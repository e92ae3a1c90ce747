// The app's one QueryClient: the SDK already retries what is safe to retry, so queries do not retry
// again; network failures raise the offline notice; refused mutations say why unless they explain
// it themselves (`meta: { handlesErrors: true }`).
import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { toast } from '../ui/toast';
import { connectivity } from './connectivity';
import { isNetworkError, userMessage } from './errors';

declare module '@tanstack/react-query' {
  interface Register {
    queryMeta: { persist?: boolean };
    mutationMeta: { handlesErrors?: boolean };
  }
}

const onSuccess = () => connectivity.reportReachable();

export function createQueryClient(): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({
      onError: (error) => {
        if (isNetworkError(error)) connectivity.reportNetworkFailure();
      },
      onSuccess,
    }),
    mutationCache: new MutationCache({
      onError: (error, _variables, _context, mutation) => {
        if (isNetworkError(error)) connectivity.reportNetworkFailure();
        if (!mutation.meta?.handlesErrors) toast.error(userMessage(error));
      },
      onSuccess,
    }),
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        // Kept a day, so that the persisted cache can show something at once after a reload.
        gcTime: 24 * 60 * 60 * 1000,
        retry: false,
        refetchOnWindowFocus: true,
      },
      mutations: { retry: false },
    },
  });
}

export const queryClient = createQueryClient();

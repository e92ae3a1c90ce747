// The query cache is kept in localStorage across reloads, for the queries that ask for it
// (`meta: { persist: true }`: the catalogue, courses, lessons, the learner's own progress). Nothing
// that identifies other people or the account itself (profile, grades, admin data, messages) is
// written, and the whole cache is dropped at sign-out and whenever a new build is deployed.
import { createSyncStoragePersister } from '@tanstack/query-sync-storage-persister';
import type { PersistQueryClientOptions } from '@tanstack/react-query-persist-client';

const storage = typeof window !== 'undefined' ? window.localStorage : undefined;

export const persister = createSyncStoragePersister({ storage, key: 'skilled.query-cache', throttleTime: 1000 });

export const persistOptions: Omit<PersistQueryClientOptions, 'queryClient'> = {
  persister,
  maxAge: 24 * 60 * 60 * 1000,
  buster: __BUILD_ID__,
  dehydrateOptions: {
    shouldDehydrateQuery: (query) => query.state.status === 'success' && query.meta?.persist === true,
    shouldDehydrateMutation: () => false,
  },
};

export function forgetPersistedCache(): void {
  void persister.removeClient();
}

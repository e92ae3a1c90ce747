// Whether the server can be reached: set by the browser's online/offline events and by requests that
// failed on the network, cleared by the next answer.
import { useSyncExternalStore } from 'react';

let offline = typeof navigator !== 'undefined' ? !navigator.onLine : false;
const listeners = new Set<() => void>();

function set(value: boolean) {
  if (offline === value) return;
  offline = value;
  listeners.forEach((listener) => listener());
}

export const connectivity = {
  reportNetworkFailure: () => set(true),
  // While the browser itself says it is offline, only its `online` event ends it: an answer to a request
  // sent just before the connection dropped must not hide the notice.
  reportReachable: () => {
    if (typeof navigator === 'undefined' || navigator.onLine) set(false);
  },
  subscribe(listener: () => void) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  isOffline: () => offline,
};

if (typeof window !== 'undefined') {
  window.addEventListener('offline', () => set(true));
  window.addEventListener('online', () => set(false));
}

export const useOffline = () => useSyncExternalStore(connectivity.subscribe, connectivity.isOffline);

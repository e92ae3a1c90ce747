// The one SDK client of the app: cookie mode (the session lives in HTTP-only cookies), same origin.
import { ELearningApiClient } from '../../sdk';

type Listener = () => void;
const sessionExpiredListeners = new Set<Listener>();

export const api = new ELearningApiClient({
  onSessionExpired: () => sessionExpiredListeners.forEach((listener) => listener()),
});

/** Called when the server refuses to refresh the session (signed out elsewhere, suspended, expired). */
export function onSessionExpired(listener: Listener): () => void {
  sessionExpiredListeners.add(listener);
  return () => sessionExpiredListeners.delete(listener);
}

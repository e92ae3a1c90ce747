import { useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { MfaDeliveryMethod, MfaVerifyBody, RegisterBody } from '../../../contract/auth';
import { api } from '../../lib/api';
import { forgetPersistedCache } from '../../lib/persist';
import { sessionKeys, sessionQuery } from './queries';

/** A new session starts: nothing cached for a previous visitor may show through to this one. */
async function startSession(queryClient: QueryClient) {
  queryClient.clear();
  forgetPersistedCache();
  await queryClient.fetchQuery(sessionQuery());
}

/** The first step: the password. Answers with the session, or with a second-factor challenge. */
export function useSignIn() {
  const queryClient = useQueryClient();
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn: ({ email, password }: { email: string; password: string }) => api.login(email, password),
    onSuccess: async (result) => {
      if (!result.mfaRequired) await startSession(queryClient);
    },
  });
}

/** The second step of a sign-in with two-step verification. */
export function useVerifyMfaSignIn() {
  const queryClient = useQueryClient();
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn: (body: MfaVerifyBody) => api.verifyMfaSignIn(body),
    onSuccess: () => startSession(queryClient),
  });
}

export function useSendMfaCode() {
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn: ({ challengeId, method }: { challengeId: string; method: MfaDeliveryMethod }) => api.sendMfaSignInCode(challengeId, method),
  });
}

export function useRegister() {
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn: (body: RegisterBody) => api.signUp(body),
  });
}

export function useSignOut() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.signOut(),
    // Signed out here even when the server could not be told.
    onSettled: () => {
      queryClient.clear();
      forgetPersistedCache();
      queryClient.setQueryData(sessionKeys.all, { authenticated: false });
    },
  });
}

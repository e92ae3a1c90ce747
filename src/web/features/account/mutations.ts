// Second factors, sessions, email verification and password reset. Each change of a factor answers
// with the new status, which replaces the cached one.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { MfaStatus } from '../../../sdk';
import type { SmsEnrollBody, TotpDisableBody } from '../../../contract/auth';
import { api } from '../../lib/api';
import { sessionKeys } from '../auth/queries';
import { accountKeys, accountQueries } from './queries';

/** A factor change: its answer carries the new status (and, for the first factor, recovery codes). */
function useFactorChange<V>(change: (variables: V) => Promise<{ status: MfaStatus; recoveryCodes?: string[] }>) {
  const queryClient = useQueryClient();
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn: change,
    onSuccess: (result) => queryClient.setQueryData(accountQueries.mfa().queryKey, result.status),
  });
}

export const useEnrollTotp = () =>
  useMutation({ meta: { handlesErrors: true }, mutationFn: (currentPassword: string) => api.enrollTotp(currentPassword) });
export const useConfirmTotp = () => useFactorChange((code: string) => api.confirmTotp(code));
export const useDisableTotp = () => useFactorChange((body: TotpDisableBody) => api.disableTotp(body));
export const useEnableEmailMfa = () => useFactorChange((currentPassword: string) => api.enableEmailMfa(currentPassword));
export const useDisableEmailMfa = () => useFactorChange((currentPassword: string) => api.disableEmailMfa(currentPassword));
export const useConfirmSms = () => useFactorChange((code: string) => api.confirmSms(code));
export const useDisableSms = () => useFactorChange((currentPassword: string) => api.disableSms(currentPassword));

export function useEnrollSms() {
  const queryClient = useQueryClient();
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn: (body: SmsEnrollBody) => api.enrollSms(body),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: accountKeys.mfa() }),
  });
}

export function useRegenerateRecoveryCodes() {
  const queryClient = useQueryClient();
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn: (currentPassword: string) => api.regenerateRecoveryCodes(currentPassword),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: accountKeys.mfa() }),
  });
}

/** Ends one session: it disappears from the list at once, and comes back if the server refuses. */
export function useRevokeSession() {
  const queryClient = useQueryClient();
  const key = accountQueries.sessions().queryKey;
  return useMutation({
    mutationFn: (sessionId: string) => api.revokeSession(sessionId),
    onMutate: async (sessionId) => {
      await queryClient.cancelQueries({ queryKey: key });
      const previous = queryClient.getQueryData(key);
      if (previous) queryClient.setQueryData(key, previous.filter((s) => s.sessionId !== sessionId));
      return { previous };
    },
    onError: (_error, _id, context) => {
      if (context?.previous) queryClient.setQueryData(key, context.previous);
    },
    onSettled: () => void queryClient.invalidateQueries({ queryKey: key }),
  });
}

export function useRevokeOtherSessions() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.revokeOtherSessions(),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: accountKeys.sessions() }),
  });
}

export function useVerifyEmail() {
  const queryClient = useQueryClient();
  return useMutation({
    meta: { handlesErrors: true },
    mutationFn: (proof: { code: string } | { token: string }) => api.verifyEmail(proof),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: sessionKeys.all });
      void queryClient.invalidateQueries({ queryKey: accountKeys.mfa() });
    },
  });
}

export const useResendVerification = () => useMutation({ meta: { handlesErrors: true }, mutationFn: () => api.resendVerificationEmail() });
export const useForgotPassword = () => useMutation({ meta: { handlesErrors: true }, mutationFn: (email: string) => api.forgotPassword({ email }) });
export const useResetPassword = () =>
  useMutation({ meta: { handlesErrors: true }, mutationFn: (body: { token: string; newPassword: string }) => api.resetPassword(body) });

import { getRouteApi, Link, useRouter } from '@tanstack/react-router';
import { useEffect, useState, type FormEvent } from 'react';
import { errorCode, fieldErrors, userMessage } from '../../../lib/errors';
import { Button } from '../../../ui/button';
import { FormError, TextField } from '../../../ui/fields';
import { Page } from '../../../ui/layout';
import { useSignIn } from '../mutations';
import type { MfaChallenge, UserRole } from '../../../../sdk';
import { homeFor, safeRedirect, useSession } from '../queries';
import { MfaStep } from './MfaStep';

const route = getRouteApi('/signin');

export function SignInPage() {
  const { redirect, reason } = route.useSearch();
  const router = useRouter();
  const { user } = useSession();
  const signIn = useSignIn();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const target = safeRedirect(redirect);

  useEffect(() => {
    if (user && !signIn.isPending) router.history.replace(target ?? homeFor(user.role));
  }, [user, signIn.isPending, router, target]);

  const [challenge, setChallenge] = useState<MfaChallenge | null>(null);
  const goOn = (role: UserRole | undefined) => router.history.replace(target ?? homeFor(role));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate(
      { email, password },
      { onSuccess: (result) => (result.mfaRequired ? setChallenge(result) : goOn(result.user.role)) },
    );
  };

  const fields = fieldErrors(signIn.error);
  const code = errorCode(signIn.error);
  const formMessage = signIn.error
    ? code === 'INVALID_CREDENTIALS'
      ? 'The email or password is not right.'
      : code === 'ACCOUNT_SUSPENDED'
        ? 'This account is suspended. Contact an administrator.'
        : Object.keys(fields).length === 0
          ? userMessage(signIn.error)
          : null
    : null;

  return (
    <Page title="Sign in">
      <div className="mx-auto max-w-md">
        {reason === 'expired' && (
          <p role="status" className="mb-4 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950">
            Your session has ended. Sign in again to continue where you were.
          </p>
        )}
        {challenge ? (
          <MfaStep
            challenge={challenge}
            onSignedIn={goOn}
            onCancel={() => {
              setChallenge(null);
              signIn.reset();
            }}
          />
        ) : (
        <form onSubmit={submit} className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm" noValidate>
          <FormError message={formMessage} />
          <TextField label="Email" type="email" name="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} error={fields.email} />
          <TextField
            label="Password"
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={fields.password}
          />
          <Button type="submit" busy={signIn.isPending} className="w-full">
            Sign in
          </Button>
          <p className="text-center text-sm">
            <Link to="/forgot-password" className="font-medium text-indigo-800 underline">
              Forgot your password?
            </Link>
          </p>
        </form>
        )}
        <p className="mt-4 text-center text-sm text-slate-700">
          New here?{' '}
          <Link to="/register" search={target ? { redirect: target } : {}} className="font-semibold text-indigo-800 underline">
            Create an account
          </Link>
        </p>
      </div>
    </Page>
  );
}

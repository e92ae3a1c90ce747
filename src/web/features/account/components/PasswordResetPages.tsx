// Forgotten passwords: ask for a link by mail, then choose a new password with the link's token.
import { getRouteApi, Link } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { fieldErrors, userMessage } from '../../../lib/errors';
import { Button, buttonClass } from '../../../ui/button';
import { FormError, TextField } from '../../../ui/fields';
import { Page } from '../../../ui/layout';
import { useForgotPassword, useResetPassword } from '../mutations';

const resetRoute = getRouteApi('/reset-password');

export function ForgotPasswordPage() {
  const forgot = useForgotPassword();
  const [email, setEmail] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    forgot.mutate(email);
  };
  return (
    <Page title="Forgotten password">
      <div className="mx-auto max-w-md rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        {forgot.isSuccess ? (
          <p role="status" className="text-slate-800">
            If an account uses <strong>{email}</strong>, a link to choose a new password is on its way. It works once, for 30 minutes.
          </p>
        ) : (
          <form onSubmit={submit} className="space-y-4" noValidate>
            <p className="text-sm text-slate-700">Enter your email address and we will mail you a link to choose a new password.</p>
            <FormError message={forgot.error ? userMessage(forgot.error) : null} />
            <TextField label="Email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} error={fieldErrors(forgot.error).email} />
            <Button type="submit" busy={forgot.isPending} disabled={!email.trim()} className="w-full">
              Mail me a link
            </Button>
          </form>
        )}
        <p className="mt-4 text-center text-sm">
          <Link to="/signin" className="font-semibold text-indigo-800 underline">
            Back to sign in
          </Link>
        </p>
      </div>
    </Page>
  );
}

export function ResetPasswordPage() {
  const { token } = resetRoute.useSearch();
  const reset = useResetPassword();
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const mismatch = again.length > 0 && again !== password;
  const errors = fieldErrors(reset.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!token || mismatch) return;
    reset.mutate({ token, newPassword: password });
  };
  return (
    <Page title="Choose a new password">
      <div className="mx-auto max-w-md rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        {!token ? (
          <p className="text-slate-800">
            This link is incomplete. <Link to="/forgot-password" className="font-semibold text-indigo-800 underline">Ask for a new one</Link>.
          </p>
        ) : reset.isSuccess ? (
          <div role="status" className="space-y-4">
            <p>Your password is changed, and you were signed out everywhere.</p>
            <Link to="/signin" className={buttonClass('primary', 'w-full')}>
              Sign in
            </Link>
          </div>
        ) : (
          <form onSubmit={submit} className="space-y-4" noValidate>
            <FormError message={reset.error && !errors.newPassword ? `${userMessage(reset.error)} You can ask for a new link.` : null} />
            <TextField label="New password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} hint="At least 8 characters" error={errors.newPassword} />
            <TextField label="The same again" type="password" autoComplete="new-password" value={again} onChange={(e) => setAgain(e.target.value)} error={mismatch ? 'The two passwords differ' : undefined} />
            <Button type="submit" busy={reset.isPending} disabled={!password || mismatch} className="w-full">
              Change password
            </Button>
          </form>
        )}
      </div>
    </Page>
  );
}

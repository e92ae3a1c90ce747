import { getRouteApi, Link } from '@tanstack/react-router';
import { useEffect } from 'react';
import { userMessage } from '../../../lib/errors';
import { Loading } from '../../../ui/feedback';
import { Page } from '../../../ui/layout';
import { useVerifyEmail } from '../mutations';

const route = getRouteApi('/verify-email');

/** Where the verification mail's link lands: the token is checked at once. */
export function VerifyEmailPage() {
  const { token } = route.useSearch();
  const verify = useVerifyEmail();
  const { mutate } = verify;
  useEffect(() => {
    if (token) mutate({ token });
  }, [token, mutate]);
  return (
    <Page title="Email verification">
      <div className="mx-auto max-w-md rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        {!token ? (
          <p>This link is incomplete.</p>
        ) : verify.isSuccess ? (
          <p role="status">Your email address {verify.data.email} is verified. Thank you.</p>
        ) : verify.error ? (
          <p role="alert" className="text-red-800">
            {userMessage(verify.error)} Sign in and ask for a new code from the security settings.
          </p>
        ) : (
          <Loading rows={1} label="Checking the link…" />
        )}
        <p className="mt-4 text-sm">
          <Link to="/" className="font-semibold text-indigo-800 underline">
            Continue to skillEd
          </Link>
        </p>
      </div>
    </Page>
  );
}

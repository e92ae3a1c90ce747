// Account security: the email address's verification, two-step sign-in (authenticator app, mailed
// or texted codes, recovery codes) and the signed-in sessions.
import { useQuery } from '@tanstack/react-query';
import { useRouter } from '@tanstack/react-router';
import { useState, type FormEvent, type ReactNode } from 'react';
import type { MfaStatus } from '../../../../sdk';
import { fieldErrors, userMessage } from '../../../lib/errors';
import { formatDateTime, formatRelative } from '../../../lib/format';
import { Button } from '../../../ui/button';
import { QueryState } from '../../../ui/feedback';
import { FormError, TextField } from '../../../ui/fields';
import { Card, Page, Pill } from '../../../ui/layout';
import { toast } from '../../../ui/toast';
import { useSignOut } from '../../auth/mutations';
import { useSession } from '../../auth/queries';
import {
  useConfirmSms,
  useConfirmTotp,
  useDisableEmailMfa,
  useDisableSms,
  useDisableTotp,
  useEnableEmailMfa,
  useEnrollSms,
  useEnrollTotp,
  useRegenerateRecoveryCodes,
  useResendVerification,
  useRevokeOtherSessions,
  useRevokeSession,
  useVerifyEmail,
} from '../mutations';
import { accountQueries } from '../queries';

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  return (
    <div role="alert" className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-amber-950">
      <p className="font-semibold">Your recovery codes</p>
      <p className="text-sm">Each one signs you in once if you lose your phone. They are shown only now: keep them somewhere safe.</p>
      <ul className="my-3 grid grid-cols-2 gap-1 font-mono text-sm" aria-label="Recovery codes">
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ul>
      <Button variant="secondary" onClick={onDone}>
        I have saved them
      </Button>
    </div>
  );
}

/** A small form asking for the password (and more fields) before a sensitive change. */
function ConfirmForm({ label, busy, error, onSubmit, children, danger }: { label: string; busy: boolean; error: unknown; onSubmit: (password: string) => void; children?: ReactNode; danger?: boolean }) {
  const [password, setPassword] = useState('');
  const errors = fieldErrors(error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit(password);
  };
  return (
    <form onSubmit={submit} className="mt-3 flex flex-wrap items-end gap-3" noValidate>
      <TextField
        label="Current password"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={errors.currentPassword ?? (error && (error as { code?: string }).code === 'WRONG_PASSWORD' ? 'This is not your password' : undefined)}
      />
      {children}
      <Button type="submit" variant={danger ? 'danger' : 'primary'} busy={busy} disabled={!password}>
        {label}
      </Button>
    </form>
  );
}

function AuthenticatorApp({ status, onCodes }: { status: MfaStatus; onCodes: (codes: string[]) => void }) {
  const enroll = useEnrollTotp();
  const confirm = useConfirmTotp();
  const disable = useDisableTotp();
  const [code, setCode] = useState('');
  const [disableCode, setDisableCode] = useState('');
  const setup = enroll.data;
  if (status.totp.enabled) {
    return (
      <div>
        <p className="flex items-center gap-2">
          <Pill tone="success">On</Pill> Codes from your authenticator app.
        </p>
        <FormError message={disable.error ? userMessage(disable.error) : null} />
        <ConfirmForm label="Turn off" danger busy={disable.isPending} error={disable.error} onSubmit={(currentPassword) => disable.mutate({ currentPassword, code: disableCode }, { onSuccess: () => toast.success('Authenticator app turned off.') })}>
          <TextField label="A code from the app" inputMode="numeric" autoComplete="one-time-code" value={disableCode} onChange={(e) => setDisableCode(e.target.value)} className="w-40" />
        </ConfirmForm>
      </div>
    );
  }
  if (setup) {
    return (
      <div className="space-y-3">
        <p className="text-sm text-slate-700">Scan this code with your authenticator app, or type the key into it. Then enter the 6-digit code it shows.</p>
        <div className="flex flex-wrap items-center gap-4">
          <img src={setup.qrCode} alt="QR code to add skillEd to an authenticator app" width={160} height={160} className="rounded border border-slate-200" />
          <p className="text-sm">
            Key: <code data-testid="totp-secret" className="break-all rounded bg-slate-100 px-2 py-1 font-mono">{setup.secret}</code>
          </p>
        </div>
        <form
          className="flex flex-wrap items-end gap-3"
          onSubmit={(event) => {
            event.preventDefault();
            confirm.mutate(code, {
              onSuccess: (result) => {
                toast.success('Two-step sign-in is on.');
                enroll.reset();
                if (result.recoveryCodes) onCodes(result.recoveryCodes);
              },
            });
          }}
        >
          <TextField
            label="6-digit code"
            inputMode="numeric"
            autoComplete="one-time-code"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            error={confirm.error ? (fieldErrors(confirm.error).code ?? userMessage(confirm.error)) : undefined}
            className="w-40"
          />
          <Button type="submit" busy={confirm.isPending} disabled={code.trim().length !== 6}>
            Turn on
          </Button>
        </form>
      </div>
    );
  }
  return (
    <div>
      <p className="text-sm text-slate-700">Use an app such as an authenticator on your phone to get a new code every 30 seconds.</p>
      <FormError message={enroll.error && !Object.keys(fieldErrors(enroll.error)).length && (enroll.error as { code?: string }).code !== 'WRONG_PASSWORD' ? userMessage(enroll.error) : null} />
      <ConfirmForm label="Set up the app" busy={enroll.isPending} error={enroll.error} onSubmit={(password) => enroll.mutate(password)} />
    </div>
  );
}

function EmailCodes({ status, onCodes }: { status: MfaStatus; onCodes: (codes: string[]) => void }) {
  const enable = useEnableEmailMfa();
  const disable = useDisableEmailMfa();
  if (!status.email.available) return <p className="text-sm text-slate-700">Verify your email address first to receive sign-in codes by mail.</p>;
  return status.email.enabled ? (
    <div>
      <p className="flex items-center gap-2">
        <Pill tone="success">On</Pill> A code is mailed to you when you sign in.
      </p>
      <ConfirmForm label="Turn off" danger busy={disable.isPending} error={disable.error} onSubmit={(password) => disable.mutate(password, { onSuccess: () => toast.success('Mailed codes turned off.') })} />
    </div>
  ) : (
    <ConfirmForm
      label="Mail me codes"
      busy={enable.isPending}
      error={enable.error}
      onSubmit={(password) =>
        enable.mutate(password, {
          onSuccess: (result) => {
            toast.success('Mailed codes are on.');
            if (result.recoveryCodes) onCodes(result.recoveryCodes);
          },
        })
      }
    />
  );
}

function TextedCodes({ status, onCodes }: { status: MfaStatus; onCodes: (codes: string[]) => void }) {
  const enroll = useEnrollSms();
  const confirm = useConfirmSms();
  const disable = useDisableSms();
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  if (status.sms.enabled) {
    return (
      <div>
        <p className="flex items-center gap-2">
          <Pill tone="success">On</Pill> Codes texted to {status.sms.phoneNumber}.
        </p>
        <ConfirmForm label="Turn off" danger busy={disable.isPending} error={disable.error} onSubmit={(password) => disable.mutate(password, { onSuccess: () => toast.success('Texted codes turned off.') })} />
      </div>
    );
  }
  if (status.sms.verificationPending) {
    return (
      <form
        className="flex flex-wrap items-end gap-3"
        onSubmit={(event) => {
          event.preventDefault();
          confirm.mutate(code, {
            onSuccess: (result) => {
              toast.success('Texted codes are on.');
              if (result.recoveryCodes) onCodes(result.recoveryCodes);
            },
          });
        }}
      >
        <TextField label={`Code sent to ${status.sms.phoneNumber ?? 'your phone'}`} inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} error={confirm.error ? userMessage(confirm.error) : undefined} />
        <Button type="submit" busy={confirm.isPending}>
          Confirm
        </Button>
      </form>
    );
  }
  return (
    <ConfirmForm label="Text me codes" busy={enroll.isPending} error={enroll.error} onSubmit={(currentPassword) => enroll.mutate({ currentPassword, phoneNumber: phone }, { onSuccess: (sent) => toast.info(`A code was sent to ${sent.sentTo}.`) })}>
      <TextField label="Phone number" type="tel" autoComplete="tel" placeholder="+14155550100" value={phone} onChange={(e) => setPhone(e.target.value)} error={fieldErrors(enroll.error).phoneNumber} />
    </ConfirmForm>
  );
}

function TwoStepCard() {
  const status = useQuery(accountQueries.mfa());
  const regenerate = useRegenerateRecoveryCodes();
  const [codes, setCodes] = useState<string[] | null>(null);
  return (
    <Card title="Two-step sign-in">
      <QueryState query={status} loadingLabel="Loading two-step sign-in…">
        {(mfa) => (
          <div className="space-y-6">
            <p className="text-sm text-slate-700">
              {mfa.enabled ? 'On: signing in asks for a code as well as your password.' : 'Off: add a second step to protect your account.'}
            </p>
            {codes && <RecoveryCodes codes={codes} onDone={() => setCodes(null)} />}
            <section aria-labelledby="mfa-app">
              <h3 id="mfa-app" className="mb-1 font-semibold">Authenticator app</h3>
              <AuthenticatorApp status={mfa} onCodes={setCodes} />
            </section>
            <section aria-labelledby="mfa-email">
              <h3 id="mfa-email" className="mb-1 font-semibold">Codes by mail</h3>
              <EmailCodes status={mfa} onCodes={setCodes} />
            </section>
            <section aria-labelledby="mfa-sms">
              <h3 id="mfa-sms" className="mb-1 font-semibold">Codes by text message</h3>
              <TextedCodes status={mfa} onCodes={setCodes} />
            </section>
            {mfa.enabled && (
              <section aria-labelledby="mfa-recovery">
                <h3 id="mfa-recovery" className="mb-1 font-semibold">Recovery codes</h3>
                <p className="text-sm text-slate-700">{mfa.recoveryCodesRemaining} left.</p>
                <ConfirmForm label="Make new codes" busy={regenerate.isPending} error={regenerate.error} onSubmit={(password) => regenerate.mutate(password, { onSuccess: setCodes })} />
              </section>
            )}
          </div>
        )}
      </QueryState>
    </Card>
  );
}

function SessionsCard() {
  const sessions = useQuery(accountQueries.sessions());
  const revoke = useRevokeSession();
  const revokeOthers = useRevokeOtherSessions();
  const signOut = useSignOut();
  const router = useRouter();
  return (
    <Card
      title="Where you are signed in"
      actions={
        <Button variant="secondary" busy={revokeOthers.isPending} onClick={() => revokeOthers.mutate(undefined, { onSuccess: (r) => toast.success(`Signed out of ${r.revoked} other session${r.revoked === 1 ? '' : 's'}.`) })}>
          Sign out everywhere else
        </Button>
      }
    >
      <QueryState query={sessions} loadingLabel="Loading sessions…">
        {(list) => (
          <ul className="divide-y divide-slate-200">
            {list.map((s) => (
              <li key={s.sessionId} className="flex flex-wrap items-center justify-between gap-3 py-3">
                <div>
                  <p className="font-medium text-slate-900">
                    {s.device} {s.current && <Pill tone="success">This browser</Pill>}
                  </p>
                  <p className="text-sm text-slate-700">
                    {s.ipAddress} · signed in {formatDateTime(s.createdAt)} · last active {formatRelative(s.lastUsedAt)}
                  </p>
                </div>
                <Button
                  variant="ghost"
                  onClick={() =>
                    s.current
                      ? signOut.mutate(undefined, { onSettled: () => void router.navigate({ to: '/signin' }) })
                      : revoke.mutate(s.sessionId, { onSuccess: () => toast.success('That session is signed out.') })
                  }
                  aria-label={s.current ? 'Sign out of this browser' : `Sign out ${s.device}`}
                >
                  Sign out
                </Button>
              </li>
            ))}
          </ul>
        )}
      </QueryState>
    </Card>
  );
}

function EmailVerificationCard() {
  const resend = useResendVerification();
  const verify = useVerifyEmail();
  const [code, setCode] = useState('');
  return (
    <Card title="Verify your email address">
      <p className="text-sm text-slate-700">We mailed you a 6-digit code when you registered. Enter it here, or ask for a new one.</p>
      <FormError message={verify.error ? userMessage(verify.error) : resend.error ? userMessage(resend.error) : null} />
      <form
        className="mt-3 flex flex-wrap items-end gap-3"
        onSubmit={(event) => {
          event.preventDefault();
          verify.mutate({ code }, { onSuccess: () => toast.success('Your email address is verified.') });
        }}
      >
        <TextField label="Code" inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} className="w-40" />
        <Button type="submit" busy={verify.isPending} disabled={code.trim().length !== 6}>
          Verify
        </Button>
        <Button variant="ghost" busy={resend.isPending} onClick={() => resend.mutate(undefined, { onSuccess: (sent) => toast.info(`A new code was sent to ${sent.sentTo}.`) })}>
          Send a new code
        </Button>
      </form>
    </Card>
  );
}

export function SecurityPage() {
  const { user } = useSession();
  const verified = (user as { emailVerified?: boolean } | null)?.emailVerified !== false;
  return (
    <Page title="Security">
      <div className="grid gap-6 lg:grid-cols-2">
        <div className="space-y-6">
          {!verified && <EmailVerificationCard />}
          <TwoStepCard />
        </div>
        <SessionsCard />
      </div>
    </Page>
  );
}

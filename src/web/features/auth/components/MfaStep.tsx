// The second step of signing in: a code from the authenticator app, a mailed or texted code, or a
// recovery code.
import { useState, type FormEvent } from 'react';
import type { MfaChallenge, MfaMethod, UserRole } from '../../../../sdk';
import { userMessage } from '../../../lib/errors';
import { Button } from '../../../ui/button';
import { FormError, TextField } from '../../../ui/fields';
import { toast } from '../../../ui/toast';
import { useSendMfaCode, useVerifyMfaSignIn } from '../mutations';

const methodLabels: Record<MfaMethod, string> = {
  totp: 'Authenticator app',
  email: 'Code by mail',
  sms: 'Code by text message',
  recovery: 'Recovery code',
};

export function MfaStep({ challenge, onSignedIn, onCancel }: { challenge: MfaChallenge; onSignedIn: (role: UserRole) => void; onCancel: () => void }) {
  const [method, setMethod] = useState<MfaMethod>(challenge.methods[0] ?? 'totp');
  const [code, setCode] = useState('');
  const verify = useVerifyMfaSignIn();
  const send = useSendMfaCode();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    verify.mutate({ challengeId: challenge.challengeId, method, code: code.trim() }, { onSuccess: (tokens) => onSignedIn(tokens.user.role) });
  };
  const delivered = method === 'email' || method === 'sms';
  return (
    <form onSubmit={submit} className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm" noValidate>
      <h2 className="text-lg font-semibold text-slate-900">Two-step verification</h2>
      <FormError message={verify.error ? userMessage(verify.error) : send.error ? userMessage(send.error) : null} />
      {challenge.methods.length > 1 && (
        <fieldset>
          <legend className="mb-1 text-sm font-medium text-slate-800">How do you want to confirm?</legend>
          <div className="space-y-1">
            {challenge.methods.map((m) => (
              <label key={m} className="flex items-center gap-2 text-sm">
                <input type="radio" name="mfa-method" checked={method === m} onChange={() => setMethod(m)} className="h-4 w-4 accent-indigo-700" />
                {methodLabels[m]}
              </label>
            ))}
          </div>
        </fieldset>
      )}
      {delivered && (
        <Button
          variant="secondary"
          busy={send.isPending}
          onClick={() => send.mutate({ challengeId: challenge.challengeId, method }, { onSuccess: (sent) => toast.info(`A code was sent to ${sent.sentTo}.`) })}
        >
          Send me a code
        </Button>
      )}
      <TextField
        label={method === 'recovery' ? 'Recovery code' : '6-digit code'}
        inputMode={method === 'recovery' ? 'text' : 'numeric'}
        autoComplete="one-time-code"
        value={code}
        onChange={(e) => setCode(e.target.value)}
        autoFocus
      />
      <div className="flex gap-2">
        <Button type="submit" busy={verify.isPending} disabled={!code.trim()} className="flex-1">
          Verify and sign in
        </Button>
        <Button variant="ghost" onClick={onCancel}>
          Back
        </Button>
      </div>
    </form>
  );
}

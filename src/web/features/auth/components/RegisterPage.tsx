import { getRouteApi, Link, useRouter } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import type { StudyTime } from '../../../../sdk';
import { fieldErrors, userMessage } from '../../../lib/errors';
import { STUDY_TIMES } from '../../../lib/enums';
import { humanize } from '../../../lib/format';
import { Button } from '../../../ui/button';
import { FormError, SelectField, TextField } from '../../../ui/fields';
import { Page } from '../../../ui/layout';
import { useRegister, useSignIn } from '../mutations';
import { homeFor, safeRedirect } from '../queries';

const route = getRouteApi('/register');

export function RegisterPage() {
  const { redirect } = route.useSearch();
  const router = useRouter();
  const register = useRegister();
  const signIn = useSignIn();
  const [form, setForm] = useState({
    firstName: '',
    lastName: '',
    username: '',
    email: '',
    password: '',
    role: 'student' as 'student' | 'instructor',
    preferredStudyTime: 'evening' as StudyTime,
  });
  const set = (key: keyof typeof form) => (event: { target: { value: string } }) => setForm((current) => ({ ...current, [key]: event.target.value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    register.mutate(form, {
      onSuccess: () =>
        signIn.mutate(
          { email: form.email, password: form.password },
          { onSuccess: (result) => router.history.replace(safeRedirect(redirect) ?? homeFor(result.mfaRequired ? undefined : result.user.role)) },
        ),
    });
  };

  const fields = fieldErrors(register.error);
  const busy = register.isPending || signIn.isPending;
  const formMessage = register.error && Object.keys(fields).length === 0 ? userMessage(register.error) : signIn.error ? userMessage(signIn.error) : null;

  return (
    <Page title="Create your account">
      <form onSubmit={submit} className="mx-auto max-w-xl space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm" noValidate>
        <FormError message={formMessage} />
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField label="First name" name="firstName" autoComplete="given-name" required value={form.firstName} onChange={set('firstName')} error={fields.firstName} />
          <TextField label="Last name" name="lastName" autoComplete="family-name" required value={form.lastName} onChange={set('lastName')} error={fields.lastName} />
        </div>
        <TextField
          label="Username"
          name="username"
          autoComplete="username"
          required
          value={form.username}
          onChange={set('username')}
          hint="3 to 30 letters, digits, _ . or -"
          error={fields.username}
        />
        <TextField label="Email" type="email" name="email" autoComplete="email" required value={form.email} onChange={set('email')} error={fields.email} />
        <TextField
          label="Password"
          type="password"
          name="password"
          autoComplete="new-password"
          required
          value={form.password}
          onChange={set('password')}
          hint="At least 8 characters"
          error={fields.password}
        />
        <div className="grid gap-4 sm:grid-cols-2">
          <SelectField
            label="I want to"
            name="role"
            value={form.role}
            onChange={set('role')}
            options={[
              { value: 'student', label: 'Learn (student)' },
              { value: 'instructor', label: 'Teach (instructor)' },
            ]}
            error={fields.role}
          />
          <SelectField
            label="Preferred study time"
            name="preferredStudyTime"
            value={form.preferredStudyTime}
            onChange={set('preferredStudyTime')}
            options={STUDY_TIMES.map((time) => ({ value: time, label: humanize(time) }))}
          />
        </div>
        <Button type="submit" busy={busy} className="w-full">
          Create account
        </Button>
        <p className="text-center text-sm text-slate-700">
          Already have an account?{' '}
          <Link to="/signin" className="font-semibold text-indigo-800 underline">
            Sign in
          </Link>
        </p>
      </form>
    </Page>
  );
}

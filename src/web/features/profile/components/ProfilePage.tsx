// The spec's ProfileForm and LearningPreferences: the account's details, its password, and how the
// person likes to learn.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { StudyTime, UserProfile } from '../../../../sdk';
import { api } from '../../../lib/api';
import { fieldErrors, userMessage } from '../../../lib/errors';
import { STUDY_TIMES } from '../../../lib/enums';
import { formatDate, humanize } from '../../../lib/format';
import { Link } from '@tanstack/react-router';
import { Button, buttonClass } from '../../../ui/button';
import { CheckboxField, FormError, SelectField, TextField } from '../../../ui/fields';
import { QueryState } from '../../../ui/feedback';
import { Card, Page, Stat } from '../../../ui/layout';
import { toast } from '../../../ui/toast';
import { useCurrentUser } from '../../auth/queries';
import { useUpdatePreferences, useUpdateProfile } from '../mutations';
import { profileQueries } from '../queries';

function UsernameHint({ username, current }: { username: string; current: string }) {
  const [state, setState] = useState<'idle' | 'checking' | 'available' | 'taken'>('idle');
  useEffect(() => {
    if (username === current || username.length < 3) return setState('idle');
    setState('checking');
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api
        .checkUsername(username, { signal: controller.signal })
        .then((result) => setState(result.available ? 'available' : 'taken'))
        .catch(() => setState('idle'));
    }, 400);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [username, current]);
  if (state === 'idle') return null;
  return (
    <span aria-live="polite" className={state === 'taken' ? 'font-medium text-red-700' : 'text-slate-700'}>
      {state === 'checking' ? 'Checking…' : state === 'available' ? '✓ Available' : 'Already taken'}
    </span>
  );
}

function ProfileForm({ profile }: { profile: UserProfile }) {
  const update = useUpdateProfile(profile.id);
  const [form, setForm] = useState({
    firstName: profile.firstName,
    lastName: profile.lastName,
    username: profile.username,
    email: profile.email ?? '',
  });
  const set = (key: keyof typeof form) => (event: { target: { value: string } }) => setForm((current) => ({ ...current, [key]: event.target.value }));
  const fields = fieldErrors(update.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const changes = Object.fromEntries(
      Object.entries(form).filter(([key, value]) => value !== (profile as unknown as Record<string, unknown>)[key]),
    );
    if (Object.keys(changes).length === 0) return toast.info('Nothing to save.');
    update.mutate(changes, { onSuccess: () => toast.success('Profile saved.') });
  };
  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      <FormError message={update.error ? (Object.keys(fields).length ? 'The profile was not saved: see the fields below.' : `The profile was not saved: ${userMessage(update.error)}`) : null} />
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField label="First name" autoComplete="given-name" value={form.firstName} onChange={set('firstName')} error={fields.firstName} />
        <TextField label="Last name" autoComplete="family-name" value={form.lastName} onChange={set('lastName')} error={fields.lastName} />
      </div>
      <TextField
        label="Username"
        autoComplete="username"
        value={form.username}
        onChange={set('username')}
        error={fields.username}
        hint={<UsernameHint username={form.username} current={profile.username} />}
      />
      <TextField label="Email" type="email" autoComplete="email" value={form.email} onChange={set('email')} error={fields.email} />
      <Button type="submit" busy={update.isPending}>
        Save profile
      </Button>
    </form>
  );
}

function PasswordForm({ userId }: { userId: string }) {
  const update = useUpdateProfile(userId);
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const fields = fieldErrors(update.error);
  const wrong = update.error && (update.error as { code?: string }).code === 'WRONG_PASSWORD';
  const submit = (event: FormEvent) => {
    event.preventDefault();
    update.mutate(
      { currentPassword, newPassword },
      {
        onSuccess: () => {
          toast.success('Password changed. Your other sessions were signed out.');
          setCurrent('');
          setNew('');
        },
      },
    );
  };
  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      <FormError message={update.error && !wrong && !Object.keys(fields).length ? userMessage(update.error) : null} />
      <TextField
        label="Current password"
        type="password"
        autoComplete="current-password"
        value={currentPassword}
        onChange={(e) => setCurrent(e.target.value)}
        error={wrong ? 'This is not your current password' : fields.currentPassword}
      />
      <TextField
        label="New password"
        type="password"
        autoComplete="new-password"
        value={newPassword}
        onChange={(e) => setNew(e.target.value)}
        hint="At least 8 characters"
        error={fields.newPassword}
      />
      <Button type="submit" variant="secondary" busy={update.isPending} disabled={!currentPassword || !newPassword}>
        Change password
      </Button>
    </form>
  );
}

function LearningPreferences({ profile }: { profile: UserProfile }) {
  const update = useUpdatePreferences(profile.id);
  const [goal, setGoal] = useState(String(profile.weeklyLearningGoal ?? 0));
  const fields = fieldErrors(update.error);
  const save = (changes: { notificationPreference?: boolean; preferredStudyTime?: StudyTime; weeklyLearningGoal?: number }, message: string) =>
    update.mutate(changes, { onSuccess: () => toast.success(message) });
  return (
    <div className="space-y-5">
      <FormError message={update.error && !Object.keys(fields).length ? `Not saved: ${userMessage(update.error)}` : null} />
      <CheckboxField
        label="Email me about my courses"
        hint="Grades, announcements and reminders."
        checked={profile.notificationPreference ?? false}
        onChange={(event) => save({ notificationPreference: event.target.checked }, 'Notification preference saved.')}
      />
      <SelectField
        label="Preferred study time"
        value={profile.preferredStudyTime ?? 'evening'}
        onChange={(event) => save({ preferredStudyTime: event.target.value as StudyTime }, 'Study time saved.')}
        options={STUDY_TIMES.map((time) => ({ value: time, label: humanize(time) }))}
        error={fields.preferredStudyTime}
      />
      <form
        className="flex flex-wrap items-end gap-3"
        onSubmit={(event) => {
          event.preventDefault();
          save({ weeklyLearningGoal: Number(goal) }, 'Weekly goal saved.');
        }}
      >
        <TextField
          label="Weekly learning goal (minutes)"
          type="number"
          min={0}
          max={10080}
          inputMode="numeric"
          value={goal}
          onChange={(event) => setGoal(event.target.value)}
          error={fields.weeklyLearningGoal}
          className="w-60"
        />
        <Button type="submit" variant="secondary" busy={update.isPending}>
          Save goal
        </Button>
      </form>
    </div>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return <Card title={title}>{children}</Card>;
}

export function ProfilePage() {
  const user = useCurrentUser();
  const query = useQuery(profileQueries.detail(user.id));
  return (
    <Page
      title="Your profile"
      actions={
        <>
          <Link to="/settings/security" className={buttonClass('secondary')}>
            Security and sessions
          </Link>
          <Link to="/settings/notifications" className={buttonClass('secondary')}>
            Notification settings
          </Link>
        </>
      }
    >
      <QueryState query={query} loadingLabel="Loading your profile…">
        {(profile) => (
          <div className="grid gap-6 lg:grid-cols-2">
            <Section title="Profile">
              <ProfileForm profile={profile} />
            </Section>
            <div className="space-y-6">
              <Section title="Learning preferences">
                <LearningPreferences profile={profile} />
              </Section>
              <Section title="Password">
                <PasswordForm userId={profile.id} />
              </Section>
            </div>
            <Section title="At a glance">
              <div className="grid grid-cols-2 gap-2 sm:grid-cols-3">
                <Stat label="Courses" value={profile.statistics.totalCourses} />
                <Stat label="Completed" value={profile.statistics.completedCourses} />
                <Stat label="Lessons" value={profile.statistics.totalLessonsCompleted} />
                <Stat label="Badges" value={profile.statistics.totalAchievements} />
                <Stat label="Streak" value={`${profile.currentStreak} d`} />
                <Stat label="Member since" value={formatDate(profile.createdAt)} />
              </div>
            </Section>
          </div>
        )}
      </QueryState>
    </Page>
  );
}

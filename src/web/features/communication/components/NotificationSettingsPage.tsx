import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import type { EmailDigest, NotificationType } from '../../../../contract/communication';
import { userMessage } from '../../../lib/errors';
import { humanize } from '../../../lib/format';
import { QueryState } from '../../../ui/feedback';
import { FormError, SelectField } from '../../../ui/fields';
import { Card, Page } from '../../../ui/layout';
import { useUpdateNotificationPreferences } from '../mutations';
import { communicationQueries } from '../queries';

export function NotificationSettingsPage() {
  const query = useQuery(communicationQueries.preferences());
  const update = useUpdateNotificationPreferences();
  return (
    <Page title="Notification settings">
      <QueryState query={query} loadingLabel="Loading your settings…">
        {(preferences) => (
          <Card>
            <FormError message={update.error ? `Not saved: ${userMessage(update.error)}` : null} />
            {!preferences.emailEnabled && (
              <p className="mb-4 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950">
                Mail is off for your account. Turn on “Email me about my courses” in your{' '}
                <Link to="/profile" className="font-semibold underline">
                  profile
                </Link>{' '}
                to receive any.
              </p>
            )}
            <div className="overflow-x-auto">
              <table className="w-full min-w-[28rem] text-left text-sm">
                <caption className="sr-only">How each kind of notification reaches you</caption>
                <thead>
                  <tr className="border-b border-slate-200 text-slate-700">
                    <th scope="col" className="py-2 pr-3">Notification</th>
                    <th scope="col" className="py-2 pr-3 text-center">In the app</th>
                    <th scope="col" className="py-2 text-center">By mail</th>
                  </tr>
                </thead>
                <tbody>
                  {(Object.entries(preferences.types) as [NotificationType, { inApp: boolean; email: boolean }][]).map(([type, channels]) => (
                    <tr key={type} className="border-b border-slate-100">
                      <th scope="row" className="py-2 pr-3 font-normal">
                        {humanize(type)}
                      </th>
                      {(['inApp', 'email'] as const).map((channel) => (
                        <td key={channel} className="py-2 text-center">
                          <input
                            type="checkbox"
                            className="h-4 w-4 accent-indigo-700"
                            aria-label={`${humanize(type)} ${channel === 'inApp' ? 'in the app' : 'by mail'}`}
                            checked={channels[channel]}
                            onChange={(event) => update.mutate({ types: { [type]: { [channel]: event.target.checked } } })}
                          />
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <SelectField
              label="Mail"
              className="mt-4 max-w-xs"
              value={preferences.digest}
              onChange={(event) => update.mutate({ digest: event.target.value as EmailDigest })}
              options={[
                { value: 'off', label: 'One mail per notification' },
                { value: 'daily', label: 'One summary a day' },
              ]}
            />
          </Card>
        )}
      </QueryState>
    </Page>
  );
}

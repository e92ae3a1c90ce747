import { useQuery } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { humanize } from '../../../lib/format';
import { compact } from '../../../lib/search';
import { Button } from '../../../ui/button';
import { BarChart, HorizontalBars, LineChart } from '../../../ui/charts';
import { QueryState } from '../../../ui/feedback';
import { TextField } from '../../../ui/fields';
import { Card, Page, Stat } from '../../../ui/layout';
import { adminQueries } from '../queries';

const route = getRouteApi('/authed/admin-only/admin');
const shortDate = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });

export function AdminAnalyticsPage() {
  const range = route.useSearch();
  const navigate = route.useNavigate();
  const query = useQuery(adminQueries.analytics(range));
  const [from, setFrom] = useState(range.from ?? '');
  const [to, setTo] = useState(range.to ?? '');
  const apply = (event: FormEvent) => {
    event.preventDefault();
    void navigate({ search: compact({ from: from || undefined, to: to || undefined }), replace: true });
  };
  return (
    <Page title="Platform analytics">
      <form onSubmit={apply} className="mb-6 flex flex-wrap items-end gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
        <TextField label="From" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        <TextField label="To" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        <Button type="submit">Show</Button>
        <p className="text-sm text-slate-600">Default: the last 30 days.</p>
      </form>
      <QueryState query={query} loadingLabel="Loading the figures…" rows={4}>
        {(a) => (
          <div className="space-y-6">
            <div className="grid grid-cols-2 gap-3 md:grid-cols-4">
              <Stat label="Users" value={a.users.total} hint={`${a.users.registeredInRange} new in the range`} />
              <Stat label="Active today" value={a.activeUsers.daily} hint={`${a.activeUsers.weekly} this week, ${a.activeUsers.monthly} this month`} />
              <Stat label="Enrolments" value={a.enrollments.enrollments} hint={`${a.enrollments.completions} completions`} />
              <Stat label="Average grade" value={a.grades.overall.averagePercentage === null ? '—' : `${a.grades.overall.averagePercentage}%`} hint={`${a.grades.overall.gradedItems} graded items`} />
            </div>
            <div className="grid gap-6 lg:grid-cols-2">
              <Card title="Enrolments and completions per day">
                <LineChart
                  title="Enrolments and completions per day"
                  labels={a.enrollments.daily.map((d) => shortDate.format(new Date(`${d.date}T00:00:00Z`)))}
                  series={[
                    { name: 'Enrolments', values: a.enrollments.daily.map((d) => d.enrollments), tone: 'indigo' },
                    { name: 'Completions', values: a.enrollments.daily.map((d) => d.completions), tone: 'emerald' },
                  ]}
                />
              </Card>
              <Card title="Users">
                <BarChart
                  title="Users by role and status"
                  data={[
                    { label: 'Students', value: a.users.byRole.student },
                    { label: 'Instructors', value: a.users.byRole.instructor },
                    { label: 'Admins', value: a.users.byRole.admin },
                    { label: 'Suspended', value: a.users.byStatus.suspended },
                  ]}
                />
              </Card>
              <Card title="Completion rate of the busiest courses">
                {a.completionRates.length === 0 ? (
                  <p className="text-sm text-slate-700">No enrolment in this range.</p>
                ) : (
                  <HorizontalBars title="Share of the range's enrolments that completed" data={a.completionRates.slice(0, 10).map((c) => ({ label: c.title, value: c.completionRate }))} />
                )}
              </Card>
              <Card title="Average grade by category">
                <HorizontalBars
                  title="Average grade per category, in percent"
                  data={a.grades.byCategory.filter((c) => c.averagePercentage !== null).map((c) => ({ label: humanize(c.category), value: c.averagePercentage ?? 0 }))}
                />
              </Card>
              <Card title="Top courses by enrolments">
                <ol className="list-decimal space-y-1 pl-5 text-sm">
                  {a.topCourses.byEnrollments.map((c) => (
                    <li key={c.courseId}>
                      {c.title} <span className="text-slate-600">({c.enrollments})</span>
                    </li>
                  ))}
                </ol>
              </Card>
              <Card title="Top courses by rating">
                <ol className="list-decimal space-y-1 pl-5 text-sm">
                  {a.topCourses.byRating.map((c) => (
                    <li key={c.courseId}>
                      {c.title}{' '}
                      <span className="text-slate-600">
                        ({c.averageRating.toFixed(1)} from {c.ratingCount})
                      </span>
                    </li>
                  ))}
                </ol>
              </Card>
            </div>
          </div>
        )}
      </QueryState>
    </Page>
  );
}

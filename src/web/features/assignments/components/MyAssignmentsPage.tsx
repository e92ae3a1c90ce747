import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import type { SubmissionStatus } from '../../../../sdk';
import { SUBMISSION_STATUSES } from '../../../lib/enums';
import { formatDate, humanize } from '../../../lib/format';
import { EmptyState, QueryState } from '../../../ui/feedback';
import { Page, Pill } from '../../../ui/layout';
import { assignmentQueries } from '../queries';
import { statusTone } from './AssignmentPage';

const route = getRouteApi('/authed/assignments');

export function MyAssignmentsPage() {
  const { status } = route.useSearch();
  const query = useQuery(assignmentQueries.mine({ status }));
  return (
    <Page title="Assignments">
      <nav aria-label="Filter by status" className="mb-4 flex flex-wrap gap-2">
        {([undefined, ...SUBMISSION_STATUSES] as (SubmissionStatus | undefined)[]).map((value) => (
          <Link
            key={value ?? 'all'}
            to="/assignments"
            search={value ? { status: value } : {}}
            className="rounded-full border border-slate-300 bg-white px-3 py-1 text-sm font-medium text-slate-800"
            activeOptions={{ includeSearch: true }}
            activeProps={{ className: '!border-indigo-700 !bg-indigo-700 !text-white', 'aria-current': 'page' }}
          >
            {value ? humanize(value) : 'All'}
          </Link>
        ))}
      </nav>
      <QueryState query={query} loadingLabel="Loading assignments…">
        {({ data }) =>
          data.length === 0 ? (
            <EmptyState title="Nothing here">Assignments of the courses you take appear here.</EmptyState>
          ) : (
            <ul className="space-y-3">
              {data.map((item) => (
                <li key={item.assignmentId} className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
                  <div className="flex flex-wrap items-start justify-between gap-2">
                    <div>
                      <Link to="/assignments/$assignmentId" params={{ assignmentId: item.assignmentId }} className="font-semibold text-indigo-800 underline">
                        {item.title}
                      </Link>
                      <p className="text-sm text-slate-700">
                        {item.course.title} · {item.points} points{item.dueDate && ` · due ${formatDate(item.dueDate)}`}
                      </p>
                    </div>
                    {item.view === 'student' ? (
                      <div className="flex items-center gap-2">
                        {item.isLate && <Pill tone="warning">Late</Pill>}
                        <Pill tone={statusTone[item.status]}>{humanize(item.status)}</Pill>
                        {item.grade !== undefined && <span className="font-semibold">{item.grade} pts</span>}
                      </div>
                    ) : (
                      <Pill tone="info">{item.submissionCounts.submitted} to grade</Pill>
                    )}
                  </div>
                </li>
              ))}
            </ul>
          )
        }
      </QueryState>
    </Page>
  );
}

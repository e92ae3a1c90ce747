// Every assignment the instructor manages, those with work waiting first. New submissions arrive
// live: the real-time event marks this list stale and it refetches.
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import type { InstructorAssignmentItem } from '../../../../contract/assignments';
import { formatDate, formatPercent } from '../../../lib/format';
import { EmptyState, QueryState } from '../../../ui/feedback';
import { Page, Pill } from '../../../ui/layout';
import { assignmentQueries } from '../../assignments/queries';

export function GradingQueuePage() {
  const query = useQuery(assignmentQueries.mine({}));
  return (
    <Page title="Grading queue" description="Submissions appear here as students hand them in.">
      <QueryState query={query} loadingLabel="Loading the grading queue…">
        {({ data }) => {
          const items = data.filter((item): item is InstructorAssignmentItem => item.view === 'instructor');
          items.sort((a, b) => b.submissionCounts.submitted - a.submissionCounts.submitted);
          if (items.length === 0) return <EmptyState title="No assignments yet">Create assignments in your courses to grade them here.</EmptyState>;
          return (
            <ul className="space-y-3" aria-label="Assignments to grade">
              {items.map((item) => (
                <li key={item.assignmentId} className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
                  <div className="flex flex-wrap items-center justify-between gap-3">
                    <div className="min-w-0">
                      <Link to="/teach/grading/$assignmentId" params={{ assignmentId: item.assignmentId }} className="font-semibold text-indigo-800 underline">
                        {item.title}
                      </Link>
                      <p className="text-sm text-slate-700">
                        {item.course.title} · {item.points} points{item.dueDate && ` · due ${formatDate(item.dueDate)}`}
                        {item.averageGrade !== undefined && ` · average ${formatPercent((item.averageGrade / (item.points || 1)) * 100)}`}
                      </p>
                    </div>
                    <div className="flex flex-wrap gap-2">
                      <Pill tone={item.submissionCounts.submitted > 0 ? 'warning' : 'neutral'}>{item.submissionCounts.submitted} to grade</Pill>
                      <Pill tone="success">{item.submissionCounts.graded} graded</Pill>
                      <Pill>{item.submissionCounts.not_started + item.submissionCounts.in_progress} not handed in</Pill>
                    </div>
                  </div>
                </li>
              ))}
            </ul>
          );
        }}
      </QueryState>
    </Page>
  );
}

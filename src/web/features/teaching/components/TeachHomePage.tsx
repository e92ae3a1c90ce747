import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { buttonClass } from '../../../ui/button';
import { EmptyState, QueryState } from '../../../ui/feedback';
import { Card, Page, Pill } from '../../../ui/layout';
import { humanize } from '../../../lib/format';
import { assignmentQueries } from '../../assignments/queries';
import { useCurrentUser } from '../../auth/queries';
import { courseQueries } from '../../courses/queries';
import { Stars } from '../../courses/components/Stars';

export function TeachHomePage() {
  const user = useCurrentUser();
  const courses = useQuery(courseQueries.taught(user.id));
  const queue = useQuery(assignmentQueries.mine({ status: 'submitted' }));
  const waiting = queue.data?.data.reduce((sum, item) => sum + (item.view === 'instructor' ? item.submissionCounts.submitted : 0), 0) ?? 0;
  return (
    <Page
      title="Teaching"
      actions={
        <Link to="/teach/courses/new" className={buttonClass('primary')}>
          New course
        </Link>
      }
    >
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_20rem]">
        <Card title="Your courses">
          <QueryState query={courses} loadingLabel="Loading your courses…">
            {({ data }) =>
              data.length === 0 ? (
                <EmptyState title="No course yet">
                  <Link to="/teach/courses/new" className="font-semibold text-indigo-800 underline">
                    Create your first course
                  </Link>
                </EmptyState>
              ) : (
                <ul className="divide-y divide-slate-200">
                  {data.map((course) => (
                    <li key={course.courseId} className="flex flex-wrap items-center justify-between gap-3 py-3">
                      <div className="min-w-0">
                        <Link to="/teach/courses/$courseId" params={{ courseId: course.courseId }} className="font-semibold text-indigo-800 underline">
                          {course.title}
                        </Link>
                        <p className="flex flex-wrap items-center gap-2 text-sm text-slate-700">
                          <Pill tone="info">{humanize(course.category)}</Pill>
                          {course.totalLessons} lessons · {course.totalEnrollments} learners · <Stars value={course.averageRating} count={course.totalRatings} />
                        </p>
                      </div>
                      <Link to="/courses/$courseId" params={{ courseId: course.courseId }} className={buttonClass('ghost')}>
                        View as a learner
                      </Link>
                    </li>
                  ))}
                </ul>
              )
            }
          </QueryState>
        </Card>
        <Card title="Grading">
          <p className="text-3xl font-bold text-slate-900" aria-live="polite">
            {queue.isPending ? '…' : waiting}
          </p>
          <p className="text-sm text-slate-700">submissions waiting for a grade</p>
          <Link to="/teach/grading" className={buttonClass('primary', 'mt-4 w-full')}>
            Open the grading queue
          </Link>
        </Card>
      </div>
    </Page>
  );
}

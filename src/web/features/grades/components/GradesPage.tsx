import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { formatDate, formatPercent, humanize } from '../../../lib/format';
import { EmptyState, QueryState } from '../../../ui/feedback';
import { Card, Page, Pill, Stat } from '../../../ui/layout';
import { statusTone } from '../../assignments/components/AssignmentPage';
import { useCurrentUser } from '../../auth/queries';
import { gradeQueries } from '../queries';

export function GradesPage() {
  const user = useCurrentUser();
  const query = useQuery(gradeQueries.report(user.id));
  return (
    <Page title="Grades and feedback">
      <QueryState query={query} loadingLabel="Loading your grades…">
        {(report) => (
          <div className="space-y-6">
            <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
              <Stat label="Overall" value={formatPercent(report.overall.percentage)} />
              <Stat label="Points" value={`${report.overall.earnedPoints} / ${report.overall.possiblePoints}`} />
              <Stat label="Graded items" value={report.overall.gradedItems} />
              <Stat label="Courses" value={report.courses.length} />
            </div>
            {report.courses.length === 0 && <EmptyState title="No grades yet">Enrol in a course and hand in work to see your grades here.</EmptyState>}
            {report.courses.map((course) => (
              <Card
                key={course.courseId}
                title={
                  <Link to="/courses/$courseId" params={{ courseId: course.courseId }} className="text-indigo-800 underline">
                    {course.title}
                  </Link>
                }
                actions={
                  <span className="flex items-center gap-2">
                    {course.enrollmentStatus === 'withdrawn' && <Pill>Left</Pill>}
                    <span className="text-lg font-bold">{formatPercent(course.percentage)}</span>
                  </span>
                }
              >
                <div className="overflow-x-auto">
                  <table className="w-full min-w-[32rem] text-left text-sm">
                    <caption className="sr-only">Assignments and quizzes of {course.title}</caption>
                    <thead>
                      <tr className="border-b border-slate-200 text-slate-700">
                        <th scope="col" className="py-2 pr-3">Work</th>
                        <th scope="col" className="py-2 pr-3">Status</th>
                        <th scope="col" className="py-2 pr-3">Due</th>
                        <th scope="col" className="py-2 text-right">Score</th>
                      </tr>
                    </thead>
                    <tbody>
                      {course.assignments.map((a) => (
                        <tr key={a.assignmentId} className="border-b border-slate-100">
                          <th scope="row" className="py-2 pr-3 font-normal">
                            <Link to="/assignments/$assignmentId" params={{ assignmentId: a.assignmentId }} className="text-indigo-800 underline">
                              {a.title}
                            </Link>
                          </th>
                          <td className="py-2 pr-3">
                            <Pill tone={statusTone[a.status]}>{humanize(a.status)}</Pill>
                          </td>
                          <td className="py-2 pr-3">{formatDate(a.dueDate)}</td>
                          <td className="py-2 text-right">{a.score !== undefined ? `${a.score} / ${a.points}` : `— / ${a.points}`}</td>
                        </tr>
                      ))}
                      {course.quizzes.map((q) => (
                        <tr key={q.quizId} className="border-b border-slate-100">
                          <th scope="row" className="py-2 pr-3 font-normal">
                            <Link to="/quizzes/$quizId" params={{ quizId: q.quizId }} className="text-indigo-800 underline">
                              Quiz: {q.title}
                            </Link>
                          </th>
                          <td className="py-2 pr-3">{q.attempts ? `${q.attempts} attempt${q.attempts === 1 ? '' : 's'}` : <Pill>Not taken</Pill>}</td>
                          <td className="py-2 pr-3">—</td>
                          <td className="py-2 text-right">{q.score !== undefined ? `${q.score} / ${q.totalPoints}` : `— / ${q.totalPoints}`}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </Card>
            ))}
          </div>
        )}
      </QueryState>
    </Page>
  );
}

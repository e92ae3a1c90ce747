// The course's students who need attention, with their progress, and each assignment's hand-ins.
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import type { CourseDetails } from '../../../../sdk';
import { formatPercent, formatRelative, fullName, humanize } from '../../../lib/format';
import { EmptyState, QueryState } from '../../../ui/feedback';
import { TextField } from '../../../ui/fields';
import { Card, Pill, ProgressBar, Stat } from '../../../ui/layout';
import { courseQueries } from '../../courses/queries';
import { assignmentQueries } from '../../assignments/queries';

function AssignmentHandIns({ assignmentId, title }: { assignmentId: string; title: string }) {
  const submissions = useQuery(assignmentQueries.submissions(assignmentId));
  const counts = { not_started: 0, in_progress: 0, submitted: 0, graded: 0 };
  for (const s of submissions.data?.data ?? []) counts[s.status]++;
  return (
    <li className="py-3">
      <p className="font-medium">
        <Link to="/teach/grading/$assignmentId" params={{ assignmentId }} className="text-indigo-800 underline">
          {title}
        </Link>
      </p>
      <p className="mt-1 flex flex-wrap gap-2 text-sm">
        {(Object.keys(counts) as (keyof typeof counts)[]).map((status) => (
          <Pill key={status} tone={status === 'graded' ? 'success' : status === 'submitted' ? 'info' : 'neutral'}>
            {counts[status]} {humanize(status).toLowerCase()}
          </Pill>
        ))}
      </p>
    </li>
  );
}

export function CourseStudentsTab({ course }: { course: CourseDetails }) {
  const [inactiveDays, setInactiveDays] = useState(7);
  const [gradeThreshold, setGradeThreshold] = useState(60);
  const atRisk = useQuery(courseQueries.atRisk(course.courseId, { inactiveDays, gradeThreshold }));
  return (
    <div className="space-y-6">
      <Card title="Students who need attention">
        <div className="mb-4 flex flex-wrap gap-4">
          <TextField label="Inactive for (days)" type="number" min={1} max={365} value={inactiveDays} onChange={(e) => setInactiveDays(Math.max(1, Number(e.target.value) || 1))} className="w-44" />
          <TextField label="Grades below (%)" type="number" min={0} max={100} value={gradeThreshold} onChange={(e) => setGradeThreshold(Math.min(100, Math.max(0, Number(e.target.value) || 0)))} className="w-44" />
        </div>
        <QueryState query={atRisk} loadingLabel="Loading students…">
          {(result) => (
            <>
              <div className="mb-4 grid grid-cols-2 gap-3 sm:grid-cols-3">
                <Stat label="Enrolled" value={result.criteria.enrolledStudents} />
                <Stat label="Median completion" value={`${result.criteria.medianCompletion}%`} />
                <Stat label="Need attention" value={result.pagination.totalCount} />
              </div>
              {result.data.length === 0 ? (
                <EmptyState title="Everyone is on track" />
              ) : (
                <div className="overflow-x-auto">
                  <table className="w-full min-w-[40rem] text-left text-sm">
                    <caption className="sr-only">Students who need attention, with their progress</caption>
                    <thead>
                      <tr className="border-b border-slate-200 text-slate-700">
                        <th scope="col" className="py-2 pr-3">Student</th>
                        <th scope="col" className="py-2 pr-3">Progress</th>
                        <th scope="col" className="py-2 pr-3">Average</th>
                        <th scope="col" className="py-2 pr-3">Last active</th>
                        <th scope="col" className="py-2">Why</th>
                      </tr>
                    </thead>
                    <tbody>
                      {result.data.map((row) => (
                        <tr key={row.student.id} className="border-b border-slate-100 align-top">
                          <th scope="row" className="py-2 pr-3 font-medium">
                            {fullName(row.student)}
                          </th>
                          <td className="w-40 py-2 pr-3">
                            <ProgressBar value={row.progress.completionPercentage} label={`${fullName(row.student)}: ${row.progress.completionPercentage}% complete`} />
                            <span className="text-xs text-slate-600">{row.progress.completionPercentage}%</span>
                          </td>
                          <td className="py-2 pr-3">{formatPercent(row.averageGrade)}</td>
                          <td className="py-2 pr-3">{row.lastActivityAt ? formatRelative(row.lastActivityAt) : 'never'}</td>
                          <td className="py-2">
                            <ul className="space-y-1">
                              {row.reasons.map((reason) => (
                                <li key={reason.code}>
                                  <Pill tone="warning">{humanize(reason.code)}</Pill> <span className="text-slate-700">{reason.detail}</span>
                                </li>
                              ))}
                            </ul>
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </>
          )}
        </QueryState>
      </Card>
      {course.assignments.length > 0 && (
        <Card title="Hand-ins per assignment">
          <ul className="divide-y divide-slate-200">
            {course.assignments.map((a) => (
              <AssignmentHandIns key={a.assignmentId} assignmentId={a.assignmentId} title={a.title} />
            ))}
          </ul>
        </Card>
      )}
    </div>
  );
}

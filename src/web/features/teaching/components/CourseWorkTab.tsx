import { Link } from '@tanstack/react-router';
import type { CourseDetails } from '../../../../sdk';
import { formatDate, formatMinutes } from '../../../lib/format';
import { buttonClass } from '../../../ui/button';
import { Card } from '../../../ui/layout';

export function CourseWorkTab({ course }: { course: CourseDetails }) {
  const { courseId } = course;
  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <Card
        title="Assignments"
        actions={
          <Link to="/teach/courses/$courseId/assignments/new" params={{ courseId }} className={buttonClass('primary')}>
            New assignment
          </Link>
        }
      >
        {course.assignments.length === 0 ? (
          <p className="text-sm text-slate-700">No assignments yet.</p>
        ) : (
          <ul className="divide-y divide-slate-200">
            {course.assignments.map((a) => (
              <li key={a.assignmentId} className="flex flex-wrap items-center justify-between gap-2 py-3">
                <div>
                  <Link to="/teach/assignments/$assignmentId" params={{ assignmentId: a.assignmentId }} className="font-medium text-indigo-800 underline">
                    {a.title}
                  </Link>
                  <p className="text-sm text-slate-700">
                    {a.points} points{a.dueDate && ` · due ${formatDate(a.dueDate)}`}
                  </p>
                </div>
                <Link to="/teach/grading/$assignmentId" params={{ assignmentId: a.assignmentId }} className={buttonClass('secondary')}>
                  Grade
                </Link>
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card
        title="Quizzes"
        actions={
          <Link to="/teach/courses/$courseId/quizzes/new" params={{ courseId }} className={buttonClass('primary')}>
            New quiz
          </Link>
        }
      >
        {course.quizzes.length === 0 ? (
          <p className="text-sm text-slate-700">No quizzes yet.</p>
        ) : (
          <ul className="divide-y divide-slate-200">
            {course.quizzes.map((q) => (
              <li key={q.quizId} className="flex flex-wrap items-center justify-between gap-2 py-3">
                <div>
                  <Link to="/teach/quizzes/$quizId" params={{ quizId: q.quizId }} className="font-medium text-indigo-800 underline">
                    {q.title}
                  </Link>
                  <p className="text-sm text-slate-700">
                    {q.totalQuestions} questions · {q.totalPoints} points{q.timeLimit ? ` · ${formatMinutes(q.timeLimit)}` : ''}
                  </p>
                </div>
                <Link to="/quizzes/$quizId" params={{ quizId: q.quizId }} className={buttonClass('secondary')}>
                  Results
                </Link>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}

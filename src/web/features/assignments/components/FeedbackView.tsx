import type { AssignmentFeedback } from '../../../../sdk';
import { formatDateTime, formatPercent } from '../../../lib/format';

export function FeedbackView({ feedback }: { feedback: AssignmentFeedback }) {
  const percent = feedback.grade !== undefined ? (feedback.grade / (feedback.points || 1)) * 100 : null;
  return (
    <div className="space-y-4">
      <p className="text-3xl font-bold text-slate-900" data-testid="grade">
        {feedback.grade} <span className="text-lg font-medium text-slate-600">/ {feedback.points}</span>
        <span className="ml-3 text-base font-semibold text-indigo-800">{formatPercent(percent)}</span>
      </p>
      {feedback.gradedAt && (
        <p className="text-sm text-slate-700">
          Graded {formatDateTime(feedback.gradedAt)}
          {feedback.gradedBy && ` by ${feedback.gradedBy.firstName} ${feedback.gradedBy.lastName}`}
        </p>
      )}
      {feedback.feedback && <blockquote className="whitespace-pre-line border-l-4 border-indigo-200 pl-3 text-slate-800">{feedback.feedback}</blockquote>}
      {feedback.rubricScores.length > 0 && (
        <table className="w-full text-left text-sm">
          <caption className="mb-1 text-left font-medium text-slate-800">Rubric</caption>
          <thead>
            <tr className="border-b border-slate-200">
              <th scope="col" className="py-1 pr-3">
                Criterion
              </th>
              <th scope="col" className="py-1 pr-3">
                Level
              </th>
              <th scope="col" className="py-1 text-right">
                Points
              </th>
            </tr>
          </thead>
          <tbody>
            {feedback.rubricScores.map((score) => (
              <tr key={score.criterionId} className="border-b border-slate-100">
                <th scope="row" className="py-1 pr-3 font-normal">
                  {score.criterionTitle}
                </th>
                <td className="py-1 pr-3">{score.levelTitle ?? '—'}</td>
                <td className="py-1 text-right">
                  {score.points} / {score.maxPoints}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {feedback.history.length > 1 && (
        <details className="text-sm">
          <summary className="cursor-pointer font-medium text-indigo-800">Earlier grades ({feedback.history.length - 1})</summary>
          <ul className="mt-2 space-y-1">
            {feedback.history.slice(1).map((entry) => (
              <li key={entry.gradedAt}>
                {entry.grade} / {feedback.points} on {formatDateTime(entry.gradedAt)}
                {entry.gradedBy && ` by ${entry.gradedBy.firstName} ${entry.gradedBy.lastName}`}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

// Grading one assignment: the submissions (new ones arrive live), and the selected one graded with
// the rubric (a level per criterion, the grade is their sum) or with points.
import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type { Rubric, StudentSubmission } from '../../../../sdk';
import { fieldErrors, userMessage } from '../../../lib/errors';
import { formatDateTime, fullName, humanize } from '../../../lib/format';
import { Button } from '../../../ui/button';
import { EmptyState, ErrorNotice, Loading, QueryState } from '../../../ui/feedback';
import { FormError, TextArea, TextField } from '../../../ui/fields';
import { Card, Page, Pill } from '../../../ui/layout';
import { toast } from '../../../ui/toast';
import { statusTone } from '../../assignments/components/AssignmentPage';
import { useGradeSubmission } from '../../assignments/mutations';
import { assignmentQueries } from '../../assignments/queries';

const route = getRouteApi('/authed/staff/teach/grading/$assignmentId');

/** Handed-in work first (oldest first, as a queue), then the graded, then what is not handed in. */
const rank = { submitted: 0, graded: 1, in_progress: 2, not_started: 3 } as const;

function GradeForm({
  assignmentId,
  points,
  rubric,
  submission,
  onGraded,
}: {
  assignmentId: string;
  points: number;
  rubric: Rubric | null;
  submission: StudentSubmission;
  onGraded: () => void;
}) {
  const grade = useGradeSubmission(assignmentId);
  const [levels, setLevels] = useState<Record<string, string>>({});
  const [plainGrade, setPlainGrade] = useState(submission.grade !== undefined ? String(submission.grade) : '');
  const [feedback, setFeedback] = useState(submission.feedback ?? '');

  const rubricTotal = rubric
    ? rubric.criteria.reduce((sum, criterion) => sum + (criterion.levels.find((level) => level.levelId === levels[criterion.criterionId])?.points ?? 0), 0)
    : 0;
  const complete = rubric ? rubric.criteria.every((criterion) => levels[criterion.criterionId]) : plainGrade.trim() !== '';
  const fields = fieldErrors(grade.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    grade.mutate(
      rubric
        ? {
            submissionId: submission.submissionId,
            feedback,
            rubricScores: rubric.criteria.map((criterion) => ({ criterionId: criterion.criterionId, levelId: levels[criterion.criterionId] })),
          }
        : { submissionId: submission.submissionId, feedback, grade: Number(plainGrade) },
      {
        onSuccess: (graded) => {
          toast.success(`Graded ${graded.student.firstName} ${graded.student.lastName}: ${graded.grade} / ${points}.`);
          onGraded();
        },
      },
    );
  };

  return (
    <form onSubmit={submit} className="space-y-4" aria-label={`Grade ${fullName(submission.student)}`}>
      <FormError message={grade.error ? `The grade was not saved: ${userMessage(grade.error)}` : null} />
      {rubric ? (
        <div className="space-y-4">
          {rubric.criteria.map((criterion) => (
            <fieldset key={criterion.criterionId} className="rounded-lg border border-slate-200 p-3">
              <legend className="px-1 font-medium text-slate-900">
                {criterion.title} <span className="text-sm font-normal text-slate-600">(up to {criterion.maxPoints})</span>
              </legend>
              {criterion.description && <p className="mb-2 text-sm text-slate-700">{criterion.description}</p>}
              <div className="flex flex-wrap gap-2">
                {criterion.levels.map((level) => (
                  <label
                    key={level.levelId}
                    className={`cursor-pointer rounded-md border px-3 py-2 text-sm has-[:checked]:border-indigo-700 has-[:checked]:bg-indigo-50 has-[:focus-visible]:outline has-[:focus-visible]:outline-3 has-[:focus-visible]:outline-indigo-700 border-slate-300`}
                  >
                    <input
                      type="radio"
                      className="sr-only"
                      name={`criterion-${criterion.criterionId}`}
                      value={level.levelId}
                      checked={levels[criterion.criterionId] === level.levelId}
                      onChange={() => setLevels((current) => ({ ...current, [criterion.criterionId]: level.levelId }))}
                    />
                    <span className="font-medium">{level.title}</span> · {level.points} pts
                  </label>
                ))}
              </div>
            </fieldset>
          ))}
          <p className="text-lg font-semibold" aria-live="polite">
            Grade: {rubricTotal} / {points}
          </p>
        </div>
      ) : (
        <TextField
          label={`Grade (0 to ${points})`}
          type="number"
          min={0}
          max={points}
          step="0.01"
          value={plainGrade}
          onChange={(event) => setPlainGrade(event.target.value)}
          error={fields.grade}
          className="w-48"
        />
      )}
      <TextArea label="Feedback for the student" rows={4} value={feedback} onChange={(event) => setFeedback(event.target.value)} error={fields.feedback} />
      <Button type="submit" busy={grade.isPending} disabled={!complete}>
        {submission.status === 'graded' ? 'Save the new grade' : 'Save grade'}
      </Button>
    </form>
  );
}

function SubmissionView({ submission }: { submission: StudentSubmission }) {
  return (
    <div className="space-y-3">
      <p className="flex flex-wrap items-center gap-2 text-sm text-slate-700">
        <Pill tone={statusTone[submission.status]}>{humanize(submission.status)}</Pill>
        {submission.submittedAt && <span>Handed in {formatDateTime(submission.submittedAt)}</span>}
        {submission.isLate && <Pill tone="warning">Late</Pill>}
      </p>
      {submission.submissionContent && <p className="whitespace-pre-line rounded-md bg-slate-50 p-3 text-slate-900">{submission.submissionContent}</p>}
      <p>
        <Link to="/messages" search={{ to: submission.studentId, name: fullName(submission.student) }} className="text-sm font-semibold text-indigo-800 underline">
          Write to {submission.student.firstName}
        </Link>
      </p>
      {submission.fileUrl && (
        <p>
          <a href={submission.fileUrl} download={submission.fileName} className="font-medium text-indigo-800 underline">
            Download {submission.fileName ?? 'the file'}
          </a>
        </p>
      )}
    </div>
  );
}

export function GradeAssignmentPage() {
  const { assignmentId } = route.useParams();
  const { submission: selectedId } = route.useSearch();
  const navigate = route.useNavigate();
  const assignment = useQuery(assignmentQueries.detail(assignmentId));
  const submissions = useQuery(assignmentQueries.submissions(assignmentId));
  const rubric = useQuery(assignmentQueries.rubric(assignmentId));

  const ordered = useMemo(
    () =>
      [...(submissions.data?.data ?? [])].sort(
        (a, b) => rank[a.status] - rank[b.status] || (a.submittedAt ?? '').localeCompare(b.submittedAt ?? '') || a.student.lastName.localeCompare(b.student.lastName),
      ),
    [submissions.data],
  );
  // The submission on screen stays there while it is being graded, even once it leaves the queue.
  const [shown, setShown] = useState<string | undefined>();
  const firstWaiting = ordered.find((s) => s.status === 'submitted');
  useEffect(() => {
    if (!selectedId && !shown && firstWaiting) setShown(firstWaiting.submissionId);
  }, [selectedId, shown, firstWaiting]);
  const selected = ordered.find((s) => s.submissionId === (selectedId ?? shown)) ?? firstWaiting;
  const select = (submissionId: string | undefined) => {
    setShown(submissionId);
    void navigate({ search: (previous) => ({ ...previous, submission: submissionId }), replace: true, resetScroll: false });
  };
  const waiting = ordered.filter((s) => s.status === 'submitted').length;

  return (
    <Page
      title={assignment.data ? `Grading: ${assignment.data.title}` : 'Grading'}
      description={
        assignment.data && (
          <span className="text-sm">
            <Link to="/courses/$courseId" params={{ courseId: assignment.data.courseId }} className="font-medium text-indigo-800 underline">
              {assignment.data.course.title}
            </Link>{' '}
            · {assignment.data.points} points ·{' '}
            <Link to="/teach/grading" className="text-indigo-800 underline">
              back to the queue
            </Link>
          </span>
        )
      }
    >
      <div className="grid gap-6 lg:grid-cols-[20rem_minmax(0,1fr)]">
        <Card title={`Submissions (${waiting} to grade)`}>
          <QueryState query={submissions} loadingLabel="Loading submissions…">
            {() =>
              ordered.length === 0 ? (
                <p className="text-sm text-slate-700">No student has this assignment yet.</p>
              ) : (
                <ul className="-mx-2 max-h-[60vh] overflow-y-auto" aria-label="Submissions" aria-live="polite">
                  {ordered.map((s) => (
                    <li key={s.submissionId}>
                      <button
                        type="button"
                        onClick={() => select(s.submissionId)}
                        aria-current={selected?.submissionId === s.submissionId ? 'true' : undefined}
                        className={`flex w-full items-center justify-between gap-2 rounded-md px-2 py-2 text-left text-sm hover:bg-slate-100 ${selected?.submissionId === s.submissionId ? 'bg-indigo-50 font-semibold' : ''}`}
                      >
                        <span className="truncate">{fullName(s.student)}</span>
                        <Pill tone={statusTone[s.status]}>{s.status === 'graded' && s.grade !== undefined ? `${s.grade} pts` : humanize(s.status)}</Pill>
                      </button>
                    </li>
                  ))}
                </ul>
              )
            }
          </QueryState>
        </Card>
        <Card title={selected ? fullName(selected.student) : 'Choose a submission'}>
          {!selected ? (
            <EmptyState title={waiting === 0 ? 'Nothing waiting' : 'Choose a submission'}>New submissions appear on the left as they arrive.</EmptyState>
          ) : selected.status === 'not_started' || selected.status === 'in_progress' ? (
            <SubmissionView submission={selected} />
          ) : assignment.data && rubric.data !== undefined ? (
            <div className="space-y-6">
              <SubmissionView submission={selected} />
              <GradeForm
                key={selected.submissionId}
                assignmentId={assignmentId}
                points={assignment.data.points}
                rubric={rubric.data}
                submission={selected}
                onGraded={() => select(ordered.find((s) => s.status === 'submitted' && s.submissionId !== selected.submissionId)?.submissionId)}
              />
            </div>
          ) : assignment.error || rubric.error ? (
            <ErrorNotice error={assignment.error ?? rubric.error} onRetry={() => void Promise.all([assignment.refetch(), rubric.refetch()])} />
          ) : (
            <Loading rows={2} />
          )}
        </Card>
      </div>
    </Page>
  );
}

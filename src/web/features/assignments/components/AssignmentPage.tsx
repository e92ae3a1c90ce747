import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useRef, useState, type FormEvent } from 'react';
import type { AssignmentDetails } from '../../../../sdk';
import { fieldErrors, userMessage } from '../../../lib/errors';
import { formatBytes, formatDate, formatDateTime, humanize } from '../../../lib/format';
import { Button, buttonClass } from '../../../ui/button';
import { ErrorNotice, Loading } from '../../../ui/feedback';
import { FormError, TextArea } from '../../../ui/fields';
import { Card, Page, Pill, ProgressBar } from '../../../ui/layout';
import { toast } from '../../../ui/toast';
import { isStaff, useSession } from '../../auth/queries';
import { useSubmitAssignment, useUpload } from '../mutations';
import { assignmentQueries } from '../queries';
import { FeedbackView } from './FeedbackView';

const route = getRouteApi('/authed/assignments/$assignmentId');

export const statusTone = { not_started: 'neutral', in_progress: 'warning', submitted: 'info', graded: 'success' } as const;

function SubmitForm({ assignment }: { assignment: AssignmentDetails }) {
  const submit = useSubmitAssignment(assignment.assignmentId);
  const upload = useUpload();
  const [content, setContent] = useState(assignment.submission?.submissionContent ?? '');
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const error = upload.error ?? submit.error;
  const fields = fieldErrors(submit.error);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    let uploaded: { url: string; fileName: string } | undefined;
    if (file) {
      setProgress(0);
      try {
        uploaded = await upload.mutateAsync({ file, onProgress: setProgress });
      } catch {
        setProgress(null);
        return;
      }
    }
    submit.mutate(
      { submissionContent: content.trim() || undefined, ...(uploaded ? { fileUrl: uploaded.url, fileName: uploaded.fileName } : {}) },
      {
        onSuccess: (receipt) => {
          toast.success(receipt.isLate ? 'Submitted, after the due date.' : 'Your work is handed in.');
          setFile(null);
          if (fileInput.current) fileInput.current.value = '';
        },
        onSettled: () => setProgress(null),
      },
    );
  };

  const resubmitting = assignment.submission?.status === 'submitted';
  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <FormError message={error && !Object.keys(fields).length ? `Not handed in: ${userMessage(error)}` : null} />
      <TextArea
        label="Your answer"
        rows={8}
        value={content}
        onChange={(event) => setContent(event.target.value)}
        hint="Write your answer, attach a file, or both."
        error={fields.submissionContent}
      />
      <div>
        <label htmlFor="submission-file" className="mb-1 block text-sm font-medium text-slate-800">
          Attach a file (optional)
        </label>
        <input
          id="submission-file"
          ref={fileInput}
          type="file"
          onChange={(event) => setFile(event.target.files?.[0] ?? null)}
          className="block w-full text-sm text-slate-800 file:mr-3 file:rounded-md file:border-0 file:bg-indigo-50 file:px-3 file:py-2 file:font-semibold file:text-indigo-900"
          aria-describedby={fields.fileUrl ? 'submission-file-error' : undefined}
        />
        {file && <p className="mt-1 text-xs text-slate-600">{`${file.name}, ${formatBytes(file.size)}`}</p>}
        {fields.fileUrl && (
          <p id="submission-file-error" className="mt-1 text-sm font-medium text-red-700">
            {fields.fileUrl}
          </p>
        )}
      </div>
      {progress !== null && (
        <div>
          <p className="mb-1 text-sm text-slate-700" aria-live="polite">
            {progress < 1 ? `Uploading… ${Math.round(progress * 100)}%` : 'Uploaded'}
          </p>
          <ProgressBar value={Math.round(progress * 100)} label="Upload progress" />
        </div>
      )}
      <Button type="submit" busy={upload.isPending || submit.isPending} disabled={!content.trim() && !file}>
        {resubmitting ? 'Submit again' : 'Submit'}
      </Button>
    </form>
  );
}

function StudentView({ assignment }: { assignment: AssignmentDetails }) {
  const submission = assignment.submission;
  const feedback = useQuery({ ...assignmentQueries.feedback(assignment.assignmentId), enabled: Boolean(submission) });
  if (!submission) {
    return (
      <Card>
        <p className="text-slate-700">Enrol in the course to hand in this assignment.</p>
        <Link to="/courses/$courseId" params={{ courseId: assignment.courseId }} className={buttonClass('primary', 'mt-3')}>
          Go to the course
        </Link>
      </Card>
    );
  }
  return (
    <div className="space-y-6">
      <Card title="Your submission" actions={<Pill tone={statusTone[submission.status]}>{humanize(submission.status)}</Pill>}>
        {submission.submittedAt && (
          <p className="mb-3 text-sm text-slate-700">
            Handed in {formatDateTime(submission.submittedAt)}
            {submission.isLate && (
              <>
                {' '}
                <Pill tone="warning">Late</Pill>
              </>
            )}
          </p>
        )}
        {submission.fileUrl && (
          <p className="mb-3 text-sm">
            File:{' '}
            <a href={submission.fileUrl} className="font-medium text-indigo-800 underline" download={submission.fileName}>
              {submission.fileName ?? 'download'}
            </a>
          </p>
        )}
        {submission.status === 'graded' ? (
          submission.submissionContent && <p className="whitespace-pre-line rounded-md bg-slate-50 p-3 text-sm text-slate-800">{submission.submissionContent}</p>
        ) : (
          <SubmitForm assignment={assignment} />
        )}
      </Card>
      <Card title="Grade and feedback">
        {feedback.isPending && feedback.fetchStatus !== 'idle' ? (
          <Loading rows={1} label="Loading feedback…" />
        ) : feedback.error ? (
          <ErrorNotice error={feedback.error} onRetry={() => void feedback.refetch()} />
        ) : feedback.data && feedback.data.grade !== undefined ? (
          <FeedbackView feedback={feedback.data} />
        ) : (
          <p className="text-sm text-slate-700">Not graded yet. The grade appears here as soon as it is given.</p>
        )}
      </Card>
    </div>
  );
}

export function AssignmentPage() {
  const { assignmentId } = route.useParams();
  const { user } = useSession();
  const query = useQuery(assignmentQueries.detail(assignmentId));
  const assignment = query.data;
  if (!assignment) {
    return (
      <Page title={query.error ? 'Assignment unavailable' : 'Loading assignment…'}>
        {query.error ? <ErrorNotice error={query.error} onRetry={() => void query.refetch()} /> : <Loading label="Loading the assignment…" />}
      </Page>
    );
  }
  const staff = isStaff(user?.role);
  return (
    <Page
      title={assignment.title}
      description={
        <span className="flex flex-wrap items-center gap-2 text-sm">
          <Link to="/courses/$courseId" params={{ courseId: assignment.courseId }} className="font-medium text-indigo-800 underline">
            {assignment.course.title}
          </Link>
          <span aria-hidden="true">·</span>
          <span>{assignment.points} points</span>
          {assignment.dueDate && (
            <>
              <span aria-hidden="true">·</span>
              <span>Due {formatDate(assignment.dueDate)}</span>
            </>
          )}
        </span>
      }
      actions={
        staff && (
          <>
            <Link to="/teach/grading/$assignmentId" params={{ assignmentId }} className={buttonClass('primary')}>
              Grade submissions
            </Link>
            <Link to="/teach/assignments/$assignmentId" params={{ assignmentId }} className={buttonClass('secondary')}>
              Edit
            </Link>
          </>
        )
      }
    >
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_24rem]">
        <Card title="Instructions">
          <p className="whitespace-pre-line text-slate-800">{assignment.description || 'No instructions were given.'}</p>
          {assignment.rubricUrl && (
            <p className="mt-3 text-sm">
              <a href={assignment.rubricUrl} className="font-medium text-indigo-800 underline" rel="noreferrer noopener" target="_blank">
                Marking guide
              </a>
            </p>
          )}
        </Card>
        {staff ? (
          <Card title="Submissions">
            <p className="text-sm text-slate-700">{assignment.submissions?.filter((s) => s.status === 'submitted').length ?? 0} waiting for a grade.</p>
            <Link to="/teach/grading/$assignmentId" params={{ assignmentId }} className={buttonClass('primary', 'mt-3')}>
              Open the grading queue
            </Link>
          </Card>
        ) : (
          <StudentView assignment={assignment} />
        )}
      </div>
      {!staff && <RubricPreview assignmentId={assignmentId} />}
    </Page>
  );
}

function RubricPreview({ assignmentId }: { assignmentId: string }) {
  const rubric = useQuery(assignmentQueries.rubric(assignmentId));
  if (!rubric.data) return null;
  return (
    <Card title="How it is marked" className="mt-6">
      <div className="overflow-x-auto">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Rubric criteria and their levels</caption>
          <thead>
            <tr className="border-b border-slate-200">
              <th scope="col" className="py-2 pr-4">
                Criterion
              </th>
              <th scope="col" className="py-2">
                Levels
              </th>
            </tr>
          </thead>
          <tbody>
            {rubric.data.criteria.map((criterion) => (
              <tr key={criterion.criterionId} className="border-b border-slate-100 align-top">
                <th scope="row" className="py-2 pr-4 font-medium">
                  {criterion.title} <span className="font-normal text-slate-600">({criterion.maxPoints} pts)</span>
                </th>
                <td className="py-2">
                  <ul className="flex flex-wrap gap-2">
                    {criterion.levels.map((level) => (
                      <li key={level.levelId} className="rounded-md bg-slate-100 px-2 py-1">
                        {level.title}: {level.points}
                      </li>
                    ))}
                  </ul>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}

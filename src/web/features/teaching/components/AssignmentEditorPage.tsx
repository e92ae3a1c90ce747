// Creating and editing an assignment, and its rubric: criteria with levels whose best levels add
// up to the assignment's points.
import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import type { Assignment, Rubric } from '../../../../sdk';
import type { SetRubricBody } from '../../../../contract/assignments';
import { fieldErrors, isConflict, userMessage } from '../../../lib/errors';
import { Button, buttonClass } from '../../../ui/button';
import { ConflictDialog } from '../../../ui/ConflictDialog';
import { ConfirmDeleteDialog } from '../../../ui/dialog';
import { ErrorNotice, Loading } from '../../../ui/feedback';
import { FormError, SelectField, TextArea, TextField } from '../../../ui/fields';
import { Card, Page } from '../../../ui/layout';
import { toast } from '../../../ui/toast';
import { useCreateAssignment, useDeleteAssignment, useSetRubric, useUpdateAssignment } from '../../assignments/mutations';
import { assignmentQueries } from '../../assignments/queries';
import { courseQueries } from '../../courses/queries';

const newRoute = getRouteApi('/authed/staff/teach/courses/$courseId/assignments/new');
const editRoute = getRouteApi('/authed/staff/teach/assignments/$assignmentId');

interface AssignmentValues {
  title: string;
  description: string;
  points: number;
  dueDate: string;
  rubricUrl: string;
  lessonId: string;
}

const assignmentFields = [
  { key: 'title', label: 'Title' },
  { key: 'description', label: 'Instructions' },
  { key: 'points', label: 'Points' },
  { key: 'dueDate', label: 'Due' },
  { key: 'rubricUrl', label: 'Marking guide link' },
  { key: 'lessonId', label: 'Lesson' },
];

/** `<input type="datetime-local">` speaks local time without a zone; the API speaks ISO 8601. */
const toLocalInput = (iso: string | undefined) => {
  if (!iso) return '';
  const date = new Date(iso);
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
const fromLocalInput = (value: string) => (value ? new Date(value).toISOString() : undefined);

const valuesOf = (a: Pick<Assignment, 'title' | 'description' | 'points' | 'dueDate' | 'rubricUrl' | 'lessonId'>): AssignmentValues => ({
  title: a.title,
  description: a.description,
  points: a.points,
  dueDate: toLocalInput(a.dueDate),
  rubricUrl: a.rubricUrl ?? '',
  lessonId: a.lessonId ?? '',
});

function AssignmentForm({
  courseId,
  initial,
  errors,
  busy,
  submitLabel,
  onSubmit,
}: {
  courseId: string;
  initial: AssignmentValues;
  errors: Record<string, string>;
  busy: boolean;
  submitLabel: string;
  onSubmit: (values: AssignmentValues) => void;
}) {
  const course = useQuery(courseQueries.detail(courseId));
  const [values, setValues] = useState(initial);
  const set = <K extends keyof AssignmentValues>(key: K, value: AssignmentValues[K]) => setValues((current) => ({ ...current, [key]: value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit(values);
  };
  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      <TextField label="Title" value={values.title} onChange={(e) => set('title', e.target.value)} error={errors.title} required />
      <TextArea label="Instructions" rows={6} value={values.description} onChange={(e) => set('description', e.target.value)} error={errors.description} />
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField label="Points" type="number" min={1} max={10000} value={values.points} onChange={(e) => set('points', Number(e.target.value) || 0)} error={errors.points} />
        <TextField label="Due (optional)" type="datetime-local" value={values.dueDate} onChange={(e) => set('dueDate', e.target.value)} error={errors.dueDate} />
      </div>
      <SelectField
        label="Lesson (optional)"
        value={values.lessonId}
        onChange={(e) => set('lessonId', e.target.value)}
        options={[{ value: '', label: 'Not tied to a lesson' }, ...(course.data?.lessons ?? []).map((l) => ({ value: l.lessonId, label: `${l.order}. ${l.title}` }))]}
        error={errors.lessonId}
      />
      <TextField label="Marking guide link (optional)" type="url" value={values.rubricUrl} onChange={(e) => set('rubricUrl', e.target.value)} error={errors.rubricUrl} />
      <Button type="submit" busy={busy}>
        {submitLabel}
      </Button>
    </form>
  );
}

export function NewAssignmentPage() {
  const { courseId } = newRoute.useParams();
  const create = useCreateAssignment();
  const navigate = useNavigate();
  const errors = fieldErrors(create.error);
  return (
    <Page title="New assignment">
      <Card>
        <FormError message={create.error && !Object.keys(errors).length ? userMessage(create.error) : null} />
        <AssignmentForm
          courseId={courseId}
          initial={{ title: '', description: '', points: 100, dueDate: '', rubricUrl: '', lessonId: '' }}
          errors={errors}
          busy={create.isPending}
          submitLabel="Create assignment"
          onSubmit={(values) =>
            create.mutate(
              {
                courseId,
                title: values.title,
                description: values.description,
                points: values.points,
                dueDate: fromLocalInput(values.dueDate),
                rubricUrl: values.rubricUrl || undefined,
                lessonId: values.lessonId || undefined,
              },
              {
                onSuccess: (assignment) => {
                  toast.success('Assignment created. Add a rubric if you grade with one.');
                  void navigate({ to: '/teach/assignments/$assignmentId', params: { assignmentId: assignment.assignmentId } });
                },
              },
            )
          }
        />
      </Card>
    </Page>
  );
}

interface DraftLevel {
  title: string;
  points: number;
}
interface DraftCriterion {
  title: string;
  description: string;
  levels: DraftLevel[];
}

const draftOf = (rubric: Rubric | null): DraftCriterion[] =>
  rubric?.criteria.map((c) => ({ title: c.title, description: c.description ?? '', levels: c.levels.map((l) => ({ title: l.title, points: l.points })) })) ?? [];

function RubricEditor({ assignmentId, points, rubric }: { assignmentId: string; points: number; rubric: Rubric | null }) {
  const setRubric = useSetRubric(assignmentId);
  const [criteria, setCriteria] = useState<DraftCriterion[]>(draftOf(rubric));
  const total = criteria.reduce((sum, c) => sum + Math.max(0, ...c.levels.map((l) => l.points)), 0);
  const errors = fieldErrors(setRubric.error);
  const update = (index: number, change: (c: DraftCriterion) => DraftCriterion) => setCriteria((list) => list.map((c, i) => (i === index ? change(c) : c)));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body: SetRubricBody = {
      criteria: criteria.map((c) => ({ title: c.title, ...(c.description.trim() ? { description: c.description } : {}), levels: c.levels })),
    };
    setRubric.mutate(body, { onSuccess: () => toast.success(body.criteria.length ? 'Rubric saved.' : 'Rubric removed.') });
  };
  return (
    <Card title="Rubric">
      <form onSubmit={submit} className="space-y-4" noValidate>
        <FormError message={setRubric.error ? `Not saved: ${Object.values(errors)[0] ?? userMessage(setRubric.error)}` : null} />
        {criteria.map((criterion, index) => (
          <fieldset key={index} className="space-y-3 rounded-lg border border-slate-200 p-3">
            <legend className="px-1 text-sm font-semibold">Criterion {index + 1}</legend>
            <TextField label="Title" value={criterion.title} onChange={(e) => update(index, (c) => ({ ...c, title: e.target.value }))} error={errors[`criteria.${index}.title`]} />
            <TextField label="Description (optional)" value={criterion.description} onChange={(e) => update(index, (c) => ({ ...c, description: e.target.value }))} />
            <div className="space-y-2">
              {criterion.levels.map((level, levelIndex) => (
                <div key={levelIndex} className="flex flex-wrap items-end gap-2">
                  <TextField
                    label={`Level ${levelIndex + 1}`}
                    value={level.title}
                    onChange={(e) => update(index, (c) => ({ ...c, levels: c.levels.map((l, i) => (i === levelIndex ? { ...l, title: e.target.value } : l)) }))}
                    className="flex-1"
                  />
                  <TextField
                    label="Points"
                    type="number"
                    min={0}
                    value={level.points}
                    onChange={(e) => update(index, (c) => ({ ...c, levels: c.levels.map((l, i) => (i === levelIndex ? { ...l, points: Number(e.target.value) || 0 } : l)) }))}
                    className="w-24"
                  />
                  <Button
                    variant="ghost"
                    disabled={criterion.levels.length === 1}
                    onClick={() => update(index, (c) => ({ ...c, levels: c.levels.filter((_, i) => i !== levelIndex) }))}
                    aria-label={`Remove level ${levelIndex + 1} of criterion ${index + 1}`}
                  >
                    Remove
                  </Button>
                </div>
              ))}
            </div>
            <div className="flex flex-wrap gap-2">
              <Button variant="secondary" onClick={() => update(index, (c) => ({ ...c, levels: [...c.levels, { title: '', points: 0 }] }))}>
                Add a level
              </Button>
              <Button variant="ghost" onClick={() => setCriteria((list) => list.filter((_, i) => i !== index))}>
                Remove criterion
              </Button>
            </div>
          </fieldset>
        ))}
        <p className={`text-sm font-medium ${total === points || criteria.length === 0 ? 'text-slate-700' : 'text-red-700'}`} aria-live="polite">
          Best levels add up to {total} of the assignment's {points} points{criteria.length > 0 && total !== points ? ': they must be equal' : ''}.
        </p>
        <div className="flex flex-wrap gap-2">
          <Button variant="secondary" onClick={() => setCriteria((list) => [...list, { title: '', description: '', levels: [{ title: 'Excellent', points: 0 }, { title: 'Needs work', points: 0 }] }])}>
            Add a criterion
          </Button>
          <Button type="submit" busy={setRubric.isPending} disabled={criteria.length > 0 && total !== points}>
            {criteria.length === 0 && rubric ? 'Remove the rubric' : 'Save rubric'}
          </Button>
        </div>
      </form>
    </Card>
  );
}

export function EditAssignmentPage() {
  const { assignmentId } = editRoute.useParams();
  const query = useQuery({ ...assignmentQueries.detail(assignmentId), refetchOnMount: 'always' });
  const rubric = useQuery(assignmentQueries.rubric(assignmentId));
  const update = useUpdateAssignment(assignmentId);
  const remove = useDeleteAssignment(assignmentId);
  const navigate = useNavigate();
  const [formVersion, setFormVersion] = useState(0);
  const [attempt, setAttempt] = useState<{ values: AssignmentValues; changes: Record<string, unknown> } | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const assignment = query.data;
  if (!assignment || !query.isFetchedAfterMount || rubric.isPending) {
    return (
      <Page title={query.error ? 'Assignment unavailable' : 'Loading assignment…'}>
        {query.error ? <ErrorNotice error={query.error} onRetry={() => void query.refetch()} /> : <Loading />}
      </Page>
    );
  }
  const conflict = isConflict(update.error) ? update.error : undefined;
  const errors = conflict ? {} : fieldErrors(update.error);
  const save = (values: AssignmentValues) => {
    const before = valuesOf(assignment);
    const changes: Record<string, unknown> = {};
    for (const key of Object.keys(values) as (keyof AssignmentValues)[]) {
      if (values[key] === before[key]) continue;
      if (key === 'dueDate') changes.dueDate = fromLocalInput(values.dueDate) ?? null;
      else if (key === 'rubricUrl' || key === 'lessonId') changes[key] = values[key] || null;
      else changes[key] = values[key];
    }
    if (Object.keys(changes).length === 0) return toast.info('Nothing to save.');
    setAttempt({ values, changes });
    update.mutate({ changes }, { onSuccess: () => toast.success('Assignment saved.') });
  };
  return (
    <Page
      title={assignment.title}
      description={
        <Link to="/teach/courses/$courseId" params={{ courseId: assignment.courseId }} search={{ tab: 'work' }} className="text-sm font-medium text-indigo-800 underline">
          {assignment.course.title}
        </Link>
      }
      actions={
        <Link to="/teach/grading/$assignmentId" params={{ assignmentId }} className={buttonClass('primary')}>
          Grade submissions
        </Link>
      }
    >
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Assignment">
          <FormError message={update.error && !conflict && !Object.keys(errors).length ? `Not saved: ${userMessage(update.error)}` : null} />
          <AssignmentForm
            key={formVersion}
            courseId={assignment.courseId}
            initial={valuesOf(assignment)}
            errors={errors}
            busy={update.isPending}
            submitLabel="Save changes"
            onSubmit={save}
          />
          <Button variant="danger" className="mt-6" onClick={() => setConfirmDelete(true)}>
            Delete assignment
          </Button>
        </Card>
        <RubricEditor key={rubric.data?.updatedAt ?? 'none'} assignmentId={assignmentId} points={assignment.points} rubric={rubric.data ?? null} />
      </div>
      <ConflictDialog
        open={Boolean(conflict)}
        fields={assignmentFields}
        mine={attempt?.values ?? {}}
        theirs={conflict?.current ? valuesOf(conflict.current as Assignment) : undefined}
        busy={update.isPending}
        onClose={() => update.reset()}
        onKeepMine={() => attempt && update.mutate({ changes: attempt.changes, overwrite: true }, { onSuccess: () => toast.success('Your version was saved.') })}
        onTakeTheirs={() => {
          update.reset();
          void query.refetch().then(() => setFormVersion((v) => v + 1));
        }}
      />
      <ConfirmDeleteDialog
        open={confirmDelete}
        onClose={() => setConfirmDelete(false)}
        title={`Delete ${assignment.title}?`}
        consequence="Its submissions, grades and rubric are deleted too."
        busy={remove.isPending}
        onConfirm={() =>
          remove.mutate(undefined, {
            onSuccess: () => {
              toast.success('Assignment deleted.');
              void navigate({ to: '/teach/courses/$courseId', params: { courseId: assignment.courseId }, search: { tab: 'work' } });
            },
          })
        }
      />
    </Page>
  );
}

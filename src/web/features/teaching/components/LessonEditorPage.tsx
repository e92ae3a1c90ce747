// Editing a lesson: its details (checked against the version read), its Markdown content with a
// live preview (each save is a new version), and its media files.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useMemo, useState, type FormEvent } from 'react';
import type { Lesson } from '../../../../sdk';
import { fieldErrors, isConflict, userMessage } from '../../../lib/errors';
import { formatBytes, formatDateTime } from '../../../lib/format';
import { Button } from '../../../ui/button';
import { ConflictDialog } from '../../../ui/ConflictDialog';
import { ErrorNotice, Loading } from '../../../ui/feedback';
import { FormError, TextArea, TextField } from '../../../ui/fields';
import { Card, Page, ProgressBar } from '../../../ui/layout';
import { toast } from '../../../ui/toast';
import { useSaveLessonContent, useUpdateLesson, useUploadLessonMedia } from '../../lessons/mutations';
import { lessonQueries } from '../../lessons/queries';
import { renderMarkdownPreview } from '../markdown';

const route = getRouteApi('/authed/staff/teach/courses/$courseId/lessons/$lessonId');

interface LessonValues {
  title: string;
  description: string;
  estimatedTime: number;
}

const lessonFields = [
  { key: 'title', label: 'Title' },
  { key: 'description', label: 'Summary' },
  { key: 'estimatedTime', label: 'Estimated time (minutes)' },
];

const valuesOf = (lesson: Lesson): LessonValues => ({ title: lesson.title, description: lesson.description, estimatedTime: lesson.estimatedTime });

function LessonDetails({ courseId, lesson }: { courseId: string; lesson: Lesson }) {
  const queryClient = useQueryClient();
  const update = useUpdateLesson(courseId, lesson.lessonId);
  const [values, setValues] = useState(valuesOf(lesson));
  const [attempt, setAttempt] = useState<Partial<LessonValues> | null>(null);
  const conflict = isConflict(update.error) ? update.error : undefined;
  const errors = conflict ? {} : fieldErrors(update.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const before = valuesOf(lesson);
    const changes = Object.fromEntries(Object.entries(values).filter(([key, value]) => before[key as keyof LessonValues] !== value));
    if (Object.keys(changes).length === 0) return toast.info('Nothing to save.');
    setAttempt(changes);
    update.mutate({ changes }, { onSuccess: () => toast.success('Lesson saved.') });
  };
  return (
    <Card title="Details">
      <form onSubmit={submit} className="space-y-4" noValidate>
        <FormError message={update.error && !conflict && !Object.keys(errors).length ? `Not saved: ${userMessage(update.error)}` : null} />
        <TextField label="Title" value={values.title} onChange={(e) => setValues({ ...values, title: e.target.value })} error={errors.title} />
        <TextArea label="Summary" rows={3} value={values.description} onChange={(e) => setValues({ ...values, description: e.target.value })} error={errors.description} />
        <TextField
          label="Estimated time (minutes)"
          type="number"
          min={0}
          value={values.estimatedTime}
          onChange={(e) => setValues({ ...values, estimatedTime: Number(e.target.value) || 0 })}
          error={errors.estimatedTime}
          className="w-56"
        />
        <Button type="submit" busy={update.isPending}>
          Save details
        </Button>
      </form>
      <ConflictDialog
        open={Boolean(conflict)}
        fields={lessonFields}
        mine={values}
        theirs={conflict?.current ? valuesOf(conflict.current as Lesson) : undefined}
        busy={update.isPending}
        onClose={() => update.reset()}
        onKeepMine={() => attempt && update.mutate({ changes: attempt, overwrite: true }, { onSuccess: () => toast.success('Your version was saved.') })}
        onTakeTheirs={() => {
          const current = conflict?.current as Lesson | undefined;
          if (current) {
            queryClient.setQueryData(lessonQueries.detail(courseId, lesson.lessonId).queryKey, current);
            setValues(valuesOf(current));
          }
          void queryClient.invalidateQueries({ queryKey: lessonQueries.detail(courseId, lesson.lessonId).queryKey });
          update.reset();
        }}
      />
    </Card>
  );
}

function ContentEditor({ lessonId }: { lessonId: string }) {
  const content = useQuery(lessonQueries.content(lessonId));
  if (content.isPending) return <Loading rows={3} label="Loading the content…" />;
  if (content.error) return <ErrorNotice error={content.error} onRetry={() => void content.refetch()} />;
  return <ContentForm key={content.data?.version ?? 0} lessonId={lessonId} initial={content.data?.markdown ?? ''} version={content.data?.version} versions={content.data?.versions ?? []} />;
}

function ContentForm({ lessonId, initial, version, versions }: { lessonId: string; initial: string; version?: number; versions: { version: number; createdAt: string; changeNote: string | null }[] }) {
  const save = useSaveLessonContent(lessonId);
  const [markdown, setMarkdown] = useState(initial);
  const [changeNote, setChangeNote] = useState('');
  const [view, setView] = useState<'write' | 'preview'>('write');
  const preview = useMemo(() => (view === 'preview' ? renderMarkdownPreview(markdown) : ''), [markdown, view]);
  const errors = fieldErrors(save.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({ body: markdown, changeNote: changeNote.trim() || undefined }, { onSuccess: (saved) => toast.success(`Version ${saved.version} saved.`) });
  };
  return (
    <Card title={`Content${version ? ` (version ${version})` : ''}`}>
      <form onSubmit={submit} className="space-y-4" noValidate>
        <FormError message={save.error && !Object.keys(errors).length ? `Not saved: ${userMessage(save.error)}` : null} />
        <div role="group" aria-label="Editor view" className="flex gap-1">
          {(['write', 'preview'] as const).map((mode) => (
            <button
              key={mode}
              type="button"
              aria-pressed={view === mode}
              onClick={() => setView(mode)}
              className={`rounded-md px-3 py-1.5 text-sm font-semibold ${view === mode ? 'bg-indigo-700 text-white' : 'border border-slate-300 bg-white text-slate-800'}`}
            >
              {mode === 'write' ? 'Write' : 'Preview'}
            </button>
          ))}
        </div>
        {view === 'write' ? (
          <TextArea label="Lesson text (Markdown)" rows={18} value={markdown} onChange={(e) => setMarkdown(e.target.value)} error={errors.body} className="font-mono" />
        ) : (
          <section aria-label="Preview" className="min-h-64 rounded-md border border-slate-200 p-4">
            {markdown.trim() ? <div className="prose-lesson" dangerouslySetInnerHTML={{ __html: preview }} /> : <p className="text-slate-600">Nothing to preview yet.</p>}
          </section>
        )}
        <TextField label="What changed (optional)" value={changeNote} onChange={(e) => setChangeNote(e.target.value)} error={errors.changeNote} />
        <Button type="submit" busy={save.isPending} disabled={!markdown.trim() || markdown === initial}>
          Save as a new version
        </Button>
      </form>
      {versions.length > 0 && (
        <details className="mt-4 text-sm">
          <summary className="cursor-pointer font-medium text-indigo-800">History ({versions.length} versions)</summary>
          <ul className="mt-2 space-y-1">
            {versions.map((v) => (
              <li key={v.version}>
                Version {v.version}, {formatDateTime(v.createdAt)}
                {v.changeNote && `: ${v.changeNote}`}
              </li>
            ))}
          </ul>
        </details>
      )}
    </Card>
  );
}

function MediaManager({ lessonId }: { lessonId: string }) {
  const media = useQuery(lessonQueries.media(lessonId));
  const upload = useUploadLessonMedia(lessonId);
  const [progress, setProgress] = useState<number | null>(null);
  return (
    <Card title="Media files">
      {media.data && media.data.length > 0 && (
        <ul className="mb-4 space-y-1 text-sm">
          {media.data.map((file) => (
            <li key={file.fileId}>
              {file.fileName} ({formatBytes(file.size)}) · <code className="text-xs">{file.url}</code>
            </li>
          ))}
        </ul>
      )}
      <FormError message={upload.error ? `Not uploaded: ${userMessage(upload.error)}` : null} />
      <label htmlFor="lesson-media" className="mb-1 block text-sm font-medium text-slate-800">
        Add a file (images, audio, video, PDF)
      </label>
      <input
        id="lesson-media"
        type="file"
        className="block w-full text-sm"
        onChange={(event) => {
          const file = event.target.files?.[0];
          if (!file) return;
          setProgress(0);
          upload.mutate(
            { file, onProgress: setProgress },
            { onSuccess: (saved) => toast.success(`${saved.fileName} uploaded. Use ${saved.url} in the Markdown.`), onSettled: () => setProgress(null) },
          );
          event.target.value = '';
        }}
      />
      {progress !== null && (
        <div className="mt-2">
          <ProgressBar value={Math.round(progress * 100)} label="Upload progress" />
        </div>
      )}
    </Card>
  );
}

export function LessonEditorPage() {
  const { courseId, lessonId } = route.useParams();
  const lesson = useQuery({ ...lessonQueries.detail(courseId, lessonId), refetchOnMount: 'always' });
  if (!lesson.data || !lesson.isFetchedAfterMount) {
    return (
      <Page title={lesson.error ? 'Lesson unavailable' : 'Loading lesson…'}>
        {lesson.error ? <ErrorNotice error={lesson.error} onRetry={() => void lesson.refetch()} /> : <Loading />}
      </Page>
    );
  }
  return (
    <Page
      title={`Lesson ${lesson.data.order}: ${lesson.data.title}`}
      description={
        <Link to="/teach/courses/$courseId" params={{ courseId }} search={{ tab: 'lessons' }} className="text-sm font-medium text-indigo-800 underline">
          Back to the course
        </Link>
      }
    >
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <ContentEditor lessonId={lessonId} />
        <div className="space-y-6">
          <LessonDetails courseId={courseId} lesson={lesson.data} />
          <MediaManager lessonId={lessonId} />
        </div>
      </div>
    </Page>
  );
}

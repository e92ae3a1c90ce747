import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { fieldErrors, userMessage } from '../../../lib/errors';
import { formatMinutes } from '../../../lib/format';
import { Button } from '../../../ui/button';
import { ConfirmDeleteDialog } from '../../../ui/dialog';
import { QueryState } from '../../../ui/feedback';
import { FormError, TextArea, TextField } from '../../../ui/fields';
import { Card } from '../../../ui/layout';
import { toast } from '../../../ui/toast';
import { useCreateLesson, useDeleteLesson, useReorderLessons } from '../../lessons/mutations';
import { lessonQueries } from '../../lessons/queries';

function NewLessonForm({ courseId }: { courseId: string }) {
  const create = useCreateLesson(courseId);
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [minutes, setMinutes] = useState('20');
  const errors = fieldErrors(create.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { title, description, estimatedTime: Number(minutes) || 0 },
      {
        onSuccess: (lesson) => {
          toast.success(`Lesson ${lesson.order} added.`);
          setTitle('');
          setDescription('');
        },
      },
    );
  };
  return (
    <form onSubmit={submit} className="space-y-3" noValidate>
      <FormError message={create.error && !Object.keys(errors).length ? userMessage(create.error) : null} />
      <TextField label="Title" value={title} onChange={(e) => setTitle(e.target.value)} error={errors.title} required />
      <TextArea label="Summary" rows={2} value={description} onChange={(e) => setDescription(e.target.value)} error={errors.description} />
      <TextField label="Estimated time (minutes)" type="number" min={0} value={minutes} onChange={(e) => setMinutes(e.target.value)} error={errors.estimatedTime} className="w-56" />
      <Button type="submit" busy={create.isPending} disabled={!title.trim()}>
        Add lesson
      </Button>
    </form>
  );
}

export function CourseLessonsTab({ courseId }: { courseId: string }) {
  const lessons = useQuery(lessonQueries.list(courseId));
  const reorder = useReorderLessons(courseId);
  const remove = useDeleteLesson(courseId);
  const [deleting, setDeleting] = useState<{ lessonId: string; title: string } | null>(null);

  const move = (ids: string[], from: number, to: number) => {
    const next = [...ids];
    const [moved] = next.splice(from, 1);
    if (moved === undefined) return;
    next.splice(to, 0, moved);
    reorder.mutate(next);
  };

  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
      <Card title="Lessons, in order">
        <QueryState query={lessons} loadingLabel="Loading lessons…">
          {(list) =>
            list.length === 0 ? (
              <p className="text-sm text-slate-700">No lessons yet: add the first one.</p>
            ) : (
              <ol className="divide-y divide-slate-200">
                {list.map((lesson, index) => {
                  const ids = list.map((l) => l.lessonId);
                  return (
                    <li key={lesson.lessonId} className="flex flex-wrap items-center gap-3 py-3">
                      <span className="w-6 text-right font-semibold text-slate-600">{lesson.order}</span>
                      <div className="min-w-0 flex-1">
                        <Link
                          to="/teach/courses/$courseId/lessons/$lessonId"
                          params={{ courseId, lessonId: lesson.lessonId }}
                          className="font-medium text-indigo-800 underline"
                        >
                          {lesson.title}
                        </Link>
                        <p className="text-sm text-slate-700">{formatMinutes(lesson.estimatedTime)}</p>
                      </div>
                      <div className="flex gap-1">
                        <Button variant="ghost" disabled={index === 0 || reorder.isPending} onClick={() => move(ids, index, index - 1)}>
                          <span aria-hidden="true">↑</span>
                          <span className="sr-only">Move {lesson.title} up</span>
                        </Button>
                        <Button
                          variant="ghost"
                          disabled={index === list.length - 1 || reorder.isPending}
                          onClick={() => move(ids, index, index + 1)}
                        >
                          <span aria-hidden="true">↓</span>
                          <span className="sr-only">Move {lesson.title} down</span>
                        </Button>
                        <Button variant="ghost" onClick={() => setDeleting(lesson)} aria-label={`Delete ${lesson.title}`}>
                          Delete
                        </Button>
                      </div>
                    </li>
                  );
                })}
              </ol>
            )
          }
        </QueryState>
      </Card>
      <Card title="New lesson">
        <NewLessonForm courseId={courseId} />
      </Card>
      <ConfirmDeleteDialog
        open={Boolean(deleting)}
        onClose={() => setDeleting(null)}
        title={`Delete ${deleting?.title ?? 'the lesson'}?`}
        consequence="Its content and completions are deleted; its assignments and quizzes stay in the course."
        busy={remove.isPending}
        onConfirm={() =>
          deleting &&
          remove.mutate(deleting.lessonId, {
            onSuccess: () => toast.success('Lesson deleted.'),
            onSettled: () => setDeleting(null),
          })
        }
      />
    </div>
  );
}

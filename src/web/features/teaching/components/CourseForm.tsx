// The fields of a course, for creating one and for editing it.
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import type { CourseCategory, DifficultyLevel } from '../../../../sdk';
import { api } from '../../../lib/api';
import { COURSE_CATEGORIES, DIFFICULTY_LEVELS } from '../../../lib/enums';
import { humanize } from '../../../lib/format';
import { Button } from '../../../ui/button';
import { SelectField, TextArea, TextField } from '../../../ui/fields';

export interface CourseFormValues {
  title: string;
  description: string;
  thumbnailUrl: string;
  category: CourseCategory;
  difficultyLevel: DifficultyLevel;
  prerequisiteIds: string[];
}

export const courseFormFields = [
  { key: 'title', label: 'Title' },
  { key: 'description', label: 'Description' },
  { key: 'thumbnailUrl', label: 'Image address' },
  { key: 'category', label: 'Category' },
  { key: 'difficultyLevel', label: 'Level' },
  { key: 'prerequisiteIds', label: 'Prerequisites' },
];

function PrerequisitePicker({
  value,
  onChange,
  exclude,
  known,
  error,
}: {
  value: string[];
  onChange: (ids: string[]) => void;
  exclude?: string;
  known: Record<string, string>;
  error?: string;
}) {
  const [search, setSearch] = useState('');
  const [titles, setTitles] = useState<Record<string, string>>(known);
  const results = useQuery({
    queryKey: ['courses', 'list', 'prerequisite-search', search],
    queryFn: ({ signal }) => api.listCourses({ search: search || undefined, limit: 8, sort: 'title' }, { signal }),
    enabled: search.trim().length > 0,
  });
  return (
    <fieldset className="rounded-lg border border-slate-200 p-3">
      <legend className="px-1 text-sm font-medium text-slate-800">Prerequisites</legend>
      {value.length === 0 ? (
        <p className="text-sm text-slate-600">None: anyone can enrol.</p>
      ) : (
        <ul className="flex flex-wrap gap-2">
          {value.map((id) => (
            <li key={id} className="flex items-center gap-1 rounded-full bg-indigo-50 py-1 pl-3 pr-1 text-sm text-indigo-950">
              {titles[id] ?? 'A course'}
              <button
                type="button"
                onClick={() => onChange(value.filter((v) => v !== id))}
                className="rounded-full px-2 hover:bg-indigo-100"
                aria-label={`Remove ${titles[id] ?? 'this prerequisite'}`}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <TextField label="Add a course" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Type part of a title" className="mt-3" error={error} />
      {results.data && (
        <ul className="mt-2 divide-y divide-slate-100 rounded-md border border-slate-200">
          {results.data.data
            .filter((course) => course.courseId !== exclude && !value.includes(course.courseId))
            .map((course) => (
              <li key={course.courseId} className="flex items-center justify-between gap-2 px-3 py-2 text-sm">
                <span>{course.title}</span>
                <Button
                  variant="ghost"
                  onClick={() => {
                    setTitles((current) => ({ ...current, [course.courseId]: course.title }));
                    onChange([...value, course.courseId]);
                  }}
                >
                  Add
                </Button>
              </li>
            ))}
        </ul>
      )}
    </fieldset>
  );
}

export function CourseForm({
  initial,
  courseId,
  knownTitles = {},
  errors,
  busy,
  submitLabel,
  onSubmit,
  footer,
}: {
  initial: CourseFormValues;
  courseId?: string;
  knownTitles?: Record<string, string>;
  errors: Record<string, string>;
  busy: boolean;
  submitLabel: string;
  onSubmit: (values: CourseFormValues) => void;
  footer?: ReactNode;
}) {
  const [values, setValues] = useState(initial);
  const set = <K extends keyof CourseFormValues>(key: K, value: CourseFormValues[K]) => setValues((current) => ({ ...current, [key]: value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit(values);
  };
  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      <TextField label="Title" required value={values.title} onChange={(e) => set('title', e.target.value)} error={errors.title} />
      <TextArea label="Description" rows={5} value={values.description} onChange={(e) => set('description', e.target.value)} error={errors.description} />
      <div className="grid gap-4 sm:grid-cols-2">
        <SelectField
          label="Category"
          value={values.category}
          onChange={(e) => set('category', e.target.value as CourseCategory)}
          options={COURSE_CATEGORIES.map((c) => ({ value: c, label: humanize(c) }))}
          error={errors.category}
        />
        <SelectField
          label="Level"
          value={values.difficultyLevel}
          onChange={(e) => set('difficultyLevel', e.target.value as DifficultyLevel)}
          options={DIFFICULTY_LEVELS.map((l) => ({ value: l, label: humanize(l) }))}
          error={errors.difficultyLevel}
        />
      </div>
      <TextField
        label="Image address (optional)"
        type="url"
        value={values.thumbnailUrl}
        onChange={(e) => set('thumbnailUrl', e.target.value)}
        hint="An http(s) address of a picture for the catalogue"
        error={errors.thumbnailUrl}
      />
      <PrerequisitePicker
        value={values.prerequisiteIds}
        onChange={(ids) => set('prerequisiteIds', ids)}
        exclude={courseId}
        known={knownTitles}
        error={errors.prerequisiteIds ?? Object.entries(errors).find(([key]) => key.startsWith('prerequisiteIds'))?.[1]}
      />
      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" busy={busy}>
          {submitLabel}
        </Button>
        {footer}
      </div>
    </form>
  );
}

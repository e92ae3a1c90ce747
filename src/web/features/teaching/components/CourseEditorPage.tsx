// Creating and editing a course: its details (an edit that lost a race is resolved in a dialog),
// lessons, assignments and quizzes, and its students.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import type { CourseDetails } from '../../../../sdk';
import type { UpdateCourseBody } from '../../../../contract/courses';
import { fieldErrors, isConflict, userMessage } from '../../../lib/errors';
import { Button, buttonClass } from '../../../ui/button';
import { ConflictDialog } from '../../../ui/ConflictDialog';
import { ConfirmDeleteDialog } from '../../../ui/dialog';
import { ErrorNotice, Loading } from '../../../ui/feedback';
import { FormError } from '../../../ui/fields';
import { Card, Page } from '../../../ui/layout';
import { toast } from '../../../ui/toast';
import { useCreateCourse, useDeleteCourse, useUpdateCourse } from '../../courses/mutations';
import { courseQueries } from '../../courses/queries';
import { AnnouncementComposer } from '../../communication/components/AnnouncementComposer';
import { AnnouncementList } from '../../communication/components/AnnouncementList';
import { CourseForm, courseFormFields, type CourseFormValues } from './CourseForm';
import { CourseLessonsTab } from './CourseLessonsTab';
import { CourseStudentsTab } from './CourseStudentsTab';
import { CourseWorkTab } from './CourseWorkTab';

const editRoute = getRouteApi('/authed/staff/teach/courses/$courseId');

const emptyCourse: CourseFormValues = { title: '', description: '', thumbnailUrl: '', category: 'programming', difficultyLevel: 'beginner', prerequisiteIds: [] };

export const toFormValues = (course: CourseDetails): CourseFormValues => ({
  title: course.title,
  description: course.description,
  thumbnailUrl: course.thumbnailUrl,
  category: course.category,
  difficultyLevel: course.difficultyLevel,
  prerequisiteIds: course.prerequisites.map((p) => p.prerequisiteId),
});

/** Only the fields that differ from what was read are sent. */
function changesBetween(before: CourseFormValues, after: CourseFormValues): UpdateCourseBody {
  const changes: Record<string, unknown> = {};
  for (const key of Object.keys(after) as (keyof CourseFormValues)[]) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) changes[key] = after[key];
  }
  return changes as UpdateCourseBody;
}

export function NewCoursePage() {
  const create = useCreateCourse();
  const navigate = useNavigate();
  const errors = fieldErrors(create.error);
  return (
    <Page title="New course">
      <Card>
        <FormError message={create.error && !Object.keys(errors).length ? userMessage(create.error) : null} />
        <CourseForm
          initial={emptyCourse}
          errors={errors}
          busy={create.isPending}
          submitLabel="Create course"
          onSubmit={(values) =>
            create.mutate(values, {
              onSuccess: (course) => {
                toast.success('Course created. Add its lessons next.');
                void navigate({ to: '/teach/courses/$courseId', params: { courseId: course.courseId }, search: { tab: 'lessons' } });
              },
            })
          }
        />
      </Card>
    </Page>
  );
}

function DetailsTab({ course }: { course: CourseDetails }) {
  const queryClient = useQueryClient();
  const update = useUpdateCourse(course.courseId);
  const remove = useDeleteCourse(course.courseId);
  const navigate = useNavigate();
  const [formVersion, setFormVersion] = useState(0);
  const [attempt, setAttempt] = useState<{ values: CourseFormValues; changes: UpdateCourseBody } | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const conflict = isConflict(update.error) ? update.error : undefined;
  const theirs = conflict?.current ? toFormValues(conflict.current as CourseDetails) : undefined;
  const errors = conflict ? {} : fieldErrors(update.error);
  const knownTitles = Object.fromEntries(course.prerequisites.map((p) => [p.prerequisiteId, p.prerequisite.title]));

  const save = (values: CourseFormValues) => {
    const changes = changesBetween(toFormValues(course), values);
    if (Object.keys(changes).length === 0) return toast.info('Nothing to save.');
    setAttempt({ values, changes });
    update.mutate(
      { changes },
      {
        onSuccess: () => {
          toast.success('Course saved.');
          setFormVersion((v) => v + 1);
        },
      },
    );
  };

  return (
    <Card>
      <FormError message={update.error && !conflict && !Object.keys(errors).length ? `Not saved: ${userMessage(update.error)}` : null} />
      <CourseForm
        key={`${course.courseId}-${formVersion}`}
        initial={toFormValues(course)}
        courseId={course.courseId}
        knownTitles={knownTitles}
        errors={errors}
        busy={update.isPending}
        submitLabel="Save changes"
        onSubmit={save}
        footer={
          <Button variant="danger" className="ml-auto" onClick={() => setConfirmDelete(true)}>
            Delete course
          </Button>
        }
      />
      <ConflictDialog
        open={Boolean(conflict)}
        fields={courseFormFields}
        mine={attempt?.values ?? {}}
        theirs={theirs}
        busy={update.isPending}
        onClose={() => update.reset()}
        onKeepMine={() =>
          attempt &&
          update.mutate(
            { changes: attempt.changes, overwrite: true },
            {
              onSuccess: () => {
                toast.success('Your version was saved.');
                setFormVersion((v) => v + 1);
              },
            },
          )
        }
        onTakeTheirs={() => {
          if (conflict?.current) queryClient.setQueryData(courseQueries.detail(course.courseId).queryKey, conflict.current as CourseDetails);
          void queryClient.invalidateQueries({ queryKey: courseQueries.detail(course.courseId).queryKey });
          update.reset();
          setFormVersion((v) => v + 1);
          toast.info('You now see the newer version.');
        }}
      />
      <ConfirmDeleteDialog
        open={confirmDelete}
        onClose={() => setConfirmDelete(false)}
        title={`Delete ${course.title}?`}
        consequence="Its lessons, assignments, quizzes, enrolments, submissions and ratings are deleted too. This cannot be undone."
        busy={remove.isPending}
        onConfirm={() =>
          remove.mutate(undefined, {
            onSuccess: () => {
              toast.success('Course deleted.');
              void navigate({ to: '/teach' });
            },
          })
        }
      />
    </Card>
  );
}

const baseTabs = [
  { id: 'details', label: 'Details' },
  { id: 'lessons', label: 'Lessons' },
  { id: 'work', label: 'Assignments and quizzes' },
  { id: 'students', label: 'Students' },
  { id: 'announcements', label: 'Announcements' },
] as const;

export function EditCoursePage() {
  const { courseId } = editRoute.useParams();
  const { tab = 'details' } = editRoute.useSearch();
  // Always read afresh: the edit is checked against the version read here.
  const query = useQuery({ ...courseQueries.detail(courseId), refetchOnMount: 'always' });
  const course = query.data;
  if (!course || !query.isFetchedAfterMount) {
    return (
      <Page title={query.error ? 'Course unavailable' : 'Loading course…'}>
        {query.error ? <ErrorNotice error={query.error} onRetry={() => void query.refetch()} /> : <Loading label="Loading the course…" />}
      </Page>
    );
  }
  const tabs = baseTabs;
  return (
    <Page
      title={course.title}
      actions={
        <Link to="/courses/$courseId" params={{ courseId }} className={buttonClass('secondary')}>
          View as a learner
        </Link>
      }
    >
      <nav aria-label="Course sections" className="mb-6 flex flex-wrap gap-1 border-b border-slate-200">
        {tabs.map((t) => (
          <Link
            key={t.id}
            to="/teach/courses/$courseId"
            params={{ courseId }}
            search={t.id === 'details' ? {} : { tab: t.id }}
            className={`-mb-px border-b-2 px-3 py-2 text-sm font-semibold ${tab === t.id ? 'border-indigo-700 text-indigo-900' : 'border-transparent text-slate-700 hover:text-slate-900'}`}
            aria-current={tab === t.id ? 'page' : undefined}
          >
            {t.label}
          </Link>
        ))}
      </nav>
      {tab === 'details' && <DetailsTab course={course} />}
      {tab === 'lessons' && <CourseLessonsTab courseId={courseId} />}
      {tab === 'work' && <CourseWorkTab course={course} />}
      {tab === 'students' && <CourseStudentsTab course={course} />}
      {tab === 'announcements' && (
        <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
          <AnnouncementList courseId={courseId} />
          <Card title="Announce to the course">
            <AnnouncementComposer courseId={courseId} />
          </Card>
        </div>
      )}
    </Page>
  );
}
